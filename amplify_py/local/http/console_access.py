"""Who may use the local console: loopback only, with the engine's console token, and forms that prove they
are the console's own.

- **Loopback.** A request must come from a loopback address and name a loopback host (``127.0.0.1``,
  ``localhost`` or ``[::1]``, any port) in its Host header. The second stops DNS rebinding: a web page on
  some other name that resolves to 127.0.0.1 cannot read the console. This check is the console's own and
  does not depend on any engine-wide one.
- **The token.** Every page but the stylesheet needs the token (reads too, as notebook servers do: the pages
  show users' attributes and the codes the engine sent). ``?token=`` on any page sets an HttpOnly,
  SameSite=Strict cookie scoped to ``/_console/`` and redirects to the same page without it, so the token
  leaves the address bar and the history. The cookie's name carries the port, so two engines on one
  machine do not overwrite each other's (cookies ignore ports).
- **Forms.** A POST needs the cookie and the form's CSRF token (SameSite does not help between two
  ports of localhost: they are the same site), and is refused when the browser says it comes from another
  origin (``Origin``, ``Sec-Fetch-Site``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from urllib.parse import urlencode

from starlette.requests import Request

__all__ = ["LOOPBACK_NAMES", "loopback_request", "token_matches", "session_cookie", "cookie_name", "signed_in",
           "csrf_token", "csrf_matches", "same_origin", "address_without_token", "SECURITY_HEADERS"]

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
SECURITY_HEADERS = {
    # No script at all: the pages are plain HTML and CSS. Forms post only to the console itself.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make a form post's Origin "null"
    "Cache-Control": "no-store",
}


def _host_name(host_header: str) -> str:
    """The name part of a Host header: ``localhost:9325`` → ``localhost``, ``[::1]:9325`` → ``[::1]``."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1] if "]" in value else value
    return value.rpartition(":")[0] if ":" in value else value


def loopback_request(request: Request) -> bool:
    """From a loopback address, to a loopback name (see the module docstring)."""
    client = request.client
    try:
        address = ipaddress.ip_address(client.host) if client is not None else None
    except ValueError:
        address = None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 (Python 3.11 does not call it loopback)
    from_loopback = address is not None and address.is_loopback
    return from_loopback and _host_name(request.headers.get("host", "")) in LOOPBACK_NAMES


def _derived(token: str, purpose: str) -> str:
    return hmac.new(token.encode(), f"amplify-py console {purpose}".encode(), hashlib.sha256).hexdigest()


def token_matches(token: str, given: str | None) -> bool:
    return bool(token) and given is not None and hmac.compare_digest(token.encode(), given.encode())


def cookie_name(request: Request) -> str:
    server = request.scope.get("server") or ("", 0)
    return f"ampy-console-{server[1]}"


def session_cookie(token: str) -> str:
    """The cookie's value: derived from the token (the token itself never sits in the browser's cookie jar)."""
    return _derived(token, "session")


def signed_in(request: Request, token: str) -> bool:
    given = request.cookies.get(cookie_name(request))
    return bool(token) and given is not None and hmac.compare_digest(session_cookie(token).encode(), given.encode())


def csrf_token(token: str) -> str:
    return _derived(token, "form")


def csrf_matches(token: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(csrf_token(token).encode(), given.encode())


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another origin (headers it cannot be made to forge)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin is None or origin == f"http://{request.headers.get('host', '')}"


def address_without_token(request: Request) -> str:
    """The page's own address with ``token`` taken out of its query (where a token visit redirects to)."""
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
    return request.url.path + (f"?{urlencode(rest)}" if rest else "")
