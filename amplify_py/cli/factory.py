"""Where commands get their collaborators.

Typer commands stay thin: they ask this factory for the objects that do the
work (the synthesizer, the secret store, the deployer, the engine, the
sandbox). Tests replace the factory with ``set_factory`` to inject others.
Every method returns a Protocol (what the caller may rely on), not a concrete
class, so a test's fake only has to have the same shape.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from amplify_py.backend.identifier import BackendIdentifier
    from amplify_py.backend.secret import SecretValueSource
    from amplify_py.deploy.aws import Toolkit
    from amplify_py.deploy.deployment import Deployer, Deployment, StackSynthesizer
    from amplify_py.deploy.local import Engine, LogCallback, MessageCallback
    from amplify_py.sandbox.codes import OutboxMessage
    from amplify_py.sandbox.console import SandboxConsole
    from amplify_py.sandbox.lifecycle import Publisher, SandboxSettings
    from amplify_py.sandbox.secrets import SecretStore
    from amplify_py.sandbox.users import UserDetails, UserSummary

__all__ = ["CloudFormationClient", "Factory", "Outbox", "SandboxLifecycle", "UserDirectory", "get_factory",
           "set_factory"]


class SandboxLifecycle(Protocol):
    """A sandbox as its commands drive it (:class:`amplify_py.sandbox.Sandbox`)."""

    def run(self, *, once: bool = False) -> Deployment | None: ...

    def delete(self) -> None: ...


class UserDirectory(Protocol):
    """The users of a running sandbox's pool (:class:`amplify_py.sandbox.users.SandboxUsers`)."""

    @property
    def pool_id(self) -> str: ...

    def usernames(self) -> list[str]: ...

    def list_users(self) -> list[UserSummary]: ...

    def get_user(self, username: str) -> UserDetails: ...

    def create_user(self, username: str, password: str, *, attributes: Mapping[str, str] | None = None,
                    groups: Sequence[str] = ()) -> UserDetails: ...

    def delete_user(self, username: str) -> None: ...

    def confirm_user(self, username: str) -> None: ...

    def set_password(self, username: str, password: str, *, temporary: bool = False) -> None: ...

    def add_to_group(self, username: str, group: str) -> None: ...

    def delete_all_users(self, on_deleted: Callable[[str], None] | None = None) -> int: ...


class Outbox(Protocol):
    """A sandbox's delivered messages (:class:`amplify_py.sandbox.codes.SandboxOutbox`)."""

    def messages(self, *, address: str | None = None, limit: int | None = None) -> list[OutboxMessage]: ...

    def follow(self, on_message: Callable[[OutboxMessage], None], *, address: str | None = None,
               stop_event: threading.Event | None = None) -> None: ...


class CloudFormationClient(Protocol):
    """The part of boto3's CloudFormation client that ``ampy generate outputs --stack`` uses."""

    def describe_stacks(self, *, StackName: str) -> dict[str, Any]: ...  # noqa: N803 - boto3's name


class Factory:
    """The default collaborators. Each method imports lazily so ``ampy --help`` stays fast."""

    def synthesizer(self, project_dir: Path, *, validate: bool = False, backend_id: BackendIdentifier | None = None,
                    secrets: SecretValueSource | None = None) -> StackSynthesizer:
        """Synthesizes the project, as ``backend_id`` (a sandbox or branch) with ``secrets`` looked up first."""
        from amplify_py.deploy.synth import Synthesizer

        return Synthesizer(project_dir, validate=validate, backend_id=backend_id, secrets=secrets)

    def secret_store(self, project_dir: Path, identifier: str, *, target: str = "local",
                     profile: str | None = None) -> SecretStore:
        """A sandbox's secrets: a file in its local state folder, or SSM Parameter Store for an AWS sandbox."""
        from amplify_py.sandbox.identifiers import default_identifier, sandbox_backend_id

        if target == "aws":
            from amplify_py.sandbox.secrets import SsmSecretStore

            return SsmSecretStore(sandbox_backend_id(project_dir, identifier), profile=profile,
                                  default_identifier=default_identifier())
        from amplify_py.sandbox.secrets import LocalSecretStore
        from amplify_py.sandbox.state import sandbox_state_dir

        return LocalSecretStore(sandbox_state_dir(project_dir, identifier), identifier,
                                default_identifier=default_identifier())

    def engine(self, state_dir: Path, *, host: str, port: int, on_message: MessageCallback,
               on_log: LogCallback | None = None) -> Engine:
        """The local engine (not started), serving from as many processes as suit the machine; its console token
        is ``AMPY_CONSOLE_TOKEN`` if set, else a new one. Managed login on the next port once a pool has a domain."""
        from amplify_py.deploy.background_engine import CONSOLE_TOKEN_ENV, managed_login_port
        from amplify_py.local import LocalEngine
        from amplify_py.local.workers import default_workers

        return LocalEngine(state_dir, host=host, port=port, on_message=on_message, on_log=on_log,
                           console_token=os.environ.get(CONSOLE_TOKEN_ENV) or None,
                           managed_login_port=managed_login_port(port), workers=default_workers())

    def cdk_toolkit(self, project_dir: Path, *, profile: str | None) -> Toolkit:
        from amplify_py.deploy.cdk import CdkToolkit

        return CdkToolkit(project_dir, profile=profile)

    def deployer(self, *, target: str, project_dir: Path, identifier: str, stack_name: str, console: SandboxConsole,
                 port: int = 9325, profile: str | None = None, detached: bool = False,
                 hotswap: bool = True) -> Deployer:
        """The deploy target: the local engine (default) or AWS through the CDK toolkit.

        The local one works in the sandbox's state folder and keeps the sandbox's secrets when it deletes.
        """
        if target == "aws":
            from amplify_py.deploy.aws import AwsDeployer

            return AwsDeployer(project_dir, stack_name, self.cdk_toolkit(project_dir, profile=profile),
                               hotswap=hotswap, on_event=console.resource_event, on_line=console.toolkit_line)
        from amplify_py.deploy.local import LocalDeployer
        from amplify_py.sandbox.state import KEPT_ON_DELETE, sandbox_state_dir

        return LocalDeployer(sandbox_state_dir(project_dir, identifier), stack_name, engine_factory=self.engine,
                             keep_on_delete=KEPT_ON_DELETE, port=port, detached=detached,
                             on_message=console.engine_message, on_note=console.note, on_log=console.function_log)

    def outputs_publisher(self, project_dir: Path, *, out_dir: Path | None, format: str,  # noqa: A002
                          version: str) -> Publisher:
        from amplify_py.sandbox.lifecycle import OutputsPublisher

        return OutputsPublisher(project_dir, out_dir=out_dir, format=format, version=version)

    def sandbox(self, settings: SandboxSettings, console: SandboxConsole, *,
                confirm: Callable[[str], bool] | None = None) -> SandboxLifecycle:
        """A :class:`amplify_py.sandbox.Sandbox` for validated settings; ``confirm`` asks the user (a terminal)."""
        from amplify_py.sandbox.identifiers import sandbox_backend_id
        from amplify_py.sandbox.lifecycle import Sandbox

        project_dir = settings.project_dir
        backend_id = sandbox_backend_id(project_dir, settings.identifier)
        secrets = self.secret_store(project_dir, settings.identifier, target=settings.target, profile=settings.profile)
        deployer = self.deployer(
            target=settings.target, project_dir=project_dir, identifier=settings.identifier,
            stack_name=settings.stack_name or backend_id.stack_name, console=console,
            port=settings.port, profile=settings.profile, detached=settings.once, hotswap=True,
        )
        return Sandbox(
            project_dir=project_dir, identifier=settings.identifier,
            synthesizer=self.synthesizer(project_dir, backend_id=backend_id, secrets=secrets),
            deployer=deployer, console=console, watch_dir=settings.watch_dir, exclude=settings.exclude,
            allow_replacement=settings.allow_replacement, confirm=confirm,
            publisher=self.outputs_publisher(project_dir, out_dir=settings.outputs_out_dir,
                                             format=settings.outputs_format, version=settings.outputs_version),
        )

    def sandbox_users(self, project_dir: Path, identifier: str) -> UserDirectory:
        """The users of the running local sandbox ``identifier`` (an error when its engine does not answer)."""
        from amplify_py.sandbox.admin import find_running_sandbox
        from amplify_py.sandbox.users import SandboxUsers

        return SandboxUsers(find_running_sandbox(project_dir, identifier))

    def sandbox_outbox(self, project_dir: Path, identifier: str) -> Outbox:
        """The outbox of sandbox ``identifier`` (a file: its engine need not be running)."""
        from amplify_py.sandbox.codes import SandboxOutbox

        return SandboxOutbox.for_sandbox(project_dir, identifier)

    def cloudformation_client(self, region: str | None = None) -> CloudFormationClient:
        """A boto3 CloudFormation client (``ampy generate outputs --stack``)."""
        import boto3

        return boto3.client("cloudformation", region_name=region)


_factory: Factory = Factory()


def get_factory() -> Factory:
    return _factory


def set_factory(factory: Factory) -> Factory:
    """Replace the factory (for tests); returns the previous one."""
    global _factory
    previous, _factory = _factory, factory
    return previous
