"""The sandbox lifecycle: synthesize → deploy → write outputs and record → watch → redeploy.

Rules that matter to users:

* A failed synth or deploy (a syntax error, a validation error, a toolkit
  failure) is printed and nothing else happens: the last good deployment keeps
  serving, untouched, and its amplify_outputs.json stays as it was.
* Saves are debounced; changes that arrive during a deployment are coalesced
  into the next one.
* The synthesizer lives as long as the sandbox, so the CDK runtime stays warm
  between saves (a redeploy does not pay for starting jsii again).
* Ctrl-C stops watching and closes the target; the deployment stays in place
  (``ampy sandbox delete`` removes it).
* A deploy never deletes users silently. When a change cannot be made in place
  and the resource holds users (a custom attribute removed, another sign-in
  attribute), the target refuses before changing anything; the sandbox prints
  what it would delete and, in a terminal, asks as ampx does ("Would you like
  to recreate your sandbox (deleting all user data)?", default no). Otherwise
  the refusal names ``--allow-replacement``. In watch mode the last good
  deployment keeps serving. Replacing a pool that holds no users needs no
  consent; the sandbox prints that it was replaced.
* ``delete`` synthesizes only for a target that needs it (AWS: ``cdk destroy``
  reads the assembly); a local sandbox is deleted from its state folder and
  name, so a project that no longer synthesizes can still be reset.
"""

from __future__ import annotations

import fnmatch
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

import watchfiles

from amplify_py._node import expect_jsii_node_interrupted
from amplify_py.deploy.deployment import Deployer, Deployment, ReplacementRefusedError, StackSynthesizer, SynthesizedStack
from amplify_py.errors import AmpyError, AmpyFault
from amplify_py.sandbox.console import SandboxConsole
from amplify_py.sandbox.identifiers import identifier_flag
from amplify_py.sandbox.watch_changes import EDITOR_TEMP_FILES, changed_files

__all__ = ["Sandbox", "SandboxSettings", "OutputsPublisher", "Publisher", "REPLACEMENT_PROMPT"]

#: ampx's question (file_watching_sandbox) before it recreates a sandbox it cannot update in place.
REPLACEMENT_PROMPT = "Would you like to recreate your sandbox (deleting all user data)?"


class Publisher(Protocol):
    """Where a deployment's results go (:class:`OutputsPublisher`): amplify_outputs and the deployment record."""

    @property
    def outputs_path(self) -> Path: ...

    def publish(self, identifier: str, deployment: Deployment) -> Path: ...

    def forget(self, identifier: str) -> None: ...


class OutputsPublisher:
    """Writes amplify_outputs.json (or .dart) and the deployment record ``ampy generate outputs`` reads."""

    def __init__(self, project_dir: Path, *, out_dir: Path | None = None, format: str = "json",
                 version: str = "1.5") -> None:
        self.project_dir = project_dir
        self.out_dir = out_dir or project_dir
        self.format = format
        self.version = version

    @property
    def outputs_path(self) -> Path:
        from amplify_py.outputs.writers import outputs_path

        return outputs_path(self.out_dir, self.format)

    def publish(self, identifier: str, deployment: Deployment) -> Path:
        from amplify_py.deploy.records import DeploymentRecord, save_record
        from amplify_py.outputs.convert import build_outputs
        from amplify_py.outputs.writers import write_outputs

        outputs = build_outputs(deployment.stack_outputs, version=self.version, custom=deployment.custom)
        path = write_outputs(outputs, self.out_dir, format=self.format)
        save_record(self.project_dir, DeploymentRecord(
            identifier=identifier, target=deployment.target, stack_name=deployment.stack_name,
            region=deployment.region, stack_outputs=dict(deployment.stack_outputs), custom=deployment.custom or {},
            deployed_at=datetime.now(timezone.utc),
        ))
        return Path(path)

    def forget(self, identifier: str) -> None:
        from amplify_py.deploy.records import delete_record

        delete_record(self.project_dir, identifier)


@dataclass(frozen=True)
class SandboxSettings:
    """Everything ``ampy sandbox`` was asked for, already validated by the CLI."""

    project_dir: Path
    identifier: str
    target: str = "local"  # "local" | "aws"
    port: int = 9325
    profile: str | None = None
    once: bool = False
    watch_dir: Path | None = None
    exclude: tuple[str, ...] = ()
    outputs_out_dir: Path | None = None
    outputs_format: str = "json"
    outputs_version: str = "1.5"
    debug: bool = False
    allow_replacement: bool = False  # --allow-replacement: a redeploy may replace a user pool that holds users
    stack_name: str | None = None  # the deployment to delete, from its record (None: derived from the project)


@dataclass
class _Result:
    deployment: Deployment | None
    error: AmpyError | None
    seconds: float


class Sandbox:
    """One sandbox: a project, an identifier, a deploy target."""

    def __init__(
        self,
        *,
        project_dir: Path,
        identifier: str,
        synthesizer: StackSynthesizer,
        deployer: Deployer,
        publisher: Publisher,
        console: SandboxConsole,
        watch_dir: Path | None = None,
        exclude: Iterable[str] = (),
        debounce_ms: int = 100,
        allow_replacement: bool = False,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        """``confirm(question)`` asks the user (in a terminal); without it a refused replacement stays refused."""
        self.project_dir = project_dir
        self.identifier = identifier
        self.synthesizer = synthesizer
        self.deployer = deployer
        self.publisher = publisher
        self.console = console
        self.watch_dir = watch_dir or project_dir / "amplify"
        self.exclude = list(exclude)
        self.debounce_ms = debounce_ms
        self.allow_replacement = allow_replacement
        self.confirm = confirm
        self.last_good: Deployment | None = None
        self.deploy_count = 0
        self.watching = threading.Event()  # set once file events are being received (tests wait for it)
        self._once = False
        self._credentials_shown = False

    # -- one cycle ---------------------------------------------------------------------------------
    def deploy(self) -> Deployment:
        """Synthesize, deploy, write outputs and record. Raises on failure; nothing is changed then."""
        target = "the local engine" if self.deployer.target == "local" else "AWS"
        with self.console.step("Synthesizing backend"):
            synth = self.synthesizer.synth(stack_name=self.deployer.stack_name, outdir=self.deployer.assembly_dir)
        deployment = self._deploy_to(target, synth)
        for line in deployment.replaced:
            self.console.warning(line)
        with self.console.step("Writing outputs"):
            path = self.publisher.publish(self.identifier, deployment)
        self.last_good = deployment
        self.deploy_count += 1
        if deployment.endpoint:
            self.console.endpoint(deployment.endpoint)
        if deployment.console_url:
            self.console.console_link(deployment.console_url)
        credentials = deployment.credentials
        if credentials is not None and not self._credentials_shown:  # once per sandbox, not on every save
            self.console.local_credentials(credentials.access_key_id, credentials.secret_access_key,
                                           credentials.region,
                                           self._rel(credentials.path) if credentials.path else "its state folder")
            self._credentials_shown = True
        self.console.success(f"Deployed. {self._rel(path)} is up to date.")
        return deployment

    def _deploy_to(self, target: str, synth: SynthesizedStack) -> Deployment:
        """Deploy; a refused replacement is asked about (in a terminal) or re-raised with the way to go ahead."""
        title = f"Deploying {self.deployer.stack_name} to {target}"
        try:
            with self.console.step(title):
                return self.deployer.deploy(synth, allow_replacement=self.allow_replacement)
        except ReplacementRefusedError as refused:
            if not self._confirmed(refused):
                raise refused.with_resolution(self._how_to_replace()) from None
        with self.console.step(f"{title}, replacing"):
            return self.deployer.deploy(synth, allow_replacement=True)

    def _confirmed(self, refused: ReplacementRefusedError) -> bool:
        if self.confirm is None:
            return False
        self.console.warning(f"{refused.message}\n{refused.details}")
        self.console.warning("We cannot deploy your new changes without deleting user data. You can either revert "
                             "them or replace the resources listed above with the new changes (deleting their user data).")
        return self.confirm(REPLACEMENT_PROMPT)

    def _how_to_replace(self) -> str:
        flag = identifier_flag(self.identifier)
        if self._once:
            return (f"Revert the change to keep the data, or run `ampy sandbox --once --allow-replacement{flag}` "
                    "to replace (deleting the data listed above).")
        return ("Revert the change and save to keep the data (the last good deployment keeps serving), or stop "
                f"this sandbox (Ctrl-C) and run `ampy sandbox --allow-replacement{flag}` to replace (deleting the "
                "data listed above).")

    def try_deploy(self) -> _Result:
        """A cycle that never raises a user error: failures are printed, the last good deployment stays."""
        started = time.perf_counter()
        try:
            deployment = self.deploy()
            return _Result(deployment, None, time.perf_counter() - started)
        except AmpyError as exc:
            error: AmpyError = exc
        except Exception as exc:  # noqa: BLE001 - a bug in user code or ours must not end watch mode
            error = AmpyFault("UnexpectedDeployError", f"{type(exc).__name__}: {exc}")
            error.__cause__ = exc
        self.console.error(error, watching=True)  # only watch mode calls try_deploy
        if self.console.debug:
            self.console.note("".join(traceback.format_exception(error)))
        if self.last_good is not None:
            self.console.note(f"The last good deployment ({self.last_good.stack_name}) is still in place, unchanged.")
        return _Result(None, error, time.perf_counter() - started)

    # -- watch -------------------------------------------------------------------------------------
    def excluded(self, path: str) -> bool:
        """``--exclude``: paths (files or folders) or glob patterns, relative to the project or absolute."""
        candidate = Path(path)
        try:
            rel = str(candidate.relative_to(self.project_dir))
        except ValueError:
            rel = path
        for pattern in self.exclude:
            base = Path(pattern) if Path(pattern).is_absolute() else self.project_dir / pattern
            if candidate == base or base in candidate.parents:
                return True
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(path, str(base)):
                return True
        return False

    def _filter(self) -> watchfiles.DefaultFilter:
        sandbox = self

        class _Filter(watchfiles.DefaultFilter):
            def __call__(self, change: watchfiles.Change, path: str) -> bool:
                return super().__call__(change, path) and not sandbox.excluded(path)

        return _Filter(ignore_paths=[str(self.publisher.outputs_path), str(self.project_dir / ".amplify")],
                       ignore_entity_patterns=(*watchfiles.DefaultFilter.ignore_entity_patterns, *EDITOR_TEMP_FILES))

    def watch(self, stop_event: threading.Event | None = None) -> None:
        """Redeploy on every (debounced) change until ``stop_event`` is set or Ctrl-C."""
        self.console.info(f"Watching {self._rel(self.watch_dir)}/ for changes. Press Ctrl-C to stop.")
        for changes in watchfiles.watch(
            self.watch_dir, watch_filter=self._filter(), debounce=self.debounce_ms, step=50,
            stop_event=stop_event, raise_interrupt=True, yield_on_timeout=True, rust_timeout=200,
        ):
            self.watching.set()  # the watcher is armed once it has answered, with changes or a timeout
            names = [self._rel(Path(p)) for p in changed_files(changes)]
            if not names:
                continue  # only an editor's temporary files came and went
            self.console.info(f"\nChange detected: {', '.join(names)}")
            self.try_deploy()

    def run(self, *, once: bool = False, stop_event: threading.Event | None = None) -> Deployment | None:
        """``ampy sandbox``: first deployment, then (unless once) watch. Returns the last good deployment."""
        self._once = once
        try:
            self.deployer.open()
            if once:
                return self.deploy()
            self.try_deploy()
            self.watch(stop_event)
        except KeyboardInterrupt:
            expect_jsii_node_interrupted()
            if once:  # not deployed: the command must fail, not report a background engine
                raise
            self.console.info("")
        finally:
            self.deployer.close()
        if not once:
            flag = identifier_flag(self.identifier)
            self.console.note(
                f"Sandbox stopped. The deployment stays in place; `ampy sandbox{flag}` serves it again, "
                f"`ampy sandbox delete{flag}` removes it."
            )
        return self.last_good

    def delete(self) -> None:
        """Remove the deployment and its record (amplify_outputs.json is left, as ampx leaves it)."""
        if self.deployer.delete_needs_synth and self.deployer.assembly_dir is not None:
            with self.console.step("Synthesizing backend"):
                self.synthesizer.synth(stack_name=self.deployer.stack_name, outdir=self.deployer.assembly_dir)
        with self.console.step(f"Deleting {self.deployer.stack_name}"):
            self.deployer.delete()
        self.publisher.forget(self.identifier)
        self.console.success(f"Sandbox {self.identifier} deleted.")

    def _rel(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.project_dir.resolve()))
        except ValueError:
            return str(path)
