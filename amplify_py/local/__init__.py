"""The local engine: a Cognito-compatible user pool service on 127.0.0.1.

``LocalEngine`` deploys pools from a synthesized CloudFormation template and
serves Cognito's wire protocol in a background thread, so boto3, aws-amplify
and ``amplify_py.auth`` work against it unchanged (pointed at ``endpoint``).
State lives in SQLite under ``state_dir``; codes go to ``state_dir/outbox.jsonl``.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any, Callable

from amplify_py.local.core import Core, TriggerInvoker
from amplify_py.local.outbox import Outbox, read_outbox
from amplify_py.local.pools import DeployResult
from amplify_py.local.pools import delete as _delete
from amplify_py.local.pools import deploy as _deploy
from amplify_py.local.store import Store

__all__ = ["LocalEngine", "DeployResult", "read_outbox"]


class LocalEngine:
    """Start, deploy to, and stop a local Cognito-compatible engine."""

    def __init__(
        self,
        state_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        on_message: Callable[[dict], None] | None = None,
        clock: Callable[[], float] = time.time,
        trigger_invoker: TriggerInvoker | None = None,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.region = region
        self._requested_port = port
        self.outbox_path = self.state_dir / "outbox.jsonl"
        self._store = Store(self.state_dir / "engine.sqlite3")
        self.core = Core(self._store, Outbox(self.outbox_path, on_message), region=region, clock=clock,
                         trigger_invoker=trigger_invoker)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the engine is not started")
        return self._port

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "LocalEngine":
        """Serve in a background thread; returns once the port accepts connections."""
        import uvicorn

        from amplify_py.local.server import create_app

        if self._thread is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self._port = sock.getsockname()[1]
        self.core.endpoint = self.endpoint
        config = uvicorn.Config(create_app(self.core), log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="amplify-local-engine", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the local engine did not start on {self.host}:{self._port}")
            time.sleep(0.01)
        return self

    def deploy(self, deployment_id: str, template: dict) -> DeployResult:
        """Create or update the deployment's pools from a CloudFormation template dict (safe while serving)."""
        with self._store.lock:
            return _deploy(self._store, deployment_id, template, self.region, self.core.now())

    def delete(self, deployment_id: str) -> None:
        """Remove the deployment's pools and all their users, codes, sessions and tokens."""
        with self._store.lock:
            _delete(self._store, deployment_id)

    def messages(self) -> list[dict]:
        """Everything delivered to the outbox so far."""
        return read_outbox(self.outbox_path)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None
        self._server = None
        self._store.close()

    def __enter__(self) -> "LocalEngine":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
