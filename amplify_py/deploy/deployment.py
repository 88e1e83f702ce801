"""What every deploy target returns, and the shapes of a deploy target and of a synthesizer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = ["Deployment", "Deployer", "EngineCredentials", "StackSynthesizer", "SynthesizedStack"]


@dataclass(frozen=True)
class EngineCredentials:
    """The local engine's AWS credentials, which its admin (IAM-authorized) operations must be signed with, and
    the file that holds them (boto3's keyword arguments, readable by its owner only)."""

    access_key_id: str
    secret_access_key: str
    region: str
    path: Path


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
    extra: dict[str, Any] = field(default_factory=dict)


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
    """

    target: str
    stack_name: str
    assembly_dir: Path | None

    def open(self) -> None: ...

    def deploy(self, synth_result: SynthesizedStack) -> Deployment: ...

    def delete(self) -> None: ...

    def close(self) -> None: ...
