"""The local engine: a Cognito-compatible user pool service on 127.0.0.1.

``LocalEngine`` deploys pools from a synthesized CloudFormation template and
serves Cognito's wire protocol in a background thread, so boto3, aws-amplify
and ``amplify_py.auth`` work against it unchanged (pointed at ``endpoint``).
State lives in SQLite under ``state_dir``; codes go to ``state_dir/outbox.jsonl``. IAM-authorized
operations (``Admin*``, ``ListUsers``...) must be signed with ``credentials``, the state folder's own key pair
(``state_dir/credentials.json``): ``boto3.client("cognito-idp", endpoint_url=engine.endpoint,
**engine.credentials.boto3_kwargs())``.

With ``managed_login_port``, pools with a domain also get managed login and the OAuth 2.0 endpoints on
``https://localhost:<that port>`` (certificate signed by the machine's local CA, see ``certificates``).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from amplify_py.local.context import EngineContext, LogCallback, TriggerInvoker
from amplify_py.local.credentials import CREDENTIALS_FILE, LocalCredentials, load_or_create_credentials, read_credentials
from amplify_py.local.deployer import DeployPlan, DeployResult, ReplacementRefused, ResourceChange
from amplify_py.local.deployer import delete as _delete
from amplify_py.local.deployer import deploy as _deploy
from amplify_py.local.deployer import plan as _plan
from amplify_py.local.clock import SharedClock
from amplify_py.local.model.pool import DOMAIN
from amplify_py.local.outbox import OUTBOX_FILE, Outbox, read_outbox
from amplify_py.local.rules.directory import index_older_users
from amplify_py.local.engine_triggers import TRIGGERS_KEY as _TRIGGERS_KEY
from amplify_py.local.engine_triggers import TriggerRunners
from amplify_py.local.store import Store
from amplify_py.local.workers import WORKERS_ENV, WorkerPool

if TYPE_CHECKING:
    from amplify_py.local.http.limits import Limits

__all__ = ["LocalEngine", "DeployPlan", "DeployResult", "ReplacementRefused", "ResourceChange", "TriggerInvoker",
           "LogCallback", "read_outbox", "console_address", "LocalCredentials", "read_credentials",
           "CREDENTIALS_FILE"]



class LocalEngine(TriggerRunners):
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
        on_log: LogCallback | None = None,
        workers: int | None = None,
        console_token: str | None = None,
        managed_login_port: int | None = None,
        ca_dir: Path | None = None,
    ) -> None:
        """``trigger_invoker`` serves deployments without their own (see ``deploy``); ``on_log(source, line)``
        receives trigger failures and, for invokers the engine builds, every line the functions log.
        ``console_token`` opens the local console (``/_console/``); by default a new random one per engine.
        ``managed_login_port`` (0: any free; None: off): managed login on HTTPS for pools with a domain, its
        certificate from the CA in ``ca_dir`` (default: the machine's); served by this process.
        ``workers``: processes that serve the API (default 1, or ``AMPLIFY_LOCAL_WORKERS``; see ``workers.py``)."""
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.region = region
        self._requested_port = port
        self.outbox_path = self.state_dir / OUTBOX_FILE
        self._store = Store(self.state_dir / "engine.sqlite3")
        self.credentials: LocalCredentials = load_or_create_credentials(self.state_dir, region)  # for signed calls
        self.context = EngineContext(self._store, Outbox(self.outbox_path, on_message), region=region, clock=clock,
                                     trigger_invoker=trigger_invoker, on_log=on_log, credentials=self.credentials)
        self.context.console_token = console_token or secrets.token_urlsafe(32)
        index_older_users(self.context)  # a state folder from before ListUsers searched in SQL
        self.workers = _worker_count(workers, clock, trigger_invoker)
        self._clock = clock
        self._pool: WorkerPool | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        from amplify_py.local.http.serving import ManagedLogin

        self.managed_login = ManagedLogin(self.context, host, managed_login_port, ca_dir=ca_dir,
                                          tls_dir=self.state_dir / "tls")

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the engine is not started")
        return self._port

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"


    @property
    def console_token(self) -> str:
        """The token the local console asks for (like a notebook server's): in its address, then a cookie."""
        return self.context.console_token

    @property
    def console_url(self) -> str:
        """The console's address with its token, as ``ampy sandbox`` prints it (on loopback: the console
        answers nothing else, even when the engine listens on every interface)."""
        endpoint = f"http://127.0.0.1:{self.port}" if self.host in ("0.0.0.0", "::", "") else self.endpoint
        return console_address(endpoint, self.console_token)

    @property
    def managed_login_domain(self) -> str | None:
        """``auth.oauth.domain`` in amplify_outputs.json: ``localhost:<managed login's port>``."""
        return self.managed_login.domain

    @property
    def ca_certificate(self) -> Path:
        """The local CA's certificate, which managed login's HTTPS certificate chains to."""
        return self.managed_login.ca_certificate

    def start(self, *, http: str = "httptools", loop: str = "uvloop", limits: "Limits | None" = None) -> "LocalEngine":
        """Serve in a background thread; returns once the port accepts connections (and managed login's HTTPS
        port too, when a pool has a domain).

        ``http`` is uvicorn's parser (``httptools``, the default, or ``h11``) and ``loop`` its event loop
        (``uvloop``, the default, or ``asyncio``): dependencies, named, not picked by what is installed.
        ``limits`` bounds each request (size and time; ``http.limits.Limits``). Whatever the choice, every
        request gets an HTTP answer (see ``http/protocols.py`` and ``http/guard.py``)."""
        import uvicorn

        from amplify_py.local.http.server import server_config

        if self._thread is not None:
            return self
        self.managed_login.serve_if_needed()  # first: once the API answers, managed login does too
        # Responses must not wait for Nagle (~40 ms behind the client's delayed ACK). uvloop turns on TCP_NODELAY
        # on every TCP connection it accepts; asyncio only when the listening socket says it is TCP (proto), so
        # it does. tests/engine/test_fidelity.py checks the accepted socket itself.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self._port = sock.getsockname()[1]
        self.context.endpoint = self.endpoint
        if self.workers > 1:
            self._pool = _start_workers(self, sock, http, loop, limits)
            self._thread = threading.current_thread()  # started: a second start() returns at once
            return self
        self._server = uvicorn.Server(server_config(self.context, http=http, loop=loop, limits=limits))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="amplify-local-engine", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the local engine did not start on {self.host}:{self._port}")
            time.sleep(0.01)
        return self

    def plan(self, deployment_id: str, template: dict) -> DeployPlan:
        """What deploying ``template`` would replace or delete, and the users and identities in those (no change)."""
        with self._store.lock:
            return _plan(self._store, deployment_id, template, self.region)

    def deploy(self, deployment_id: str, template: dict, *, assembly_dir: Path | None = None,
               trigger_invoker: TriggerInvoker | None = None, allow_replacement: bool = False) -> DeployResult:
        """Create or update the deployment's pools from a CloudFormation template dict (safe while serving).

        A template that would delete users or identities (a replaced or removed pool that has some) raises
        :class:`ReplacementRefused` with the plan and changes nothing, unless ``allow_replacement``.

        Triggers: with ``assembly_dir`` (the cloud assembly the template came from) the engine runs the
        template's Python functions itself, each in a warm process (a redeploy keeps unchanged workers warm
        and restarts changed ones); or pass a ready ``trigger_invoker`` for this deployment. Without either,
        the deployment keeps the invoker it had, else the constructor's.
        """
        with self._store.lock:
            result = _deploy(self._store, deployment_id, template, self.region, self.context.now(),
                             allow_replacement=allow_replacement)
        if self._thread is not None:  # serving: a pool's first domain opens the HTTPS port
            self.managed_login.serve_if_needed()
        if assembly_dir is not None:
            # Remembered so a restarted engine (``ampy local serve`` behind ``ampy sandbox --once``) runs them too.
            self._store.set_meta(_TRIGGERS_KEY + deployment_id,
                                 json.dumps({"template": template, "assembly_dir": str(assembly_dir)}))
            self._store.touch_config()  # the workers of a multi-process engine build their own runners
            trigger_invoker = self._invoker_from_template(deployment_id, template, Path(assembly_dir),
                                                          result.physical_ids)
        if trigger_invoker is not None:
            self._set_invoker(deployment_id, trigger_invoker, built=assembly_dir is not None)
        return result

    def delete(self, deployment_id: str) -> None:
        """Remove the deployment's pools and all their users, codes, sessions and tokens; stop its functions."""
        with self._store.lock:
            _delete(self._store, deployment_id)
            self._store.delete_meta(_TRIGGERS_KEY + deployment_id)
            self._store.touch_config()
        self.set_trigger_invoker(deployment_id, None)

    def messages(self) -> list[dict]:
        """Everything delivered to the outbox so far."""
        return read_outbox(self.outbox_path)

    def stop(self) -> None:
        self.managed_login.stop()
        if self._pool is not None:
            self._pool.stop()
            self._pool = None
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self._thread = None
        self._server = None
        for deployment_id in list(self.context.invokers):
            self.set_trigger_invoker(deployment_id, None)
        self._store.close()

    def __enter__(self) -> "LocalEngine":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _start_workers(engine: LocalEngine, sock: socket.socket, http: str, loop: str, limits: "Limits | None") -> WorkerPool:
    clock = engine._clock
    pool = WorkerPool(engine, sock, engine.workers, http=http, loop=loop, limits=limits,
                      clock_path=str(clock.path) if isinstance(clock, SharedClock) else None)
    pool.start()
    return pool


def _worker_count(asked: int | None, clock: Callable[[], float], invoker: TriggerInvoker | None) -> int:
    """The processes to serve with: as asked; else ``AMPLIFY_LOCAL_WORKERS`` if this engine can use several."""
    shareable = (clock is time.time or isinstance(clock, SharedClock)) and invoker is None
    if asked is not None:
        if asked < 1:
            raise ValueError(f"workers must be at least 1, not {asked}")
        if asked > 1 and not shareable:
            raise ValueError("a multi-process engine needs time.time or a SharedClock, and no trigger_invoker "
                             "callable (other processes cannot call it); use workers=1")
        return asked
    from_env = os.environ.get(WORKERS_ENV, "")
    return max(1, int(from_env)) if from_env.isdigit() and shareable else 1


def console_address(endpoint: str, token: str) -> str:
    """``<endpoint>/_console/?token=<token>``: opening it once lets that browser in (a cookie keeps it)."""
    return f"{endpoint}/_console/?token={token}"

