"""DNS-rebinding protection: the engine answers only requests addressed to itself.

A web page can make its own host name resolve to 127.0.0.1 and then talk to the engine as a same-origin
page would. The browser still sends the page's host name in ``Host``, so every request whose ``Host`` is not
the engine's own address (``127.0.0.1:<port>``, ``localhost:<port>``, or the interface it was started on) is
refused with 403 and Cognito's ``ForbiddenException`` before it reaches any face.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from amplify_py.local.context import EngineContext

__all__ = ["HostCheck", "allowed_hosts"]

_LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def allowed_hosts(endpoint: str) -> frozenset[str]:
    """The ``Host`` values that address the engine serving at ``endpoint`` (``http://host:port``)."""
    parts = urlsplit(endpoint)
    port = parts.port or 80
    names = {*_LOOPBACK_NAMES, (parts.hostname or "").lower()} - {"", "0.0.0.0"}
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts |= names  # a client leaves out the default port
    return frozenset(hosts)


class HostCheck:
    """ASGI middleware: refuse a request whose Host header is not the engine's own address."""

    def __init__(self, app: ASGIApp, ctx: EngineContext) -> None:
        self.app = app
        self.ctx = ctx
        self._cached: tuple[str, frozenset[str]] = ("", frozenset())

    def _allowed(self) -> frozenset[str]:
        endpoint = self.ctx.endpoint
        if self._cached[0] != endpoint:
            self._cached = (endpoint, allowed_hosts(endpoint))
        return self._cached[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")
        allowed = self._allowed()
        if host.lower() in allowed:
            await self.app(scope, receive, send)
            return
        expected = " or ".join(sorted(allowed))
        body = json.dumps({"__type": "ForbiddenException", "message":
                           f"Host '{host}' is not this engine's address; the local engine answers only requests "
                           f"to {expected} (protection against DNS rebinding). Use the endpoint in "
                           "amplify_outputs.json (custom.local_engine)."}).encode()
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"application/x-amz-json-1.1"), (b"content-length", str(len(body)).encode()),
            (b"x-amzn-errortype", b"ForbiddenException:")]})
        await send({"type": "http.response.body", "body": body})
