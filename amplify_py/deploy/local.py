"""The local deploy target: the synthesized template goes into the local engine.

Two ways to serve it:

* watch mode (``ampy sandbox``): the engine runs inside the sandbox process, so
  every message it sends is printed as it is sent and a redeploy is a function
  call on a warm engine;
* detached (``ampy sandbox --once``): the template is deployed into the
  engine's state (SQLite under the state folder), then a background engine
  (:mod:`amplify_py.deploy.background_engine`) keeps serving that state after
  the command exits.

The deployer is given its state folder and the names of the files in it that
``delete`` keeps (a sandbox's secrets); which folder that is, is the caller's
business (the sandbox's layout), not the deploy target's.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, Protocol

from amplify_py.deploy.background_engine import (
    DEFAULT_PORT,
    LOCAL_HOST,
    require_free_port,
    start_detached_server,
    stop_detached_server,
)
from amplify_py.deploy.deployment import Deployment, EngineCredentials, SynthesizedStack

__all__ = [
    "DEFAULT_PORT",
    "LOCAL_HOST",
    "Engine",
    "EngineDeployResult",
    "EngineFactory",
    "LocalDeployer",
    "LogCallback",
    "MessageCallback",
]

MessageCallback = Callable[[dict[str, Any]], None]
LogCallback = Callable[[str, str], None]


class EngineDeployResult(Protocol):
    """What a deploy into the engine produced: ``{logical_id: physical_id}`` and the region."""

    @property
    def physical_ids(self) -> dict[str, str]: ...

    @property
    def region(self) -> str: ...


class Credentials(Protocol):
    """The engine's access key pair (:class:`amplify_py.local.LocalCredentials`)."""

    @property
    def access_key_id(self) -> str: ...

    @property
    def secret_access_key(self) -> str: ...

    @property
    def region(self) -> str: ...


class Engine(Protocol):
    """The local engine as this deployer drives it (:class:`amplify_py.local.LocalEngine`, or a fake)."""

    @property
    def endpoint(self) -> str: ...

    @property
    def credentials(self) -> Credentials: ...

    @property
    def credentials_path(self) -> Path: ...

    def start(self) -> object: ...

    def deploy(self, deployment_id: str, template: dict[str, Any], *,
               assembly_dir: Path | None = None) -> EngineDeployResult: ...

    def delete(self, deployment_id: str) -> None: ...

    def stop(self) -> None: ...


class EngineFactory(Protocol):
    """Makes an engine (not started) on a state folder."""

    def __call__(self, state_dir: Path, *, host: str, port: int, on_message: MessageCallback,
                 on_log: LogCallback | None = None) -> Engine: ...


def _has_deployment_state(state_dir: Path, keep: Collection[str]) -> bool:
    """Whether the state folder holds more than the kept files (something to delete)."""
    return state_dir.is_dir() and any(child.name not in keep for child in state_dir.iterdir())


def _remove_state(state_dir: Path, keep: Collection[str]) -> None:
    """Delete the state folder except the kept files (``ampx sandbox delete`` keeps secrets too)."""
    for child in state_dir.iterdir():
        if child.name in keep:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    try:
        state_dir.rmdir()  # only when nothing was kept
    except OSError:
        pass


class LocalDeployer:
    """Deploys into the local engine; see the module docstring for the two modes."""

    target = "local"

    def __init__(
        self,
        state_dir: Path,
        stack_name: str,
        *,
        engine_factory: EngineFactory,
        keep_on_delete: Collection[str] = (),
        port: int = DEFAULT_PORT,
        detached: bool = False,
        on_message: MessageCallback | None = None,
        on_note: Callable[[str], None] | None = None,
        on_log: LogCallback | None = None,
    ) -> None:
        self.state_dir = state_dir
        self.stack_name = stack_name
        self.keep_on_delete = frozenset(keep_on_delete)
        self.port = port
        self.detached = detached
        self._engine_factory = engine_factory
        self._on_message = on_message or (lambda _m: None)
        self._note = on_note or (lambda _t: None)
        self._on_log = on_log
        # The cloud assembly the synthesizer writes: trigger functions are run from it (and their live source).
        self.assembly_dir: Path | None = self.state_dir / "cdk.out"
        self._engine: Engine | None = None
        self.endpoint: str | None = None

    def _new_engine(self, port: int) -> Engine:
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
        require_free_port(LOCAL_HOST, self.port)
        engine = self._new_engine(self.port)
        engine.start()
        self._engine = engine
        self.endpoint = engine.endpoint

    def deploy(self, synth_result: SynthesizedStack) -> Deployment:
        template = synth_result.template
        if self.detached:
            self._replace_detached()
            require_free_port(LOCAL_HOST, self.port)
            engine = self._new_engine(self.port)  # writes the pools into the state; the server then serves it
            try:
                result = engine.deploy(self.stack_name, template, assembly_dir=self.assembly_dir)
            finally:
                engine.stop()
            info = start_detached_server(self.state_dir, host=LOCAL_HOST, port=self.port)
            endpoint = info.endpoint
        else:
            self.open()
            assert self._engine is not None  # open() started it
            engine = self._engine
            result = engine.deploy(self.stack_name, template, assembly_dir=self.assembly_dir)
            endpoint = engine.endpoint
        credentials = EngineCredentials(engine.credentials.access_key_id, engine.credentials.secret_access_key,
                                        engine.credentials.region, engine.credentials_path)
        self.endpoint = endpoint
        from amplify_py.outputs.convert import local_engine_custom
        from amplify_py.outputs.stack_outputs import resolve_stack_outputs

        stack_outputs = resolve_stack_outputs(template, result.physical_ids, result.region, stack_name=self.stack_name)
        return Deployment(
            target="local", stack_name=self.stack_name, region=result.region,
            stack_outputs=stack_outputs, custom=local_engine_custom(endpoint), endpoint=endpoint,
            credentials=credentials,
        )

    def delete(self) -> None:
        """Stop any server, delete the deployment from the engine, remove the state folder (but the kept files)."""
        self.close()
        self._replace_detached()
        if _has_deployment_state(self.state_dir, self.keep_on_delete):
            engine = self._new_engine(0)
            try:
                engine.delete(self.stack_name)
            finally:
                engine.stop()
            _remove_state(self.state_dir, self.keep_on_delete)

    def close(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            engine.stop()
