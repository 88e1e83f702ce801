"""The local deploy target: the synthesized template goes into the local engine.

Two ways to serve it:

* watch mode (``ampy sandbox``): the engine runs inside the sandbox process, so
  every message it sends is printed as it is sent and a redeploy is a function
  call on a warm engine;
* detached (``ampy sandbox --once``): the template is deployed into the
  engine's state (SQLite under the state folder), then ``python -m amplify_py
  local serve`` is started in its own session and keeps serving that state after
  the command exits. Its pid and port are recorded in ``server.json`` in the
  state folder; ``ampy sandbox stop`` ends it, and the next ``ampy sandbox``
  replaces it.

State lives in ``<project>/.amplify/sandbox/<identifier>/``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from amplify_py.deploy.deployment import Deployment
from amplify_py.errors import AmpyUserError

__all__ = [
    "DEFAULT_PORT",
    "LOCAL_HOST",
    "ServerInfo",
    "LocalDeployer",
    "sandbox_state_dir",
    "read_server_info",
    "start_detached_server",
    "stop_detached_server",
    "server_command",
]

DEFAULT_PORT = 9325
LOCAL_HOST = "127.0.0.1"
_SERVER_FILE = "server.json"
_SERVER_LOG = "server.log"
_START_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 10.0

EngineFactory = Callable[..., Any]


def sandbox_state_dir(project_dir: Path, identifier: str) -> Path:
    return project_dir / ".amplify" / "sandbox" / identifier


def _has_deployment_state(state_dir: Path) -> bool:
    """Whether a sandbox's state folder holds more than its secrets (something to delete)."""
    from amplify_py.sandbox.secrets import SECRETS_FILE

    return state_dir.is_dir() and any(child.name != SECRETS_FILE for child in state_dir.iterdir())


def _remove_state_keeping_secrets(state_dir: Path) -> None:
    """Delete a sandbox's local state except its secrets (``ampx sandbox delete`` keeps secrets too)."""
    from amplify_py.sandbox.secrets import SECRETS_FILE

    for child in state_dir.iterdir():
        if child.name == SECRETS_FILE:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    try:
        state_dir.rmdir()  # only when nothing was kept
    except OSError:
        pass


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


def _require_free_port(host: str, port: int) -> None:
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
    _require_free_port(host, port)
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


class LocalDeployer:
    """Deploys into the local engine; see the module docstring for the two modes."""

    target = "local"

    def __init__(
        self,
        project_dir: Path,
        identifier: str,
        stack_name: str,
        *,
        engine_factory: EngineFactory,
        port: int = DEFAULT_PORT,
        detached: bool = False,
        on_message: Callable[[dict[str, Any]], None] | None = None,
        on_note: Callable[[str], None] | None = None,
        on_log: Callable[[str, str], None] | None = None,
    ) -> None:
        self.project_dir = project_dir
        self.identifier = identifier
        self.stack_name = stack_name
        self.state_dir = sandbox_state_dir(project_dir, identifier)
        self.port = port
        self.detached = detached
        self._engine_factory = engine_factory
        self._on_message = on_message or (lambda _m: None)
        self._note = on_note or (lambda _t: None)
        self._on_log = on_log
        # The cloud assembly the synthesizer writes: trigger functions are run from it (and their live source).
        self.assembly_dir = self.state_dir / "cdk.out"
        self._engine: Any = None
        self.endpoint: str | None = None

    def _new_engine(self, port: int) -> Any:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        return self._engine_factory(self.state_dir, host=LOCAL_HOST, port=port, on_message=self._on_message,
                                    on_log=self._on_log)

    def _replace_detached(self) -> None:
        stopped = stop_detached_server(self.state_dir)
        if stopped is not None:
            self._note(f"Stopped the background engine (pid {stopped.pid}) on {stopped.endpoint}; replacing it.")

    def open(self) -> None:
        """Watch mode: start the engine in this process, on the fixed port."""
        if self.detached or self._engine is not None:
            return
        self._replace_detached()
        _require_free_port(LOCAL_HOST, self.port)
        engine = self._new_engine(self.port)
        engine.start()
        self._engine = engine
        self.endpoint = engine.endpoint

    def deploy(self, synth_result: Any) -> Deployment:
        template = synth_result.template
        if self.detached:
            self._replace_detached()
            _require_free_port(LOCAL_HOST, self.port)
            engine = self._new_engine(self.port)  # writes the pools into the state; the server then serves it
            try:
                result = engine.deploy(self.stack_name, template, assembly_dir=self.assembly_dir)
            finally:
                engine.stop()
            info = start_detached_server(self.state_dir, host=LOCAL_HOST, port=self.port)
            endpoint = info.endpoint
        else:
            self.open()
            result = self._engine.deploy(self.stack_name, template, assembly_dir=self.assembly_dir)
            endpoint = self._engine.endpoint
        self.endpoint = endpoint
        from amplify_py.outputs.convert import local_engine_custom
        from amplify_py.outputs.stack_outputs import resolve_stack_outputs

        stack_outputs = resolve_stack_outputs(template, result.physical_ids, result.region, stack_name=self.stack_name)
        return Deployment(
            target="local", stack_name=self.stack_name, region=result.region,
            stack_outputs=stack_outputs, custom=local_engine_custom(endpoint), endpoint=endpoint,
        )

    def delete(self) -> None:
        """Stop any server, delete the deployment from the engine, remove the state folder."""
        self.close()
        self._replace_detached()
        if _has_deployment_state(self.state_dir):
            engine = self._new_engine(0)
            try:
                engine.delete(self.stack_name)
            finally:
                engine.stop()
            _remove_state_keeping_secrets(self.state_dir)

    def close(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            engine.stop()
