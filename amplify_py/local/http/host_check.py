"""DNS-rebinding protection: the engine answers only requests addressed to it by a loopback name.

A web page can make its own host name resolve to 127.0.0.1 and then talk to the engine as a same-origin
page would. The browser still sends the page's host name in ``Host``, so every request whose ``Host`` names
anything but this machine (``127.0.0.1``, ``localhost``, ``[::1]``, or the interface the engine was started
on) is refused with 403 and Cognito's ``ForbiddenException`` before it reaches any face. The port is not
checked: a rebinding page never shows one of these names, and a forwarded port (a container's
``-p 9400:9325``, an SSH tunnel) keeps working.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from amplify_py.local.context import EngineContext

__all__ = ["HostCheck", "allowed_names", "host_name"]

_LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})


def allowed_names(endpoint: str) -> frozenset[str]:
    """The host names that address the engine serving at ``endpoint`` (``http://host:port``)."""
    bound = (urlsplit(endpoint).hostname or "").lower()
    return _LOOPBACK_NAMES | ({bound} if bound and bound != "0.0.0.0" else set())


def host_name(host: str) -> str:
    """The name in a ``Host`` header value, without its port (``[::1]:9325`` → ``[::1]``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class HostCheck:
    """ASGI middleware: refuse a request whose Host header does not name this machine."""

    def __init__(self, app: ASGIApp, ctx: EngineContext, *, own_check: tuple[str, ...] = ()) -> None:
        """``own_check``: path prefixes whose face checks the Host itself (the console answers in HTML)."""
        self.app = app
        self.ctx = ctx
        self._own_check = own_check
        self._cached: tuple[str, frozenset[str]] = ("", frozenset())

    def _allowed(self) -> frozenset[str]:
        endpoint = self.ctx.endpoint
        if self._cached[0] != endpoint:
            self._cached = (endpoint, allowed_names(endpoint))
        return self._cached[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(scope.get("path", "").startswith(own) for own in self._own_check):
            await self.app(scope, receive, send)
            return
        host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")
        if host_name(host) in self._allowed():
            await self.app(scope, receive, send)
            return
        body = json.dumps({"__type": "ForbiddenException", "message":
                           f"Host '{host}' is not this engine's address; the local engine answers only requests "
                           f"addressed to {', '.join(sorted(self._allowed()))} (protection against DNS rebinding). "
                           "Use the endpoint in amplify_outputs.json (custom.local_engine)."}).encode()
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"application/x-amz-json-1.1"), (b"content-length", str(len(body)).encode()),
            (b"x-amzn-errortype", b"ForbiddenException:")]})
        await send({"type": "http.response.body", "body": body})
