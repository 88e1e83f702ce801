"""``ampy generate outputs``: write amplify_outputs from an existing deployment, without deploying."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from amplify_py.cli._common import OutputsFormat, app, debug_option
from amplify_py.cli.factory import get_factory
from amplify_py.errors import AmpyUserError

__all__ = ["generate_app", "fetch_stack_outputs"]

generate_app = typer.Typer(help="Generate files from a deployed backend.", no_args_is_help=True)
app.add_typer(generate_app, name="generate")


class _Version(str, Enum):
    v1 = "1"
    v1_1 = "1.1"
    v1_2 = "1.2"
    v1_3 = "1.3"
    v1_4 = "1.4"
    v1_5 = "1.5"


@generate_app.command("outputs")
def outputs(
    project_dir: Path = typer.Option(Path("."), "--dir", help="The project directory (holds amplify/ and .amplify/)."),
    identifier: str | None = typer.Option(
        None, "--identifier", help="The sandbox identifier. Default: your OS user name, as for `ampy sandbox`."
    ),
    stack: str | None = typer.Option(
        None, "--stack", help="Read the live outputs of this AWS CloudFormation stack instead of a sandbox record."
    ),
    out_dir: Path | None = typer.Option(None, "--out-dir", help="Where to write the file. Default: the project directory."),
    format: OutputsFormat = typer.Option(OutputsFormat.json, "--format", help="json writes amplify_outputs.json, dart amplify_outputs.dart."),  # noqa: A002
    outputs_version: _Version = typer.Option(_Version.v1_5, "--outputs-version", help="Schema version of the outputs."),
    debug: bool = debug_option(),
) -> None:
    """Write amplify_outputs for an existing deployment (the sandbox's, or --stack on AWS)."""
    from amplify_py.deploy.records import default_identifier, load_record, outputs_for_record, validate_identifier
    from amplify_py.outputs.convert import build_outputs
    from amplify_py.outputs.writers import write_outputs

    if stack and identifier:
        raise AmpyUserError(
            "InvalidCommandInputError",
            "--stack and --identifier cannot be used together.",
            "Pass --stack to read an AWS stack, or --identifier to read a sandbox deployment.",
        )
    if stack:
        result = build_outputs(fetch_stack_outputs(stack), version=outputs_version.value)
    else:
        name = validate_identifier(identifier) if identifier else default_identifier()
        record = load_record(project_dir, name)
        result = outputs_for_record(record, outputs_version.value)
    path = write_outputs(result, out_dir if out_dir is not None else project_dir, format.value)
    typer.echo(f"File written: {_display_path(path)}")
    if not stack and record.target == "local":
        _say_if_the_engine_stopped(project_dir, name, record.custom)


def _say_if_the_engine_stopped(project_dir: Path, name: str, custom: dict[str, Any]) -> None:
    """The outputs point at the local engine: say so when it is not running, and how to start it again."""
    from amplify_py.deploy.background_engine import StoppedServer, not_running_message, server_status
    from amplify_py.sandbox.identifiers import identifier_flag
    from amplify_py.sandbox.state import sandbox_state_dir

    endpoint = (custom.get("local_engine") or {}).get("user_pool_endpoint")
    status = server_status(sandbox_state_dir(project_dir.resolve(), name), endpoint=endpoint)
    if isinstance(status, StoppedServer):
        typer.echo(not_running_message(status, name, f"ampy sandbox --once{identifier_flag(name)}"), err=True)


def fetch_stack_outputs(stack_name: str) -> dict[str, str]:
    """The resolved outputs of a deployed CloudFormation stack, with Amplify's error names."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    try:
        client = get_factory().cloudformation_client()
        response: dict[str, Any] = client.describe_stacks(StackName=stack_name)
    except NoRegionError as exc:
        raise AmpyUserError(
            "InvalidCredentialError",
            "No AWS region is configured, so the stack cannot be found.",
            "Set AWS_REGION (or a region in your AWS profile) and re-run this command.",
        ) from exc
    except NoCredentialsError as exc:
        raise _credentials_error() from exc
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        message = exc.response.get("Error", {}).get("Message", "")
        if code == "ValidationError" and "does not exist" in message:
            raise AmpyUserError(
                "StackDoesNotExistError",
                "Stack does not exist.",
                "Ensure the CloudFormation stack ID or Amplify App ID and branch specified are correct and exists,"
                " then re-run this command.",
            ) from exc
        if code in ("AccessDenied", "AccessDeniedException"):
            raise AmpyUserError(
                "AccessDeniedError",
                "Unable to get backend outputs due to insufficient permissions.",
                "Ensure you have permissions to call cloudformation:DescribeStacks.",
            ) from exc
        if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"):
            raise _credentials_error() from exc
        raise
    except BotoCoreError as exc:
        raise AmpyUserError(
            "CloudFormationError",
            f"Could not read stack {stack_name}: {exc}",
            "Check your network and AWS configuration, then re-run this command.",
        ) from exc
    stacks = response.get("Stacks") or []
    if not stacks:
        raise AmpyUserError(
            "StackDoesNotExistError",
            "Stack does not exist.",
            "Ensure the CloudFormation stack ID or Amplify App ID and branch specified are correct and exists,"
            " then re-run this command.",
        )
    description = stacks[0]
    if str(description.get("StackStatus", "")).endswith("_IN_PROGRESS"):
        raise AmpyUserError(
            "DeploymentInProgressError",
            "Deployment is currently in progress.",
            "Re-run this command once the deployment completes.",
        )
    outputs = {o["OutputKey"]: o.get("OutputValue", "") for o in description.get("Outputs") or []}
    if not outputs:
        raise AmpyUserError(
            "AmplifyOutputsNotFoundError",
            "Amplify outputs not found in stack metadata",
            "Ensure the CloudFormation stack ID or Amplify App ID and branch specified are correct and exists."
            " If this is a new sandbox or branch deployment, wait for the deployment to be successfully finished"
            " and try again.",
        )
    return outputs


def _credentials_error() -> AmpyUserError:
    return AmpyUserError(
        "CredentialsError",
        "Unable to get backend outputs due to invalid credentials.",
        "Ensure your AWS credentials are correctly set and refreshed.",
    )


def _display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
