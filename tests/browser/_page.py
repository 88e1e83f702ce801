"""The browser tier's app page: aws-amplify bundled for the browser with esbuild, served by the test.

Why a bundle: aws-amplify's ESM build imports dozens of bare package names (``tslib``, ``@smithy/*``,
``@aws-crypto/*``), some of them CommonJS; an import map would have to list and shim them all. esbuild (from
npm, one platform binary) turns ``js/app.mjs`` into one script in well under a second. Both packages are
installed with ``npm ci`` from ``js/package-lock.json`` into a cache folder outside the repository, keyed by
the lock file's hash (as the e2e tier installs aws-amplify), and the bundle is cached next to them.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.e2e._js import JsToolchainError, cache_root, find_node, find_npm

JS_DIR = Path(__file__).resolve().parent / "js"

__all__ = ["install", "bundle", "AppServer"]


def install(root: Path | None = None) -> Path:
    """``npm ci`` of js/package-lock.json once per machine (a file lock serializes pytest-xdist workers)."""
    root = root or cache_root()
    lock_bytes = (JS_DIR / "package-lock.json").read_bytes()
    key = f"browser-{hashlib.sha256(lock_bytes).hexdigest()[:12]}"
    target = root / key
    marker = target / "node_modules" / "esbuild" / "package.json"
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file():
            return target
        work = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=root))
        try:
            shutil.copy2(JS_DIR / "package.json", work / "package.json")
            shutil.copy2(JS_DIR / "package-lock.json", work / "package-lock.json")
            done = subprocess.run([find_npm(), "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                                  cwd=work, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                raise JsToolchainError(f"npm ci for the browser tests failed ({done.returncode}):\n{done.stderr[-4000:]}")
            if target.exists():
                shutil.rmtree(target)
            work.rename(target)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
    return target


def bundle(install_dir: Path) -> Path:
    """js/app.mjs bundled into one browser script (IIFE), rebuilt when the source changes."""
    source = (JS_DIR / "app.mjs").read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:12]
    out = install_dir / "bundles" / f"app-{digest}.js"
    with open(install_dir / "bundle.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if out.is_file():
            return out
        entry = install_dir / f"app-{digest}.mjs"  # beside node_modules, so bare imports resolve
        entry.write_bytes(source)
        esbuild = install_dir / "node_modules" / "esbuild" / "bin" / "esbuild"
        done = subprocess.run([find_node(), str(esbuild), entry.name, "--bundle", "--format=iife", "--platform=browser",
                               "--target=chrome120", f"--outfile={out}", "--log-level=warning"],
                              cwd=install_dir, capture_output=True, text=True, timeout=120)
        if done.returncode != 0 or not out.is_file():
            raise JsToolchainError(f"esbuild could not bundle app.mjs ({done.returncode}):\n{done.stderr[-4000:]}")
    return out


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
