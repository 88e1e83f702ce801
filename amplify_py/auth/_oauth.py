"""Managed login from a command-line or desktop program: the system browser, a one-shot loopback HTTP server
on a registered callback URL (the way ``gcloud auth login`` works), and the calls to ``/oauth2/token`` and
``/logout``.

Cognito's managed login is ``https://<auth.oauth.domain>``; for the local engine that is ``localhost:<port>``
with a certificate from the local CA, which ``custom.local_engine.ca_certificate`` names, so it is trusted
here in addition to the system's CAs.
"""

from __future__ import annotations

import html
import socket
import ssl
import sys
import threading
import webbrowser
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from amplify_py.auth._config import AuthConfig, OAuthConfig
from amplify_py.auth.errors import AuthError

__all__ = ["require_oauth", "loopback_url", "Loopback", "open_in_browser", "post_token", "callback_params",
           "OAUTH_SIGN_IN_EXCEPTION"]

OAUTH_SIGN_IN_EXCEPTION = "OAuthSignInException"
_OAUTH_ERROR = "Couldn't finish OAuth flow, check your User Pool HostedUI settings"
_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def require_oauth(config: AuthConfig) -> OAuthConfig:
    """Amplify's assertOAuthConfig: a domain, both redirect lists and a response type."""
    oauth = config.oauth
    if oauth is None or not oauth.domain or not oauth.redirect_sign_in or not oauth.redirect_sign_out:
        raise AuthError("OAuthNotConfigureException", "oauth param not configured.",
                        "Make sure to call Amplify.configure with oauth parameter in your app.")
    return oauth


def loopback_url(registered: Sequence[str], preferred: str | None, which: str) -> str:
    """The registered URL this program can listen on: ``preferred`` when given (it must be registered), else
    the first ``http://localhost:<port>/...`` (or 127.0.0.1, [::1]) one."""
    if preferred:
        if preferred not in registered:
            raise AuthError("InvalidPreferredRedirectUrlException",
                            f"The given redirect_url {preferred!r} does not match any of the {which} URLs in the "
                            "config.", f"Use one of: {', '.join(registered)}.")
        return preferred
    for url in registered:
        parts = urlsplit(url)
        if parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1") and parts.port:
            return url
    raise AuthError(
        "InvalidRedirectException",
        f"None of the {which} URLs is a loopback URL this program can listen on ({', '.join(registered) or 'none'}).",
        f"Register one such as http://localhost:53682/ (in define_auth: login_with.external_providers."
        f"{'callback_urls' if which == 'sign-in' else 'logout_urls'}), deploy, and run again.")


def _ssl_context(config: AuthConfig) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if config.ca_certificate:
        try:
            context.load_verify_locations(cafile=config.ca_certificate)
        except (OSError, ssl.SSLError) as exc:
            raise AuthError("InvalidCaCertificate", f"Cannot read the local CA {config.ca_certificate}: {exc}.",
                            "Run `ampy local ca` (it makes the CA again) and `ampy sandbox` to write the outputs.",
                            underlying=exc) from exc
    return context


def post_token(config: AuthConfig, oauth: OAuthConfig, form: dict[str, str]) -> dict[str, Any]:
    """POST ``/oauth2/token``; an OAuth error is Amplify's OAuthSignInException."""
    url = f"https://{oauth.domain}/oauth2/token"
    try:
        with httpx.Client(verify=_ssl_context(config), timeout=_TIMEOUT) as http:
            response = http.post(url, data=form)
    except httpx.HTTPError as exc:
        raise AuthError("NetworkError", "A network error has occurred.", f"Check that {url} is reachable ({exc}).",
                        underlying=exc) from exc
    try:
        payload = response.json()
    except ValueError as exc:
        raise AuthError(OAUTH_SIGN_IN_EXCEPTION, f"{url} answered {response.status_code} without JSON.",
                        _OAUTH_ERROR, underlying=exc) from exc
    if response.status_code >= 300 or payload.get("error"):
        raise AuthError(OAUTH_SIGN_IN_EXCEPTION, str(payload.get("error_description") or payload.get("error")),
                        _OAUTH_ERROR, metadata={"http_status_code": response.status_code})
    return payload


def open_in_browser(url: str, *, launch_browser: bool, open_url: Callable[[str], Any] | None) -> None:
    """Hand ``url`` to the user: the given opener, the system browser, or (headless) printed for them."""
    if open_url is not None:
        open_url(url)
        return
    if launch_browser and webbrowser.open(url):
        print(f"Your browser has been opened to visit:\n\n    {url}\n", file=sys.stderr)
        return
    print(f"Go to the following link in your browser:\n\n    {url}\n", file=sys.stderr)


class Loopback:
    """A one-shot HTTP server on a registered loopback URL: it answers the browser's redirect with a short
    page and hands the URL it received to the program."""

    def __init__(self, url: str, page_title: str) -> None:
        parts = urlsplit(url)
        host = "::1" if parts.hostname == "::1" else "127.0.0.1"
        self.path = parts.path or "/"
        self._received: list[str] = []
        self._done = threading.Event()
        outer = self
        body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(page_title)}</title>"
                f"<h1>{html.escape(page_title)}</h1><p>You can close this window and go back to the program.</p>"
                ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if urlsplit(self.path).path != outer.path or outer._done.is_set():
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                outer._received.append(f"http://{parts.netloc}{self.path}")
                outer._done.set()

            def log_message(self, *args: Any) -> None:
                return

        family = socket.AF_INET6 if host == "::1" else socket.AF_INET
        server_class = type("LoopbackServer", (HTTPServer,), {"address_family": family})
        try:
            self._server = server_class((host, parts.port or 80), Handler)
        except OSError as exc:
            raise AuthError("LoopbackUnavailable", f"Cannot listen on {url} for the browser's redirect: {exc}.",
                            "Stop the program that uses this port, or register another loopback URL.",
                            underlying=exc) from exc
        self._thread = threading.Thread(target=self._serve, name="amplify-loopback", daemon=True)

    def _serve(self) -> None:
        while not self._done.is_set():
            self._server.handle_request()

    def __enter__(self) -> "Loopback":
        self._server.timeout = 0.2
        self._thread.start()
        return self

    def wait(self, timeout: float) -> str:
        if not self._done.wait(timeout):
            raise AuthError(OAUTH_SIGN_IN_EXCEPTION, f"No answer from the browser within {timeout:.0f} seconds.",
                            "Finish signing in in the browser, or call again with a longer timeout.")
        return self._received[0]

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=5)
        self._server.server_close()


def callback_params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}

