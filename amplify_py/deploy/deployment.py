"""What every deploy target returns, the shapes of a deploy target and of a synthesizer, and the refusal a
deploy target raises rather than delete users."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from amplify_py.errors import AmpyUserError

__all__ = ["Deployment", "Deployer", "EngineCredentials", "ReplacementRefusedError", "StackSynthesizer",
           "SynthesizedStack"]


@dataclass(frozen=True)
class EngineCredentials:
    """The local engine's AWS credentials, which its admin (IAM-authorized) operations must be signed with, and
    the file that holds them (boto3's keyword arguments, readable by its owner only)."""

    access_key_id: str
    secret_access_key: str
    region: str
    path: Path | None


@dataclass(frozen=True)
class Deployment:
    """A finished deployment: enough to write amplify_outputs.json and the deployment record."""

    target: str  # "local" | "aws"
    stack_name: str
    region: str
    stack_outputs: dict[str, str]
    custom: dict[str, Any] | None = None
    endpoint: str | None = None  # the local engine's URL
    credentials: EngineCredentials | None = None  # the local engine's; never written to amplify_outputs.json
    console_url: str | None = None  # the local engine's console, with its token
    extra: dict[str, Any] = field(default_factory=dict)
    replaced: tuple[str, ...] = ()  # one line per resource the deploy replaced or deleted, for the terminal


class ReplacementRefusedError(AmpyUserError):
    """A deploy that would delete users or identities (a user pool replaced or removed), refused; nothing changed.

    ``details`` lists each resource with the property change that replaces it and what it holds. The
    resolution says how to go ahead; the caller that knows the command (the sandbox) gives the exact one.
    """

    def __init__(self, message: str, plan: str, resolution: str | None = None) -> None:
        super().__init__(
            "ReplacementRefusedError", message,
            resolution or "Revert the change to keep the data, or deploy again allowing the replacement "
            "(that deletes the data listed above).",
            details=plan,
        )

    def with_resolution(self, resolution: str) -> "ReplacementRefusedError":
        """The same refusal with a resolution that names the exact way to go ahead."""
        return ReplacementRefusedError(self.message, self.details or "", resolution)


class SynthesizedStack(Protocol):
    """A synthesized backend stack (:class:`amplify_py.deploy.synth.SynthResult`): its name and template."""

    @property
    def stack_name(self) -> str: ...

    @property
    def template(self) -> dict[str, Any]: ...


class StackSynthesizer(Protocol):
    """Synthesizes a project's backend (:class:`amplify_py.deploy.synth.Synthesizer`, or a fake).

    ``outdir``: where to write the cloud assembly (None: no assembly on disk).
    """

    def synth(self, stack_name: str | None = None, outdir: Path | None = None) -> SynthesizedStack: ...


class Deployer(Protocol):
    """A deploy target as the sandbox drives it.

    ``assembly_dir`` tells the synthesizer where to write a cloud assembly
    (AWS deploys one; the local engine runs trigger functions from one).
    ``delete_needs_synth``: whether ``delete`` needs a fresh assembly (the CDK toolkit's destroy does; the
    local engine deletes by name, so a project that no longer synthesizes can still be deleted).
    ``deploy`` raises :class:`ReplacementRefusedError` instead of deleting users, unless ``allow_replacement``.
    """

    target: str
    stack_name: str
    assembly_dir: Path | None
    delete_needs_synth: bool

    def open(self) -> None: ...

    def deploy(self, synth_result: SynthesizedStack, *, allow_replacement: bool = False) -> Deployment: ...

    def delete(self) -> None: ...

    def close(self) -> None: ...
