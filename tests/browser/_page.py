"""The browser tier's scripts, bundled with esbuild (``bundle``: the passkey page's ``js/page.mjs`` and the
managed-login tests' ``js/app.mjs``, both configuring aws-amplify through ``js/configure.mjs``), and the app page
the managed-login tests serve (aws-amplify configured at load, as an app does, so the OAuth redirect back is
completed by the library itself).

Why a bundle: aws-amplify's ESM build imports dozens of bare package names (``tslib``, ``@smithy/*``,
``@aws-crypto/*``), some of them CommonJS; an import map would have to list and shim them all. esbuild (from
npm, one platform binary) turns an entry module into one script in well under a second. Both come from
``js/package-lock.json``, installed once into the e2e cache; the bundle is cached next to them.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.e2e._js import JsToolchainError, find_node, install_amplify_js

JS_DIR = Path(__file__).resolve().parent / "js"

__all__ = ["app_script", "bundle", "AppServer"]


def bundle(entry: str, *, fmt: str = "iife") -> Path:
    """``js/<entry>`` and the modules beside it bundled into one browser script, rebuilt when a source changes."""
    install_dir = install_amplify_js(js_dir=JS_DIR)
    sources = {path.name: path.read_bytes() for path in sorted(JS_DIR.glob("*.mjs"))}
    digest = hashlib.sha256(b"".join(name.encode() + b"\0" + body for name, body in sources.items())).hexdigest()[:12]
    stem = f"{Path(entry).stem}-{fmt}-{digest}"
    out = install_dir / "bundles" / f"{stem}.js"
    with open(install_dir / "bundle.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if out.is_file():
            return out
        work = install_dir / f"src-{stem}"  # below node_modules' folder, so bare imports resolve
        work.mkdir(exist_ok=True)
        for name, body in sources.items():
            (work / name).write_bytes(body)
        esbuild = install_dir / "node_modules" / "esbuild" / "bin" / "esbuild"
        done = subprocess.run([find_node(), str(esbuild), entry, "--bundle", f"--format={fmt}", "--platform=browser",
                               "--target=chrome120", f"--outfile={out}", "--log-level=warning"],
                              cwd=work, capture_output=True, text=True, timeout=120)
        if done.returncode != 0 or not out.is_file():
            raise JsToolchainError(f"esbuild could not bundle {entry} ({done.returncode}):\n{done.stderr[-4000:]}")
    return out


def app_script() -> Path:
    """js/app.mjs bundled into one browser script (IIFE)."""
    return bundle("app.mjs")


class AppServer:
    """The app on http://localhost:<port>/: every path is the page (callback and sign-out URLs included)."""

    def __init__(self, script: Path, outputs: dict[str, Any], port: int) -> None:
        page = (JS_DIR / "index.html").read_text().replace("/*OUTPUTS*/null", json.dumps(outputs))
        body, js = page.encode(), script.read_bytes()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                data, kind = (js, "text/javascript") if self.path.split("?")[0] == "/app.js" else (body, "text/html")
                self.send_response(200)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://localhost:{self.port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, name="browser-test-app", daemon=True)

    def __enter__(self) -> "AppServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
