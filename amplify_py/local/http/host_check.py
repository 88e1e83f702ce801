"""DNS-rebinding protection: the engine answers only requests addressed to it by a loopback name.

A web page can make its own host name resolve to 127.0.0.1 and then talk to the engine as a same-origin
page would. The browser still sends the page's host name in ``Host``, so every request whose ``Host`` names
anything but this machine (``127.0.0.1``, ``localhost``, ``[::1]``, or the interface the engine was started
on) is refused with 403 and Cognito's ``ForbiddenException`` before it reaches any face. The port is not
checked: a rebinding page never shows one of these names, and a forwarded port (a container's
``-p 9400:9325``, an SSH tunnel) keeps working.

Managed login's HTTPS app is stricter (``ManagedLoginHostCheck``): it answers only its own address, a loopback
name with the port the request arrived on (``localhost:9326``, ``127.0.0.1:9326``). Its pages, redirects and
cookies are all made for that address, so another port could not work anyway. It wraps the whole app, so
every route (the OAuth endpoints, the pages, the identity-provider stand-ins) is covered without doing
anything. Its refusal is a short plain-text page: the askers are browsers, not SDKs.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from amplify_py.local.context import EngineContext

__all__ = ["HostCheck", "ManagedLoginHostCheck", "allowed_names", "host_name", "host_port"]

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


def host_port(host: str, default: int) -> int | None:
    """The port in a ``Host`` header value (``default`` when it names none; None when it is not a number)."""
    host = host.strip()
    rest = host[host.find("]") + 1:] if host.startswith("[") else host
    if ":" not in rest:
        return default
    digits = rest.rsplit(":", 1)[1]
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 5 else None  # not '²'


def _under(path: str, prefix: str) -> bool:
    """``path`` is ``prefix`` or below it (``/_console/...``, not ``/_consoleX``)."""
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def _header(scope: Scope, wanted: bytes) -> str:
    return next((value.decode("latin-1") for name, value in scope["headers"] if name == wanted), "")


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
        if scope["type"] != "http" or any(_under(scope.get("path", ""), own) for own in self._own_check):
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
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


class ManagedLoginHostCheck:
    """ASGI middleware for managed login's app: refuse a request whose Host is not ``<loopback name>:<the port
    it arrived on>`` with a 403 plain-text answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        server = scope.get("server") or ("", None)
        default = 443 if scope.get("scheme") == "https" else 80
        if host_name(host) in _LOOPBACK_NAMES and server[1] is not None and host_port(host, default) == server[1]:
            await self.app(scope, receive, send)
            return
        port = server[1] if server[1] is not None else "<port>"
        body = (f"403 Forbidden: Host '{host}' is not this managed login's address. The local engine's managed login "
                f"answers only requests addressed to localhost:{port} or 127.0.0.1:{port} (protection against DNS "
                "rebinding). Use the domain in amplify_outputs.json (auth.oauth.domain).\n").encode()
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]})
        await send({"type": "http.response.body", "body": body})
