"""``ampy pipeline-deploy``: deploy a branch's backend to AWS from a CI/CD pipeline, then write its outputs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

import typer

from amplify_py.cli._common import OutputsFormat, app, debug_enabled, debug_option, dir_option, resolve_project
from amplify_py.cli.factory import get_factory
from amplify_py.errors import AmpyUserError

__all__ = ["pipeline_deploy", "is_ci"]

# The generic variables the `is-ci` package (what ampx uses) recognises, plus common vendors'.
_CI_VARIABLES = (
    "CI", "CONTINUOUS_INTEGRATION", "BUILD_ID", "BUILD_NUMBER", "RUN_ID", "CI_APP_ID", "CI_BUILD_ID",
    "CI_BUILD_NUMBER", "CI_NAME", "GITHUB_ACTIONS", "GITLAB_CI", "CODEBUILD_BUILD_ARN", "AWS_APP_ID",
    "JENKINS_URL", "BUILDKITE", "CIRCLECI", "TF_BUILD",
)


def is_ci(env: Mapping[str, str] | None = None) -> bool:
    """True in a CI/CD environment, as `is-ci` decides (``CI=false`` turns it off)."""
    env = os.environ if env is None else env
    if env.get("CI", "").lower() == "false":
        return False
    return any(env.get(name) for name in _CI_VARIABLES)


@app.command("pipeline-deploy")
def pipeline_deploy(
    branch: str = typer.Option(..., "--branch", help="Name of the git branch being deployed."),
    app_id: str = typer.Option(..., "--app-id", help="The app id of the target Amplify app."),
    outputs_out_dir: Optional[Path] = typer.Option(None, "--outputs-out-dir", help="A path to directory where amplify_outputs is written. Defaults to the project directory."),
    outputs_version: str = typer.Option("1.5", "--outputs-version", help="Version of amplify_outputs: 1, 1.1, 1.2, 1.3, 1.4 or 1.5."),
    outputs_format: OutputsFormat = typer.Option(OutputsFormat.json, "--outputs-format", help="amplify_outputs file format."),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option("Show tracebacks and the toolkit's full output."),
) -> None:
    """Command to deploy backends in a custom CI/CD pipeline. This command is not intended to be used locally."""
    from amplify_py._node import ensure_jsii_node
    from amplify_py.sandbox.console import SandboxConsole
    from amplify_py.backend.identifier import BackendIdentifier
    from amplify_py.outputs.model import OUTPUTS_VERSIONS

    debug = debug or debug_enabled()
    if not is_ci():
        raise AmpyUserError(
            "RunningPipelineDeployNotInCiError",
            "It looks like this command is being run outside of a CI/CD workflow.",
            "To deploy locally use `ampy sandbox` instead.",
        )
    problems = [f"--{name} must be at least 1 character" for name, value in (("branch", branch), ("app-id", app_id))
                if not value.strip()]
    if outputs_version not in OUTPUTS_VERSIONS:
        problems.append(f"--outputs-version must be one of {', '.join(OUTPUTS_VERSIONS)}")
    if problems:
        raise AmpyUserError("InvalidCommandInputError", "\n".join(problems), "Provide all required arguments")
    project = resolve_project(dir_, "ampy pipeline-deploy")
    ensure_jsii_node()
    factory = get_factory()
    console = SandboxConsole(debug=debug)
    backend_id = BackendIdentifier.branch(app_id, branch)
    stack_name = backend_id.stack_name
    deployer = factory.deployer(target="aws", project_dir=project, identifier=branch, stack_name=stack_name,
                                console=console, hotswap=False)
    publisher = factory.outputs_publisher(
        project, out_dir=(outputs_out_dir if outputs_out_dir is None or outputs_out_dir.is_absolute()
                          else project / outputs_out_dir),
        format=outputs_format.value, version=outputs_version)
    with console.step("Synthesizing backend"):
        synthesized = factory.synthesizer(project, backend_id=backend_id).synth(stack_name=stack_name,
                                                                                outdir=deployer.assembly_dir)
    with console.step(f"Deploying {stack_name} to AWS"):
        deployment = deployer.deploy(synthesized)
    with console.step("Writing outputs"):
        path = publisher.publish(stack_name, deployment)
    console.success(f"Deployed {stack_name}. Outputs written to {path}.")
