"""A multi-process engine: several worker processes serve one listening socket over one SQLite database.

More than one worker needs what other processes can share: ``time.time`` or a ``SharedClock``, and triggers
run from a cloud assembly (``deploy(assembly_dir=...)``), not Python callables in the engine's process.

One engine process is one Python interpreter: one core at most. ``LocalEngine(workers=N)`` binds the port,
then starts N workers (``serve_worker`` in a new interpreter), each with its own store connection, context,
config cache and trigger runners, all accepting on the same socket. Correctness comes from SQLite, not from
a thread lock: every operation is one transaction (``database.Database.operation``), so codes stay single
use, lockout counts exact and a user name is taken once, whichever worker serves which request.

The parent keeps the socket and the database for deploys (a deploy moves the configuration generation; each
worker re-reads pools and rebuilds its trigger runners at its next request), relays what workers deliver
(``on_message``) and log (``on_log``) through one pipe per worker, restarts a worker that dies, and stops
them. A worker whose parent is gone (even killed with SIGKILL) sees its lifeline pipe close and exits, so the
port is free for the next engine.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable

from amplify_py.local.activity import _TARGET_MAX, RING_SIZE, Activity, RequestRecord, TriggerRun
from amplify_py.local.connection_balance import ABSENT, BalancedAcceptor, ConnectionBoard

if TYPE_CHECKING:
    from amplify_py.local import LocalEngine
    from amplify_py.local.http.limits import Limits

__all__ = ["WorkerPool", "default_workers", "serve_worker", "WORKERS_ENV"]

WORKERS_ENV = "AMPLIFY_LOCAL_WORKERS"
"""Overrides ``LocalEngine``'s default worker count (1): how the test suites run against a multi-process engine."""
_START_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 10.0
_TRIGGERS_KEY = "triggers:"
_BOARD_FILE = "connections.board"  # in the state folder: how many connections each worker holds
_WORKER_MAIN = "import json, sys; from amplify_py.local.workers import serve_worker; serve_worker(json.loads(sys.argv[1]))"


def default_workers() -> int:
    """What ``ampy local serve`` and the sandbox use: two processes where there are two cores, else one."""
    return max(1, min(2, os.cpu_count() or 1))


class WorkerPool:
    """The parent's side: start, relay, restart and stop the workers of one engine."""

    def __init__(self, engine: "LocalEngine", sock: socket.socket, count: int, *, http: str, loop: str,
                 limits: "Limits | None", clock_path: str | None) -> None:
        self._engine, self._sock, self.count = engine, sock, count
        self._settings = {"state_dir": str(engine.state_dir), "host": engine.host, "region": engine.region,
                          "endpoint": engine.endpoint, "http": http, "loop": loop, "clock": clock_path,
                          "limits": asdict(limits) if limits is not None else None, "fd": sock.fileno(),
                          "console_token": engine.console_token, "board": str(engine.state_dir / _BOARD_FILE),
                          "workers": count}
        self._board = ConnectionBoard.create(engine.state_dir / _BOARD_FILE, count)
        self._procs: dict[int, subprocess.Popen[bytes]] = {}
        self._lifelines: dict[int, int] = {}
        self._ready = threading.Semaphore(0)
        self._stopping = False

    @property
    def pids(self) -> list[int]:
        return [proc.pid for proc in self._procs.values()]

    def start(self) -> None:
        self._sock.listen(2048)  # now: connections wait in the backlog until a worker accepts (never refused)
        for index in range(self.count):
            self._spawn(index)
        deadline = time.monotonic() + _START_TIMEOUT_S
        for _ in range(self.count):
            if not self._ready.acquire(timeout=max(0.0, deadline - time.monotonic())):
                self.stop()
                raise RuntimeError(f"the local engine's workers did not start on {self._engine.endpoint}")
        for lifeline in self._lifelines.values():  # all are ready (set up to accept): they start together
            os.write(lifeline, b"g")

    def _spawn(self, index: int) -> None:
        events_read, events_write = os.pipe()
        lifeline_read, lifeline_write = os.pipe()
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        settings = {**self._settings, "events_fd": events_write, "slot": index}
        self._board.publish(index, ABSENT)  # until it serves: a dead worker's count must not attract connections
        proc = subprocess.Popen([sys.executable, "-c", _WORKER_MAIN, json.dumps(settings)],
                                stdin=lifeline_read, pass_fds=(self._sock.fileno(), events_write), env=env)
        os.close(events_write)
        os.close(lifeline_read)
        self._procs[index], self._lifelines[index] = proc, lifeline_write
        threading.Thread(target=self._relay, args=(index, proc, events_read), daemon=True,
                         name=f"amplify-local-worker-{index}").start()

    def _relay(self, index: int, proc: subprocess.Popen[bytes], events_read: int) -> None:
        """Hand the worker's events to the engine's callbacks; restart it if it dies while serving."""
        ctx = self._engine.context
        with os.fdopen(events_read, "rb") as events:
            for line in events:
                event = json.loads(line)
                if "message" in event and ctx.outbox.on_message is not None:
                    ctx.outbox.on_message(event["message"])
                elif "log" in event:
                    ctx.log(*event["log"])
                elif "ready" in event:
                    self._ready.release()
        code = proc.wait()
        if not self._stopping and self._procs.get(index) is proc:
            ctx.log("engine", f"Worker {index} (pid {proc.pid}) exited with code {code}; starting another.")
            os.close(self._lifelines.pop(index))
            self._spawn(index)
            self._ready.acquire(timeout=_START_TIMEOUT_S)
            os.write(self._lifelines[index], b"g")

    def stop(self) -> None:
        """Close each lifeline (the worker shuts down gracefully), then wait; SIGKILL what is left."""
        self._stopping = True
        for lifeline in self._lifelines.values():
            os.close(lifeline)
        self._lifelines.clear()
        deadline = time.monotonic() + _STOP_TIMEOUT_S
        for proc in self._procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()
        self._board.close()


# --- the worker's side ------------------------------------------------------------------------------------
class _SharedActivity(Activity):
    """The console's activity across workers: each worker appends its records to its own file in the state
    folder (one short write per request, no lock between processes), and reads the newest of every file."""

    _ROTATE_BYTES = 1 << 20

    def __init__(self, folder: Path, name: str) -> None:
        super().__init__()
        folder.mkdir(parents=True, exist_ok=True)
        self._folder, self._path = folder, folder / f"{name}.jsonl"
        self._file = open(self._path, "wb", buffering=0)
        self._lock = threading.Lock()

    def _append(self, record: list[Any]) -> None:
        with self._lock:
            self._file.write((json.dumps(record) + "\n").encode())
            if self._file.tell() > self._ROTATE_BYTES:  # keep the newest rings' worth, drop the rest
                kept = [json.dumps(["r", *r]) for r in reversed(super().requests())]
                kept += [json.dumps(["t", *t]) for t in reversed(super().trigger_runs())]
                self._file.close()
                self._path.write_text("".join(line + "\n" for line in kept))
                self._file = open(self._path, "ab", buffering=0)

    def record_request(self, at: float, target: str, outcome: str, ms: float) -> None:
        super().record_request(at, target, outcome, ms)
        self._append(["r", at, target[:_TARGET_MAX], outcome, ms])

    def record_trigger_run(self, at: float, trigger: str, source: str, pool_id: str, error: str | None,
                           ms: float) -> None:
        super().record_trigger_run(at, trigger, source, pool_id, error, ms)
        self._append(["t", at, trigger, source, pool_id, error, ms])

    def _read(self, kind: str) -> list[list[Any]]:
        rows = []
        for path in self._folder.glob("*.jsonl"):
            try:
                lines = path.read_bytes().splitlines()
            except OSError:
                continue
            for line in lines:
                try:
                    row = json.loads(line)
                except ValueError:  # a line being written
                    continue
                if row and row[0] == kind:
                    rows.append(row[1:])
        rows.sort(key=lambda row: row[0], reverse=True)
        return rows[:RING_SIZE]

    def requests(self) -> list[RequestRecord]:
        return [RequestRecord(*row) for row in self._read("r")]

    def trigger_runs(self) -> list[TriggerRun]:
        return [TriggerRun(*row) for row in self._read("t")]

    def close(self) -> None:
        self._file.close()
        self._path.unlink(missing_ok=True)


class _Events:
    """What a worker tells its parent, one JSON line each (a lock: threads of the worker share the pipe)."""

    def __init__(self, fd: int) -> None:
        self._fd, self._lock = fd, threading.Lock()

    def send(self, event: dict[str, Any]) -> None:
        data = (json.dumps(event) + "\n").encode()
        with self._lock:
            try:
                while data:
                    data = data[os.write(self._fd, data):]
            except OSError:  # the parent is gone (this worker is on its way out): nobody to tell
                pass

    def message(self, message: dict) -> None:
        self.send({"message": message})

    def log(self, source: str, line: str) -> None:
        self.send({"log": [source, line]})


def _sync_triggers(engine: "LocalEngine", seen: dict[str, str]) -> None:
    """Run each deployment's trigger functions as the store says (after a deploy, in any process)."""
    saved = {d: engine._store.get_meta(_TRIGGERS_KEY + d) for d in engine._store.deployments()}
    for deployment_id, text in saved.items():
        if text is not None and seen.get(deployment_id) != text:
            data = json.loads(text)
            physical_ids = {row.logical_id: row.physical_id for row in engine._store.resources(deployment_id)}
            engine._set_invoker(deployment_id, engine._invoker_from_template(
                deployment_id, data["template"], Path(data["assembly_dir"]), physical_ids), built=True)
            seen[deployment_id] = text
    for deployment_id in [d for d in seen if saved.get(d) is None]:
        engine.set_trigger_invoker(deployment_id, None)
        del seen[deployment_id]


def _watch_parent(server: Any, on_gone: Callable[[], None]) -> None:
    """Block until the parent closes our lifeline (stdin), or dies; then shut down (hard, if it hangs)."""
    try:
        while os.read(0, 1):
            pass
    except OSError:
        pass
    server.should_exit = True
    on_gone()
    time.sleep(_STOP_TIMEOUT_S / 2)
    os._exit(0)


def _worker_server_class() -> type:
    import asyncio

    import uvicorn

    class WorkerServer(uvicorn.Server):
        """uvicorn's server, accepting by the connection board's rule (``connection_balance``) and without its
        signal handling: a worker stops when its parent closes the lifeline."""

        def __init__(self, config: Any, board: ConnectionBoard, slot: int, await_go: Callable[[], bool]) -> None:
            super().__init__(config)
            self._board, self._slot, self._await_go = board, slot, await_go

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            """uvicorn's startup for one shared socket, with our acceptor in place of ``loop.create_server``."""
            assert sockets is not None and len(sockets) == 1
            await self.lifespan.startup()
            config, loop = self.config, asyncio.get_running_loop()

            def protocol(ended: Callable[[], None]) -> asyncio.Protocol:
                made = config.http_protocol_class(config=config, server_state=self.server_state,
                                                  app_state=self.lifespan.state)
                lost = made.connection_lost

                def connection_lost(exc: Exception | None) -> None:
                    ended()
                    lost(exc)

                made.connection_lost = connection_lost  # so the board's count drops when it closes
                return made

            async def connect(conn: socket.socket) -> None:
                counted = True

                def ended() -> None:  # once per connection, however it ends
                    nonlocal counted
                    if counted:
                        counted = False
                        acceptor.connection_ended()

                try:
                    await loop.connect_accepted_socket(lambda: protocol(ended), conn, ssl=config.ssl)
                except OSError:  # the client went away before its connection was set up
                    conn.close()
                    ended()

            connecting: set[asyncio.Task[None]] = set()

            def serve(conn: socket.socket) -> None:
                task = loop.create_task(connect(conn))
                connecting.add(task)  # a task nobody holds may be collected before it runs
                task.add_done_callback(connecting.discard)

            acceptor = BalancedAcceptor(sockets[0], self._board, self._slot, serve)
            self.servers = [acceptor]  # type: ignore[list-item]  (shutdown calls close and wait_closed)
            self.started = True
            if not self._await_go():  # everything is set up: accepting starts the moment the parent says go
                self.should_exit = True
                return
            acceptor.start(loop)

    return WorkerServer


def serve_worker(settings: dict[str, Any]) -> None:
    """A worker process's life: its own engine on the parent's socket, until the parent lets go."""
    from amplify_py.local import LocalEngine
    from amplify_py.local import shapes, srp
    from amplify_py.local.clock import SharedClock
    from amplify_py.local.http.limits import Limits
    from amplify_py.local.http.server import server_config

    events = _Events(settings["events_fd"])
    clock = SharedClock(Path(settings["clock"])) if settings["clock"] else time.time
    engine = LocalEngine(Path(settings["state_dir"]), host=settings["host"], region=settings["region"],
                         on_message=events.message, on_log=events.log, clock=clock, workers=1,
                         console_token=settings["console_token"])
    activity = _SharedActivity(Path(settings["state_dir"]) / "activity", str(os.getpid()))
    engine.context.activity = activity
    engine.context.endpoint = settings["endpoint"]
    engine._port = int(settings["endpoint"].rsplit(":", 1)[1])
    seen: dict[str, str] = {}
    engine.context.on_config_change = lambda: _sync_triggers(engine, seen)
    limits = Limits(**settings["limits"]) if settings["limits"] else None
    sock = socket.socket(fileno=settings["fd"])
    board = ConnectionBoard(Path(settings["board"]), settings["workers"])

    def await_go() -> bool:
        """Say ready, then wait for the parent's go (sent once every worker is ready; nothing: it is gone)."""
        board.publish(settings["slot"], 0)  # from now on a worker that accepts first leaves connections to this one
        events.send({"ready": os.getpid()})
        if not os.read(0, 1):
            return False
        threading.Thread(target=_watch_parent, args=(server, lambda: None), daemon=True).start()
        return True

    server = _worker_server_class()(server_config(engine.context, http=settings["http"], loop=settings["loop"],
                                                  limits=limits), board, settings["slot"], await_go)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    shapes.load_models()  # what the first requests would build, before serving
    srp.load_tables()
    try:
        server.run(sockets=[sock])
    finally:
        engine.stop()
        activity.close()

