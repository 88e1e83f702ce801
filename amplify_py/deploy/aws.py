"""The AWS deploy target: the synthesizer writes a cloud assembly, the CDK toolkit deploys it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from amplify_py.deploy.cdk import ResourceEvent
from amplify_py.deploy.deployment import Deployment, SynthesizedStack
from amplify_py.errors import AmpyUserError

__all__ = ["AwsDeployer", "Toolkit", "assembly_dir_for", "region_from_outputs"]


class Toolkit(Protocol):
    """What the AWS target needs of the CDK toolkit (:class:`amplify_py.deploy.cdk.CdkToolkit`)."""

    def deploy(self, assembly_dir: Path, stack_name: str, outputs_file: Path, *, hotswap: bool = False,
               on_event: Callable[[ResourceEvent], None] | None = None,
               on_line: Callable[[str], None] | None = None) -> dict[str, str]: ...

    def destroy(self, assembly_dir: Path, stack_name: str, *,
                on_event: Callable[[ResourceEvent], None] | None = None,
                on_line: Callable[[str], None] | None = None) -> None: ...


def assembly_dir_for(project_dir: Path) -> Path:
    """Where the cloud assembly goes (ampx uses .amplify/artifacts/cdk.out too)."""
    return project_dir / ".amplify" / "artifacts" / "cdk.out"


def region_from_outputs(stack_outputs: dict[str, str]) -> str:
    """The deployment's region: Amplify's auth construct outputs it as ``authRegion``."""
    region = stack_outputs.get("authRegion") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise AmpyUserError(
            "MissingStackOutputsError",
            "The deployed stack has no `authRegion` output, so its region is unknown.",
            "Set AWS_REGION to the region you deploy to and run the command again.",
        )
    return region


class AwsDeployer:
    """Deploys one backend stack (a sandbox or a branch) with the CDK toolkit."""

    target = "aws"
    delete_needs_synth = True  # `cdk destroy` reads the stack from the cloud assembly

    def __init__(
        self,
        project_dir: Path,
        stack_name: str,
        toolkit: Toolkit,
        *,
        hotswap: bool = True,
        on_event: Callable[[ResourceEvent], None] | None = None,
        on_line: Callable[[str], None] | None = None,
    ) -> None:
        self.project_dir = project_dir
        self.stack_name = stack_name
        self.toolkit = toolkit
        self.hotswap = hotswap
        self.assembly_dir: Path | None = assembly_dir_for(project_dir)
        self.outputs_file = project_dir / ".amplify" / "artifacts" / f"{stack_name}.outputs.json"
        self._on_event = on_event
        self._on_line = on_line

    def open(self) -> None:
        return None

    def deploy(self, synth_result: SynthesizedStack | None, *, allow_replacement: bool = False) -> Deployment:
        """Deploy the cloud assembly the synthesizer wrote to ``assembly_dir`` (``synth_result`` is not read).

        ``allow_replacement`` is not read: on AWS, CloudFormation decides (and fails visibly) when a user pool
        cannot be updated in place.
        """
        assert self.assembly_dir is not None
        stack_outputs = self.toolkit.deploy(
            self.assembly_dir, self.stack_name, self.outputs_file,
            hotswap=self.hotswap, on_event=self._on_event, on_line=self._on_line,
        )
        return Deployment(
            target="aws", stack_name=self.stack_name, region=region_from_outputs(stack_outputs),
            stack_outputs=stack_outputs, custom=None,
        )

    def delete(self) -> None:
        """``cdk destroy --force`` on the stack; the assembly must hold it (the caller synthesizes first)."""
        assert self.assembly_dir is not None
        self.toolkit.destroy(self.assembly_dir, self.stack_name, on_event=self._on_event, on_line=self._on_line)
        self.outputs_file.unlink(missing_ok=True)

    def close(self) -> None:
        return None
