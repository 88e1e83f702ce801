"""Headless Chromium for the browser tier: the real aws-amplify bundled with esbuild, a page served on
http://localhost:<port>, and Chromium's virtual authenticator (the DevTools WebAuthn domain).

Chromium and ChromeDriver are Debian's (/usr/bin/chromium, /usr/bin/chromedriver; .ci/run installs them);
aws-amplify and esbuild come from tests/browser/js's lock file, installed once into the e2e cache.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.browser._page import bundle

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-dev-shm-usage")
_INDEX = ('<!doctype html><html><head><meta charset="utf-8"><title>amplify-py passkeys</title>'
          '<script type="module" src="/bundle.js"></script></head><body>passkeys</body></html>')


def build_page(into: Path) -> Path:
    """index.html and bundle.js (aws-amplify and tests/browser/js/page.mjs, bundled by esbuild) in ``into``."""
    shutil.copy2(bundle("page.mjs", fmt="esm"), into / "bundle.js")
    (into / "index.html").write_text(_INDEX)
    return into


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[int]:
    """Serve ``folder`` on 127.0.0.1 (the page is opened as http://localhost:<port>); yields the port."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class Browser:
    """One Chromium with a virtual platform authenticator (resident keys, user verification)."""

    def __init__(self, profile: Path, *, javascript: bool = True) -> None:
        """``javascript=False`` turns the pages' scripts off (WebDriver's own commands still work)."""
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        if not javascript:
            options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
        self.driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        self.driver.set_script_timeout(30)
        self._authenticator: str | None = None

    def open(self, url: str, outputs: dict[str, Any]) -> None:
        """Load the page and configure aws-amplify with ``outputs``; the virtual authenticator is (re)attached."""
        self.driver.get(url)
        self.driver.execute_async_script(
            "const done = arguments[0];"
            "(function wait() { window.amplifyReady ? done(true) : setTimeout(wait, 20); })();")
        self.driver.execute_script("window.configureAmplify(arguments[0]);", outputs)

    def add_authenticator(self) -> str:
        """A fresh virtual platform authenticator (Chromium allows one internal one: the last is removed)."""
        self.driver.execute_cdp_cmd("WebAuthn.enable", {"enableUI": False})
        if self._authenticator is not None:
            self.driver.execute_cdp_cmd("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self._authenticator})
        self._authenticator = self.driver.execute_cdp_cmd("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]
        return self._authenticator

    def credentials(self, authenticator_id: str) -> list[dict[str, Any]]:
        """What the virtual authenticator holds (credential ids, RP ids, sign counts)."""
        return self.driver.execute_cdp_cmd("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})[
            "credentials"]

    def call(self, api: str, input: Any = None) -> dict[str, Any]:  # noqa: A002 - Amplify's word
        """``aws-amplify/auth``'s ``api(input)`` in the page: {"ok": True, "result": ...} or {"ok": False, "error"}."""
        return self.driver.execute_async_script(
            "const [api, input, done] = arguments; window.callAuth(api, input).then(done);", api, input)

    def set_switch(self, name: str, value: Any) -> None:
        self.driver.execute_script("window.passkeyTest[arguments[0]] = arguments[1];", name, value)

    def close(self) -> None:
        self.driver.quit()
