"""What every deploy target returns, and the shape a deploy target has."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = ["Deployment", "Deployer"]


@dataclass(frozen=True)
class Deployment:
    """A finished deployment: enough to write amplify_outputs.json and the deployment record."""

    target: str  # "local" | "aws"
    stack_name: str
    region: str
    stack_outputs: dict[str, str]
    custom: dict[str, Any] | None = None
    endpoint: str | None = None  # the local engine's URL
    extra: dict[str, Any] = field(default_factory=dict)


class Deployer(Protocol):
    """A deploy target as the sandbox drives it.

    ``assembly_dir`` tells the synthesizer where to write a cloud assembly
    (AWS needs one; the local engine reads the template dict, so None).
    """

    target: str
    stack_name: str
    assembly_dir: Path | None

    def open(self) -> None: ...

    def deploy(self, synth_result: Any) -> Deployment: ...

    def delete(self) -> None: ...

    def close(self) -> None: ...
