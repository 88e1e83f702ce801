"""The background engine that ``ampy sandbox --once`` leaves serving: start it, find it, stop it.

It is ``python -m amplify_py local serve`` on a state folder, started in its own
session so it outlives the command. Its pid and port are recorded in
``server.json`` in that folder and its output goes to ``server.log`` there;
``ampy sandbox stop`` ends it, and the next ``ampy sandbox`` replaces it.
A server is never left running unrecorded: if starting it fails or is
interrupted, it is killed. A server that is told to stop (SIGTERM, SIGINT)
logs why and removes its own record on the way out (``local serve`` calls
:func:`log_stop` and :func:`forget_server`).

:func:`server_status` is the one place that looks for the server: serving (its
record), stopped (why, when, and the end of its log: :class:`StoppedServer`),
or never started; :func:`not_running_message` is what a command says then.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from amplify_py.errors import AmpyUserError

__all__ = [
    "CONSOLE_TOKEN_ENV",
    "DEFAULT_PORT",
    "LISTENING",
    "LOCAL_HOST",
    "STOP_MARK",
    "ServerInfo",
    "StoppedServer",
    "forget_server",
    "log_stop",
    "not_running_message",
    "managed_login_port",
    "read_server_info",
    "require_free_port",
    "server_command",
    "server_status",
    "start_detached_server",
    "stop_detached_server",
]

DEFAULT_PORT = 9325
#: The environment variable ``local serve`` takes its console token from (as JUPYTER_TOKEN does for Jupyter).
CONSOLE_TOKEN_ENV = "AMPY_CONSOLE_TOKEN"
LOCAL_HOST = "127.0.0.1"
_SERVER_FILE = "server.json"
_SERVER_LOG = "server.log"
_START_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 10.0
#: What the server's last log line starts with when it stopped because it was told to.
STOP_MARK = "Local engine stopping: "


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
    console_token: str = ""  # records written before the console had none

    @property
    def console_url(self) -> str | None:
        """The local console's address with its token (None for a server recorded without one)."""
        from amplify_py.local import console_address

        return console_address(self.endpoint, self.console_token) if self.console_token else None


def server_command(state_dir: Path, host: str, port: int) -> list[str]:
    """The detached server: ampy's own ``local serve`` on the sandbox's state."""
    return [
        sys.executable, "-m", "amplify_py", "local", "serve",
        "--state-dir", str(state_dir), "--host", host, "--port", str(port),
    ]


def read_server_info(state_dir: Path) -> ServerInfo | None:
    """The recorded detached server, if one is recorded and still alive."""
    path = state_dir / _SERVER_FILE
    info = _load_record(state_dir)
    if info is None:
        return None
    if not _alive(info.pid):
        path.unlink(missing_ok=True)
        return None
    return info


@dataclass(frozen=True)
class StoppedServer:
    """A background engine that is not serving: its stale record (if it left one), why, and its log's end."""

    info: ServerInfo | None
    reason: str
    last_log_at: float | None
    log_tail: str


def _load_record(state_dir: Path) -> ServerInfo | None:
    try:
        return ServerInfo(**json.loads((state_dir / _SERVER_FILE).read_text(encoding="utf-8")))
    except (FileNotFoundError, json.JSONDecodeError, TypeError):
        return None


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def server_status(state_dir: Path, *, endpoint: str | None = None) -> ServerInfo | StoppedServer | None:
    """The background engine of ``state_dir``: its record while it serves, why it stopped, or None.

    A record whose process has exited, or whose port refuses connections, is a stopped server; so is a
    log that ends with the server's own stop line (it removed its record on the way out), unless something
    answers at ``endpoint`` (the deployment's: a sandbox in watch mode serves the state without a record).
    """
    info = _load_record(state_dir)
    log_path = state_dir / _SERVER_LOG
    tail = _log_tail(log_path, 5)
    try:
        last_log_at: float | None = log_path.stat().st_mtime
    except OSError:
        last_log_at = None
    last_line = tail.splitlines()[-1] if tail else ""
    if info is not None:
        if not _alive(info.pid):
            reason = last_line[len(STOP_MARK):] if last_line.startswith(STOP_MARK) else \
                f"its process (pid {info.pid}) has exited"
            return StoppedServer(info, reason, last_log_at, tail)
        if not _is_engine_server(info.pid, state_dir):
            return StoppedServer(info, f"pid {info.pid} now belongs to another process", last_log_at, tail)
        if not _answers(info.host, info.port):
            return StoppedServer(info, f"pid {info.pid} is running but port {info.port} refuses connections",
                                 last_log_at, tail)
        return info
    if last_line.startswith(STOP_MARK) and not (endpoint and _endpoint_answers(endpoint)):
        return StoppedServer(None, last_line[len(STOP_MARK):], last_log_at, tail)
    return None


def _endpoint_answers(endpoint: str) -> bool:
    url = urlsplit(endpoint)
    return bool(url.hostname and url.port) and _answers(url.hostname or "", url.port or 0)


def not_running_message(stopped: StoppedServer, sandbox: str, restart_command: str) -> str:
    """What a command says when it finds the engine stopped: when, why, the log's last lines, how to restart."""
    when = datetime.fromtimestamp(stopped.last_log_at).strftime("%Y-%m-%d %H:%M:%S") if stopped.last_log_at else "?"
    clean = stopped.reason.startswith("received ")
    why = f"it stopped at {when}: {stopped.reason}" if clean else f"{stopped.reason}; its log was last written at {when}"
    lines = "\n".join(f"    {line}" for line in stopped.log_tail.splitlines()) or "    (the log is empty)"
    return (f"The local engine for sandbox {sandbox} is not running ({why}; last log lines:\n{lines}\n). "
            f"Run `{restart_command}` to start it again.")


def log_stop(reason: str) -> str:
    """The line a stopping server writes to its log (``server.log`` is its output): ``STOP_MARK`` + why."""
    return f"{STOP_MARK}{reason}"


def forget_server(state_dir: Path, pid: int) -> bool:
    """Remove ``server.json`` if it records ``pid`` (a server on its way out removes only its own record)."""
    info = _load_record(state_dir)
    if info is None or info.pid != pid:
        return False
    (state_dir / _SERVER_FILE).unlink(missing_ok=True)
    return True


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


LISTENING = "Local engine listening on"
"""How ``ampy local serve`` announces it serves (the start of its line; the detached start waits for it)."""


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
    # A new console token per start (unless the caller set its own), handed over in the environment (a
    # command line is visible to every user of the machine) and kept in server.json, which, like the log
    # that prints it, only we can read.
    token = env[CONSOLE_TOKEN_ENV] = env.get(CONSOLE_TOKEN_ENV) or secrets.token_urlsafe(32)
    log_path = state_dir / _SERVER_LOG
    with open(os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab") as log:
        os.chmod(log_path, 0o600)  # a log from before the console may have been readable by all
        log_start = os.fstat(log.fileno()).st_size
        proc = subprocess.Popen(
            server_command(state_dir, host, port), cwd=state_dir, env=env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    endpoint = f"http://{host}:{port}"
    try:
        _wait_until_serving(proc, endpoint, log_path, log_start)
    except BaseException:  # Ctrl-C included: an unrecorded server would keep the port with no way to stop it
        proc.kill()
        proc.wait()
        raise
    info = ServerInfo(pid=proc.pid, host=host, port=port, endpoint=endpoint,
                      state_dir=str(state_dir), started_at=time.time(), console_token=token)
    record = os.open(state_dir / _SERVER_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(record, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(info), indent=2))
    os.chmod(state_dir / _SERVER_FILE, 0o600)
    return info


def _wait_until_serving(proc: subprocess.Popen, endpoint: str, log_path: Path, log_start: int) -> None:
    """Until the server answers HTTP and its log (from ``log_start``, this start's part) says it listens: a
    worker may answer a moment before the server logs that line, and whoever reads the log must find it."""
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
            if LISTENING.encode() in _read_from(log_path, log_start):
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AmpyUserError(
                "LocalEngineStartError",
                f"The local engine server did not answer on {endpoint} within {_START_TIMEOUT_S:.0f} s.",
                f"See its log at {log_path}.",
                details=_log_tail(log_path) or None,
            ) from None
        time.sleep(0.05)


def _read_from(path: Path, offset: int) -> bytes:
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            return fh.read()
    except OSError:
        return b""


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
