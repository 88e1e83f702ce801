"""The background engine that ``ampy sandbox --once`` leaves serving: start it, find it, stop it.

It is ``python -m amplify_py local serve`` on a state folder, started in its own
session so it outlives the command. Its pid and port are recorded in
``server.json`` in that folder and its output goes to ``server.log`` there;
``ampy sandbox stop`` ends it, and the next ``ampy sandbox`` replaces it.
A server is never left running unrecorded: if starting it fails or is
interrupted, it is killed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from amplify_py.errors import AmpyUserError

__all__ = [
    "DEFAULT_PORT",
    "LOCAL_HOST",
    "ServerInfo",
    "managed_login_port",
    "read_server_info",
    "require_free_port",
    "server_command",
    "start_detached_server",
    "stop_detached_server",
]

DEFAULT_PORT = 9325
LOCAL_HOST = "127.0.0.1"
_SERVER_FILE = "server.json"
_SERVER_LOG = "server.log"
_START_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 10.0


def managed_login_port(port: int) -> int | None:
    """Where an engine on ``port`` serves managed login over HTTPS: the next port (9326 next to the default
    9325). None for port 0, an engine that only reads or writes state and never serves."""
    return port + 1 if port else None


@dataclass(frozen=True)
class ServerInfo:
    """A detached engine server, as recorded in ``server.json``."""

    pid: int
    host: str
    port: int
    endpoint: str
    state_dir: str
    started_at: float


def server_command(state_dir: Path, host: str, port: int) -> list[str]:
    """The detached server: ampy's own ``local serve`` on the sandbox's state."""
    return [
        sys.executable, "-m", "amplify_py", "local", "serve",
        "--state-dir", str(state_dir), "--host", host, "--port", str(port),
    ]


def read_server_info(state_dir: Path) -> ServerInfo | None:
    """The recorded detached server, if one is recorded and still alive."""
    path = state_dir / _SERVER_FILE
    try:
        info = ServerInfo(**json.loads(path.read_text(encoding="utf-8")))
    except (FileNotFoundError, json.JSONDecodeError, TypeError):
        return None
    if not _alive(info.pid):
        path.unlink(missing_ok=True)
        return None
    return info


def _alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is our own finished child
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _is_engine_server(pid: int, state_dir: Path) -> bool:
    """Guard against a recycled pid: the process must be `local serve` on this state folder."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc (macOS): trust the pid file
    args = [a.decode(errors="replace") for a in cmdline]
    return "serve" in args and str(state_dir) in args


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def require_free_port(host: str, port: int) -> None:
    """Fail with a fix (stop the other sandbox, or pick another port) when ``port`` is taken."""
    if not _port_free(host, port):
        raise AmpyUserError(
            "PortInUseError",
            f"Port {port} on {host} is already in use, so the local engine cannot serve there.",
            f"Stop the process that uses port {port} (another sandbox? `ampy sandbox stop --identifier NAME`), "
            "or choose another port with `ampy sandbox --port N`.",
        )


def _log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


def start_detached_server(state_dir: Path, *, host: str = LOCAL_HOST, port: int = DEFAULT_PORT) -> ServerInfo:
    """Start ``local serve`` in its own session, wait until it answers HTTP, record it."""
    require_free_port(host, port)
    state_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_root(), env.get("PYTHONPATH", "")) if p)
    log_path = state_dir / _SERVER_LOG
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            server_command(state_dir, host, port), cwd=state_dir, env=env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    endpoint = f"http://{host}:{port}"
    try:
        _wait_until_serving(proc, endpoint, log_path)
    except BaseException:  # Ctrl-C included: an unrecorded server would keep the port with no way to stop it
        proc.kill()
        proc.wait()
        raise
    info = ServerInfo(pid=proc.pid, host=host, port=port, endpoint=endpoint,
                      state_dir=str(state_dir), started_at=time.time())
    (state_dir / _SERVER_FILE).write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
    return info


def _wait_until_serving(proc: subprocess.Popen, endpoint: str, log_path: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while True:
        code = proc.poll()
        if code is not None:
            raise AmpyUserError(
                "LocalEngineStartError",
                f"The local engine server exited with code {code} before serving on {endpoint}.",
                f"See its log at {log_path}; re-run with --debug for details.",
                details=_log_tail(log_path) or None,
            )
        try:
            httpx.get(endpoint + "/", timeout=0.5)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise AmpyUserError(
                    "LocalEngineStartError",
                    f"The local engine server did not answer on {endpoint} within {_START_TIMEOUT_S:.0f} s.",
                    f"See its log at {log_path}.",
                    details=_log_tail(log_path) or None,
                ) from None
            time.sleep(0.05)


def stop_detached_server(state_dir: Path) -> ServerInfo | None:
    """End the recorded detached server (SIGTERM, then SIGKILL); returns what was stopped."""
    info = read_server_info(state_dir)
    (state_dir / _SERVER_FILE).unlink(missing_ok=True)
    if info is None or not _is_engine_server(info.pid, state_dir):
        return None
    for sig, wait in ((signal.SIGTERM, _STOP_TIMEOUT_S), (signal.SIGKILL, 5.0)):
        try:
            os.kill(info.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while _alive(info.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not _alive(info.pid):
            break
    # The main thread can be a zombie while the server thread still holds the socket: wait for the port.
    deadline = time.monotonic() + 5.0
    while not _port_free(info.host, info.port) and time.monotonic() < deadline:
        time.sleep(0.05)
    return info
