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
business (the sandbox's layout), not the deploy target's. Deleting needs no
synth: the state folder and the deployment's name are enough.

A deploy that would delete users (a user pool whose change cannot be made in
place, or that left the template, while it holds users) is refused by the
engine before anything changes: :class:`ReplacementRefusedError` names each
change and what it would delete, and a detached engine that was serving keeps
serving the last good deployment. ``allow_replacement=True`` goes ahead.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, Protocol

from amplify_py.deploy.background_engine import (
    DEFAULT_PORT,
    LOCAL_HOST,
    ServerInfo,
    StoppedServer,
    require_free_port,
    server_status,
    start_detached_server,
    stop_detached_server,
)
from amplify_py.deploy.deployment import Deployment, EngineCredentials, ReplacementRefusedError, SynthesizedStack

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


class ResourceChange(Protocol):
    """A resource the engine replaced or deleted (:class:`amplify_py.local.ResourceChange`)."""

    logical_id: str
    resource_type: str
    physical_id: str
    action: str  # "replace" | "delete"
    new_physical_id: str | None

    @property
    def loses_data(self) -> bool: ...

    def lost(self) -> str: ...

    def describe(self) -> str: ...


class EngineDeployResult(Protocol):
    """What a deploy into the engine produced: ``{logical_id: physical_id}``, the region, what it replaced."""

    @property
    def physical_ids(self) -> dict[str, str]: ...

    @property
    def region(self) -> str: ...

    @property
    def changes(self) -> tuple[ResourceChange, ...]: ...


class Credentials(Protocol):
    """The engine's access key pair (:class:`amplify_py.local.LocalCredentials`)."""

    @property
    def access_key_id(self) -> str: ...

    @property
    def secret_access_key(self) -> str: ...

    @property
    def region(self) -> str: ...

    @property
    def path(self) -> Path | None: ...


class Engine(Protocol):
    """The local engine as this deployer drives it (:class:`amplify_py.local.LocalEngine`, or a fake)."""

    @property
    def endpoint(self) -> str: ...

    @property
    def credentials(self) -> Credentials: ...

    @property
    def console_url(self) -> str:
        """The local console's address with its token."""
        ...

    def start(self) -> object: ...

    def deploy(self, deployment_id: str, template: dict[str, Any], *, assembly_dir: Path | None = None,
               allow_replacement: bool = False) -> EngineDeployResult: ...

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


def _refusal(stack_name: str, refused: Any) -> ReplacementRefusedError:
    """The engine's refusal (:class:`amplify_py.local.ReplacementRefused`) as the user reads it."""
    plan = refused.plan
    return ReplacementRefusedError(f"Deploying {stack_name} {plan.summary()}. Nothing was changed.", plan.describe())


def _change_lines(changes: tuple[ResourceChange, ...], *, allowed: bool) -> tuple[str, ...]:
    """One line per resource the deploy replaced or deleted, saying why and what went with it."""
    lines = []
    for change in changes:
        verb = "Replaced" if change.action == "replace" else "Deleted"
        text = f"{verb} {change.describe()}"
        if change.new_physical_id:
            text += f"; its new id is {change.new_physical_id}"
        if change.loses_data:
            text += f". Deleted with it, as allowed: {change.lost()}." if allowed else "."
        elif change.resource_type in ("AWS::Cognito::UserPool", "AWS::Cognito::IdentityPool"):
            text += f". It held {change.lost()}, so nothing was asked."
        else:
            text += "."
        lines.append(text)
    return tuple(lines)


class LocalDeployer:
    """Deploys into the local engine; see the module docstring for the two modes."""

    target = "local"
    delete_needs_synth = False  # the state folder and the deployment's name are enough

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
        self.credentials: EngineCredentials | None = None  # the engine's local credentials, once it was made

    def _new_engine(self, port: int) -> Engine:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        engine = self._engine_factory(self.state_dir, host=LOCAL_HOST, port=port, on_message=self._on_message,
                                      on_log=self._on_log)
        keys = engine.credentials  # the state folder's own, the same for every engine on it
        self.credentials = EngineCredentials(keys.access_key_id, keys.secret_access_key, keys.region,
                                             keys.path)
        return engine

    def _replace_detached(self) -> ServerInfo | None:
        status = server_status(self.state_dir)
        if isinstance(status, StoppedServer) and status.info is not None:
            self._note(f"The background engine recorded on {status.info.endpoint} was not running "
                       f"({status.reason}); starting a new one.")
        return self._stop_detached(replacing=True)

    def _stop_detached(self, *, replacing: bool) -> ServerInfo | None:
        stopped = stop_detached_server(self.state_dir)
        if stopped is not None:
            then = "; replacing it" if replacing else ""
            self._note(f"Stopped the background engine (pid {stopped.pid}) on {stopped.endpoint}{then}.")
        return stopped

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

    def _deploy_detached(self, template: dict[str, Any], allow_replacement: bool,
                         ) -> tuple[EngineDeployResult, ServerInfo, Engine]:
        """Write the pools into the state, then start the server on it; a refusal leaves the state as it was."""
        from amplify_py.local.deployer import ReplacementRefused

        stopped = self._replace_detached()
        require_free_port(LOCAL_HOST, self.port)
        engine = self._new_engine(self.port)
        refused: ReplacementRefused | None = None
        try:
            result = engine.deploy(self.stack_name, template, assembly_dir=self.assembly_dir,
                                   allow_replacement=allow_replacement)
        except ReplacementRefused as exc:
            refused = exc
        finally:
            engine.stop()
        if refused is not None:
            if stopped is not None:  # nothing changed: the last good deployment serves again
                info = start_detached_server(self.state_dir, host=LOCAL_HOST, port=self.port)
                self._note(f"The background engine serves the last good deployment again on {info.endpoint}.")
            raise _refusal(self.stack_name, refused) from None
        # The engine (stopped) still says where the server serves managed login.
        return result, start_detached_server(self.state_dir, host=LOCAL_HOST, port=self.port), engine

    def deploy(self, synth_result: SynthesizedStack, *, allow_replacement: bool = False) -> Deployment:
        """Deploy the template; raises :class:`ReplacementRefusedError` rather than delete users."""
        from amplify_py.local.deployer import ReplacementRefused

        template = synth_result.template
        if self.detached:
            result, info, engine = self._deploy_detached(template, allow_replacement)
            endpoint = f"http://{LOCAL_HOST}:{self.port}"
            console_url = info.console_url
        else:
            self.open()
            assert self._engine is not None  # open() started it
            engine = self._engine
            try:
                result = engine.deploy(self.stack_name, template, assembly_dir=self.assembly_dir,
                                       allow_replacement=allow_replacement)
            except ReplacementRefused as refused:
                raise _refusal(self.stack_name, refused) from None
            endpoint = engine.endpoint
            console_url = engine.console_url
        self.endpoint = endpoint
        from amplify_py.outputs.convert import local_engine_custom, local_oauth_domain
        from amplify_py.outputs.stack_outputs import resolve_stack_outputs

        stack_outputs = resolve_stack_outputs(template, result.physical_ids, result.region, stack_name=self.stack_name)
        # A pool with a domain: auth.oauth.domain is where the engine serves managed login (HTTPS on localhost),
        # and custom.local_engine names the CA its certificate chains to.
        localized = local_oauth_domain(stack_outputs, getattr(engine, "managed_login_domain", None))
        ca = getattr(engine, "ca_certificate", None) if localized is not stack_outputs else None
        return Deployment(
            target="local", stack_name=self.stack_name, region=result.region, stack_outputs=localized,
            custom=local_engine_custom(endpoint, ca_certificate=str(ca) if ca else None), endpoint=endpoint,
            console_url=console_url, replaced=_change_lines(tuple(result.changes), allowed=allow_replacement),
            credentials=self.credentials,
        )

    def delete(self) -> None:
        """Stop any server, delete the deployment from the engine, remove the state folder (but the kept files)."""
        self.close()
        self._stop_detached(replacing=False)
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
