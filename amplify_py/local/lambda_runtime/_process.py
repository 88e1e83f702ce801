"""One worker process running a handler, and the threads that read what it writes.

The process speaks JSON lines on stdin/stdout (``_worker.py``); whatever the handler prints to stderr is a
log line for the console."""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from amplify_py.local.lambda_runtime.spec import FunctionSpec

__all__ = ["WorkerProcess"]

_WORKER = Path(__file__).with_name("_worker.py")
_logger = logging.getLogger("amplify_py.local.lambda_runtime")


class WorkerProcess:
    """One running worker process and the threads reading its output."""

    def __init__(self, spec: FunctionSpec, env: dict[str, str], on_log: Callable[[str, str], None]) -> None:
        config = {
            "entry_dir": str(spec.entry_dir),
            "module": spec.module,
            "handler": spec.handler,
            "extra_paths": [str(p) for p in spec.extra_paths],
        }
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-X", "utf8", str(_WORKER), json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=spec.entry_dir,
            env=env,
            text=True,
            encoding="utf-8",
            start_new_session=True,
        )
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.ready: dict[str, Any] | None = None
        self.exited = threading.Event()
        self._name = spec.name
        self._on_log = on_log
        threading.Thread(target=self._read_protocol, daemon=True).start()
        self._log_thread = threading.Thread(target=self._read_log, daemon=True)
        self._log_thread.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read_protocol(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self.messages.put(json.loads(line))
            except json.JSONDecodeError:
                self._on_log(self._name, line.rstrip("\n"))
        self.exited.set()
        self.messages.put(None)  # end of stream: the process exited

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            try:
                self._on_log(self._name, line.rstrip("\n"))
            except Exception:  # a failing callback must not stop the reader
                _logger.exception("on_log callback failed")

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self._log_thread.join(timeout=1)
