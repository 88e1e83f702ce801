"""The real aws-amplify JS library for the e2e tests: installed once per machine, driven over a pipe.

Node and npm come from PATH (Node 20 or newer: aws-amplify v6 needs the global
`fetch` and `crypto` that Node 20 has). The venv's Node 22 is only the CDK's jsii
runtime and ships without npm, so the tests use the toolchain a user's project would.
aws-amplify is installed with `npm ci` from tests/e2e/js/package-lock.json into a
cache folder outside the repository, keyed by the lock file's hash, and reused.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

JS_DIR = Path(__file__).resolve().parent / "js"
MIN_NODE_MAJOR = 20
AMPLIFY_JS_VERSION = json.loads((JS_DIR / "package.json").read_text())["dependencies"]["aws-amplify"]


class JsToolchainError(RuntimeError):
    """Node or npm is missing or too old, or npm could not install aws-amplify."""


def cache_root() -> Path:
    """Where installs live: $AMPLIFY_PY_E2E_JS_CACHE, else ~/.cache/amplify-py/e2e-js (XDG aware)."""
    override = os.environ.get("AMPLIFY_PY_E2E_JS_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "amplify-py" / "e2e-js"


def find_node() -> str:
    """Node from PATH, checked for the major version aws-amplify v6 needs."""
    node = shutil.which("node")
    if node is None:
        raise JsToolchainError("node is not on PATH; the e2e tests need Node.js 20 or newer with npm")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    match = re.fullmatch(r"v(\d+)\..*", version)
    if match is None or int(match.group(1)) < MIN_NODE_MAJOR:
        raise JsToolchainError(f"{node} is {version}; the e2e tests need Node.js {MIN_NODE_MAJOR} or newer")
    return node


def find_npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise JsToolchainError("npm is not on PATH; the e2e tests install aws-amplify with it")
    return npm


def install_amplify_js(root: Path | None = None, js_dir: Path = JS_DIR) -> Path:
    """Install aws-amplify (exact version, from the committed lock file in ``js_dir``) once; return its folder.

    Safe under pytest-xdist: a file lock serializes workers, and an install is
    built in a temporary folder and renamed into place only when complete.
    """
    root = root or cache_root()
    lock_bytes = (js_dir / "package-lock.json").read_bytes()
    version = json.loads((js_dir / "package.json").read_text())["dependencies"]["aws-amplify"]
    key = f"aws-amplify-{version}-{hashlib.sha256(lock_bytes).hexdigest()[:12]}"
    target = root / key
    marker = target / "node_modules" / "aws-amplify" / "package.json"
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file():
            return target
        npm = find_npm()
        work = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=root))
        try:
            shutil.copy2(js_dir / "package.json", work / "package.json")
            shutil.copy2(js_dir / "package-lock.json", work / "package-lock.json")
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                cwd=work,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if done.returncode != 0:
                raise JsToolchainError(
                    f"npm ci of aws-amplify@{version} failed ({done.returncode}):\n{done.stderr[-4000:]}"
                )
            if target.exists():
                shutil.rmtree(target)
            work.rename(target)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
    return target


def stage_driver(install_dir: Path, into: Path) -> Path:
    """Copy the driver next to a node_modules link, so its bare imports resolve to the cached install."""
    into.mkdir(parents=True, exist_ok=True)
    link = into / "node_modules"
    if not link.exists():
        link.symlink_to(install_dir / "node_modules", target_is_directory=True)
    (into / "package.json").write_text(json.dumps({"private": True, "type": "module"}))
    driver = into / "driver.mjs"
    shutil.copy2(JS_DIR / "driver.mjs", driver)
    return driver


class AmplifyJsError(Exception):
    """An aws-amplify call that failed: the library's error, with the wire exchanges attached."""

    def __init__(self, api: str, error: dict[str, Any], wire: list[dict[str, Any]]) -> None:
        self.api = api
        self.name: str = error.get("name") or ""
        self.message: str = error.get("message") or ""
        self.error = error
        self.wire = wire
        super().__init__(f"{api}: {self.name}: {self.message}\nwire: {json.dumps(wire, indent=1)[:6000]}")


class AmplifyJs:
    """One Node process running the driver: a live Amplify singleton the tests call into."""

    def __init__(self, node: str, driver: Path) -> None:
        self._process = subprocess.Popen(
            [node, str(driver)],
            cwd=driver.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._next_id = 0
        self.last_wire: list[dict[str, Any]] = []

    def _request(self, op: str, **fields: Any) -> dict[str, Any]:
        self._next_id += 1
        request = {"id": self._next_id, "op": op, **fields}
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            stderr = self._process.stderr.read() if self._process.stderr else ""
            raise RuntimeError(f"the aws-amplify driver exited ({self._process.poll()}):\n{stderr[-4000:]}")
        reply = json.loads(line)
        assert reply["id"] == self._next_id, reply
        self.last_wire = reply["wire"]
        return reply

    def configure(self, outputs_path: Path) -> dict[str, Any]:
        reply = self._request("configure", outputs=str(outputs_path))
        if not reply["ok"]:
            raise AmplifyJsError("configure", reply["error"], reply["wire"])
        return reply["result"]

    def call(self, api: str, input: dict[str, Any] | None = None) -> Any:
        """Call `aws-amplify/auth`'s `api(input)`; its result as JSON, or AmplifyJsError."""
        reply = self._request("call", api=api, input=input)
        if not reply["ok"]:
            raise AmplifyJsError(api, reply["error"], reply["wire"])
        return reply["result"]

    def tokens(self) -> dict[str, str]:
        """The token store's raw contents (keys as aws-amplify names them)."""
        return self._request("tokens")["result"]

    def refresh_token(self) -> str:
        (token,) = [v for k, v in self.tokens().items() if k.endswith(".refreshToken")]
        return token

    def targets(self) -> list[str]:
        """The X-Amz-Target operations the last call sent, in order."""
        return [exchange["target"].rsplit(".", 1)[-1] for exchange in self.last_wire if exchange["target"]]

    def close(self) -> None:
        if self._process.stdin:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)
        for stream in (self._process.stdout, self._process.stderr):
            if stream:
                stream.close()


@contextlib.contextmanager
def amplify_js(node: str, driver: Path, outputs_path: Path) -> Iterator[AmplifyJs]:
    js = AmplifyJs(node, driver)
    try:
        js.configure(outputs_path)
        yield js
    finally:
        js.close()
