"""Running Python handlers locally: one warm worker process per function.

A worker imports the handler once and serves invocations over JSON lines. The
runner enforces the function's timeout (killing the worker, as Lambda ends the
sandbox), restarts the worker when the code folder changes, and hands every
line the handler prints (and Lambda-style START/END/REPORT and ``[ERROR]``
lines) to ``on_log``.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from amplify_py.errors import AmpyUserError
from amplify_py.local.lambda_runtime._process import WorkerProcess
from amplify_py.local.lambda_runtime.spec import FunctionSpec

__all__ = ["CREDENTIAL_VARIABLES", "EndpointSource", "InvocationResult", "LambdaInvocationError", "LambdaNotFoundError",
           "LocalFunction", "LogCallback", "TriggerInvoker"]

LogCallback = Callable[[str, str], None]
"""``on_log(function_name, line)``: one line of a function's log."""
EndpointSource = Callable[[], "str | None"]
"""Returns the local engine's endpoint (None while it is not serving); read when a worker starts."""

# The variables an AWS SDK takes its credentials from (Lambda sets them from the function's role).
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
# When the runtime is given no credentials: values that sign nothing valid, so a handler's SDK never falls
# back to the developer's own AWS credentials (~/.aws) while its calls go to a local endpoint.
_PLACEHOLDER_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "localAccessKeyId", "AWS_SECRET_ACCESS_KEY": "localSecretAccessKey"}

_INIT_SECONDS = 10.0
_IGNORED_DIRS = frozenset({"__pycache__", ".venv", "venv", ".git", ".mypy_cache", ".pytest_cache", "node_modules"})
_INHERITED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "HOME", "TMPDIR", "SYSTEMROOT")
_logger = logging.getLogger("amplify_py.local.lambda_runtime")


def _default_log(function_name: str, line: str) -> None:
    _logger.info("[%s] %s", function_name, line)


@dataclass(frozen=True)
class InvocationResult:
    """What Lambda's Invoke returns: the handler's payload, or an error (errorMessage, errorType, stackTrace)."""

    request_id: str
    payload: Any = None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class LambdaInvocationError(AmpyUserError):
    """The handler raised, timed out, failed to import or its process exited. ``error`` is Lambda's error payload."""

    def __init__(self, function_name: str, error: dict[str, Any]) -> None:
        self.function_name = function_name
        self.error = error
        self.error_type: str = error.get("errorType", "")
        self.error_message: str = error.get("errorMessage", "")
        self.stack_trace: list[str] = list(error.get("stackTrace") or [])
        self.timed_out = self.error_type == "Sandbox.Timedout"
        super().__init__(
            "LambdaInvocationError",
            f"Function {function_name} failed: {self.error_type}: {self.error_message}",
            "See the function's log above; fix the handler and try again (the change is picked up on the next call).",
            details="".join(self.stack_trace).rstrip() or None,
        )


class LambdaNotFoundError(AmpyUserError):
    """A trigger points at a function the local runner cannot run."""


class LocalFunction:
    """A function kept warm in its own process; thread-safe (invocations are serialised)."""

    def __init__(
        self,
        spec: FunctionSpec,
        *,
        on_log: LogCallback | None = None,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        endpoint: EndpointSource | None = None,
        endpoint_variables: Sequence[str] = (),
        credentials: Mapping[str, str] | None = None,
    ) -> None:
        """``endpoint`` gives the local engine's address when a worker starts (lazily: an invoker may be
        built before the engine serves); each of ``endpoint_variables`` (botocore's service-specific
        ``AWS_ENDPOINT_URL_<service>``, chosen by the caller) is set to it, so those services' calls go there.
        The handler's SDK signs them with ``credentials`` (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``:
        what Lambda's role would give it)."""
        self.spec = spec
        self._endpoint = endpoint
        self._endpoint_variables = tuple(endpoint_variables)
        self._credentials = dict(credentials) if credentials is not None else dict(_PLACEHOLDER_CREDENTIALS)
        self._on_log = on_log or _default_log
        self._region = region
        self._account_id = account_id
        self._lock = threading.Lock()
        self._worker: WorkerProcess | None = None
        self._worker_env: dict[str, str] | None = None
        self._fingerprint: tuple[Any, ...] | None = None
        self._log_stream = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        for key in spec.unresolved_environment:
            self._on_log(spec.name, f"[WARNING] environment variable {key} has no local value and is not set")

    @property
    def pid(self) -> int | None:
        """The worker's process ID, or None when no worker is running."""
        worker = self._worker
        return worker.pid if worker is not None and worker.process.poll() is None else None

    def update(self, spec: FunctionSpec) -> None:
        """Use a new spec (a redeploy); the worker restarts on the next call if anything changed."""
        with self._lock:
            if spec != self.spec:
                self.spec = spec
                self._stop()

    def close(self) -> None:
        with self._lock:
            self._stop()

    def invoke(self, event: Any) -> InvocationResult:
        """Invoke the handler with ``event``, as Lambda's RequestResponse invocation."""
        with self._lock:
            fingerprint = self._code_fingerprint()
            env = self.environment()
            if self._worker is not None and (fingerprint != self._fingerprint or env != self._worker_env
                                             or self._worker.process.poll() is not None):
                self._stop()
            if self._worker is None:
                self._worker = WorkerProcess(self.spec, env, self._on_log)
                self._worker_env = env
                self._fingerprint = fingerprint
            assert self._worker is not None
            return self._invoke(self._worker, event)

    def _invoke(self, worker: WorkerProcess, event: Any) -> InvocationResult:
        spec = self.spec
        request_id = str(uuid.uuid4())
        if worker.ready is None:
            # Lambda's Init phase (the handler module's import) has 10 s of its own; an init that takes longer
            # is retried in the first invocation with the function's timeout.
            ready = self._next_message(worker, time.time() + _INIT_SECONDS)
            if ready is None and not worker.exited.is_set():
                ready = self._next_message(worker, time.time() + spec.timeout_seconds)
            if ready is None:
                return self._failed(worker, request_id)
            worker.ready = ready
        deadline = time.time() + spec.timeout_seconds
        try:
            worker.send(
                {
                    "type": "invoke",
                    "event": event,
                    "deadline_ms": int(deadline * 1000),
                    "context": self._context(request_id),
                }
            )
        except (BrokenPipeError, OSError):
            return self._failed(worker, request_id)
        message = self._next_message(worker, deadline)
        if message is None:
            return self._failed(worker, request_id)
        if worker.ready.get("error"):
            # Lambda retries the init on the next invocation: a fixed import is picked up.
            self._stop()
        if message.get("error") is not None:
            return InvocationResult(request_id=request_id, error=message["error"])
        return InvocationResult(request_id=request_id, payload=message.get("payload"))

    @staticmethod
    def _next_message(worker: WorkerProcess, deadline: float) -> dict[str, Any] | None:
        """The worker's next message; None when the deadline passed or the process exited."""
        remaining = deadline - time.time()
        if remaining <= 0:
            return None
        try:
            return worker.messages.get(timeout=remaining)
        except queue.Empty:
            return None

    def _failed(self, worker: WorkerProcess, request_id: str) -> InvocationResult:
        """The worker timed out or exited: end it, as Lambda ends the sandbox, and say which."""
        exit_code: int | None = None
        if worker.exited.is_set():  # the output closed: the process is ending
            try:
                exit_code = worker.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                exit_code = None
        self._stop()
        if exit_code is None:
            timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            seconds = f"{self.spec.timeout_seconds:.2f}"
            self._on_log(self.spec.name, f"{timestamp} {request_id} Task timed out after {seconds} seconds")
            return InvocationResult(
                request_id=request_id,
                error={
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {request_id} Error: Task timed out after {seconds} seconds",
                },
            )
        message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {exit_code}"
        self._on_log(self.spec.name, message)
        return InvocationResult(request_id=request_id, error={"errorType": "Runtime.ExitError", "errorMessage": message})

    def _context(self, request_id: str) -> dict[str, Any]:
        spec = self.spec
        return {
            "function_name": spec.name,
            "function_version": "$LATEST",
            "invoked_function_arn": f"arn:aws:lambda:{self._region}:{self._account_id}:function:{spec.name}",
            "memory_limit_in_mb": str(spec.memory_mb),
            "aws_request_id": request_id,
            "log_group_name": f"/aws/lambda/{spec.name}",
            "log_stream_name": self._log_stream,
        }

    def environment(self) -> dict[str, str]:
        """The worker's environment: Lambda's variables, the endpoint variables and the credentials it was given
        (unless the definition sets its own), then the definition's environment."""
        spec = self.spec
        env = {key: os.environ[key] for key in _INHERITED_ENV if key in os.environ}
        env.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": spec.name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": self._log_stream,
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                "AWS_REGION": self._region,
                "AWS_DEFAULT_REGION": self._region,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
                "LAMBDA_TASK_ROOT": str(spec.entry_dir),
                "_HANDLER": f"{spec.module}.{spec.handler}",
                "TZ": ":UTC",
                "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        endpoint = self._endpoint() if self._endpoint is not None else None
        if endpoint:
            env.update({name: endpoint for name in self._endpoint_variables})
        if not any(key in spec.environment for key in CREDENTIAL_VARIABLES):
            env.update(self._credentials)
        env.update(spec.environment)
        return env

    def _stop(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None
            self._worker_env = None

    def _code_fingerprint(self) -> tuple[Any, ...]:
        """Paths, sizes and modification times of the code folder's files: cheap, and changes on every save."""
        entries: list[tuple[str, int, int]] = []
        for root, dirs, names in os.walk(self.spec.entry_dir):
            dirs[:] = [d for d in dirs if d not in _IGNORED_DIRS]
            for name in names:
                if name.endswith((".pyc", ".pyo")):
                    continue
                try:
                    stat = os.stat(os.path.join(root, name))
                except OSError:
                    continue
                entries.append((os.path.join(root, name), stat.st_size, stat.st_mtime_ns))
        return tuple(sorted(entries))


class TriggerInvoker:
    """The local engine's hook: ``invoker(deployment_id, lambda_config_ref, event) -> event``.

    ``lambda_config_ref`` is the pool's unresolved ``LambdaConfig`` value:
    ``{"Fn::GetAtt": [id, "Arn"]}``, ``{"Ref": id}``, a sender's
    ``{"LambdaArn": ..., "LambdaVersion": ...}``, a logical ID or a function ARN.
    Returns the handler's returned event; raises :class:`LambdaInvocationError`
    when the handler fails, :class:`LambdaNotFoundError` for an unknown function.
    """

    def __init__(
        self,
        functions: Mapping[str, FunctionSpec],
        *,
        on_log: LogCallback | None = None,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        endpoint: EndpointSource | None = None,
        endpoint_variables: Sequence[str] = (),
        credentials: Mapping[str, str] | None = None,
    ) -> None:
        """``endpoint`` and ``credentials``: see :class:`LocalFunction`."""
        self._on_log = on_log
        self._endpoint = endpoint
        self._endpoint_variables = tuple(endpoint_variables)
        self._credentials = credentials
        self._region = region
        self._account_id = account_id
        self._lock = threading.Lock()
        self._functions: dict[str, LocalFunction] = {}
        self.update(functions)

    def __call__(self, deployment_id: str, lambda_config_ref: Any, event: dict[str, Any]) -> dict[str, Any]:
        function = self.function_for(lambda_config_ref)
        result = function.invoke(event)
        if result.error is not None:
            raise LambdaInvocationError(function.spec.name, result.error)
        return result.payload

    def function_for(self, lambda_config_ref: Any) -> LocalFunction:
        logical_id = self._logical_id(lambda_config_ref)
        with self._lock:
            function = self._functions.get(logical_id) if logical_id else None
            if function is None and logical_id:
                function = next((f for f in self._functions.values() if f.spec.name == logical_id), None)
        if function is None:
            raise LambdaNotFoundError(
                "LambdaNotFoundError",
                f"The trigger {json.dumps(lambda_config_ref)} names no Python function of this deployment.",
                "The local engine runs Python functions defined with define_function (or aws_lambda.Function with a "
                "python runtime and code from a folder); define the trigger with one of those.",
            )
        return function

    def update(self, functions: Mapping[str, FunctionSpec]) -> None:
        """Take the functions of a new synth: changed ones restart on their next call, removed ones stop."""
        with self._lock:
            for logical_id in list(self._functions):
                if logical_id not in functions:
                    self._functions.pop(logical_id).close()
            for logical_id, spec in functions.items():
                existing = self._functions.get(logical_id)
                if existing is None:
                    self._functions[logical_id] = LocalFunction(
                        spec, on_log=self._on_log, region=self._region, account_id=self._account_id,
                        endpoint=self._endpoint, endpoint_variables=self._endpoint_variables,
                        credentials=self._credentials,
                    )
                else:
                    existing.update(spec)

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            for function in self._functions.values():
                function.close()

    @staticmethod
    def _logical_id(ref: Any) -> str | None:
        if isinstance(ref, Mapping):
            if "LambdaArn" in ref:
                return TriggerInvoker._logical_id(ref["LambdaArn"])
            get_att = ref.get("Fn::GetAtt")
            if isinstance(get_att, list) and get_att:
                return str(get_att[0])
            if isinstance(get_att, str):
                return get_att.split(".", 1)[0]
            if isinstance(ref.get("Ref"), str):
                return ref["Ref"]
            return None
        if isinstance(ref, str):
            if ref.startswith("arn:") and ":function:" in ref:
                return ref.split(":function:", 1)[1].split(":", 1)[0]
            return ref
        return None

