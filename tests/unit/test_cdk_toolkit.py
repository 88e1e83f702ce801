"""The AWS target without AWS: exact toolkit command lines, error mapping, progress parsing, outputs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from amplify_py.deploy.aws import AwsDeployer
from amplify_py.deploy.cdk import CDK_CLI_VERSION, CdkToolkit, RunResult, parse_progress_line, read_outputs_file
from amplify_py.deploy.cdk_errors import map_cdk_failure
from amplify_py.errors import AmpyUserError
from amplify_py.outputs.convert import build_outputs

DATA = Path(__file__).resolve().parents[1] / "data"
CDK_DATA = DATA / "cdk"
STACK = "amplify-notesapp-alice-sandbox-1a2b3c4d5e"


class FakeRunner:
    """Records each command line and replays recorded toolkit output (and an outputs file)."""

    def __init__(self, output: str, exit_code: int = 0, outputs_file: Path | None = None) -> None:
        self.output, self.exit_code, self.outputs_file = output, exit_code, outputs_file
        self.calls: list[tuple[list[str], dict[str, str], Path]] = []

    def __call__(self, argv: Sequence[str], env: dict[str, str], cwd: Path, on_line: Callable[[str], None]) -> RunResult:
        self.calls.append((list(argv), env, cwd))
        for line in self.output.splitlines():
            on_line(line)
        if self.outputs_file is not None and "--outputs-file" in argv:
            target = Path(argv[argv.index("--outputs-file") + 1])
            shutil.copy(self.outputs_file, target)
        return RunResult(self.exit_code, self.output)


def test_deploy_command_line_is_exact(tmp_path: Path) -> None:
    toolkit = CdkToolkit(tmp_path, profile="dev")
    argv = toolkit.deploy_command(tmp_path / "cdk.out", STACK, tmp_path / "out.json", hotswap=True)
    assert argv == [
        "npx", "--yes", f"aws-cdk@{CDK_CLI_VERSION}", "deploy", "--app", str(tmp_path / "cdk.out"), STACK,
        "--ci", "--no-color", "--no-notices", "--no-version-reporting", "--profile", "dev",
        "--require-approval", "never", "--outputs-file", str(tmp_path / "out.json"), "--progress", "events",
        "--hotswap-fallback", "--method=direct",
    ]


def test_branch_deploy_has_no_hotswap_and_no_profile(tmp_path: Path) -> None:
    argv = CdkToolkit(tmp_path).deploy_command(tmp_path / "cdk.out", STACK, tmp_path / "o.json", hotswap=False)
    assert "--hotswap-fallback" not in argv and "--profile" not in argv
    assert argv[:4] == ["npx", "--yes", f"aws-cdk@{CDK_CLI_VERSION}", "deploy"]


def test_destroy_command_line_is_exact(tmp_path: Path) -> None:
    argv = CdkToolkit(tmp_path, profile="dev").destroy_command(tmp_path / "cdk.out", STACK)
    assert argv == [
        "npx", "--yes", f"aws-cdk@{CDK_CLI_VERSION}", "destroy", "--app", str(tmp_path / "cdk.out"), STACK,
        "--ci", "--no-color", "--no-notices", "--no-version-reporting", "--profile", "dev", "--force",
    ]


def test_version_is_pinned_exactly() -> None:
    parts = CDK_CLI_VERSION.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_progress_lines_are_parsed() -> None:
    events = [e for line in (CDK_DATA / "deploy_progress_events.txt").read_text().splitlines()
              if (e := parse_progress_line(line)) is not None]
    assert len(events) == 8
    pool = events[4]
    assert (pool.stack, pool.status, pool.resource_type, pool.logical_id, pool.done, pool.total) == (
        STACK, "CREATE_COMPLETE", "AWS::Cognito::UserPool", "auth/amplifyAuth/UserPool", 1, 10)
    assert events[3].reason == "Resource creation Initiated" and events[2].reason == ""
    assert events[-1].status == "CREATE_COMPLETE" and events[-1].resource_type == "AWS::CloudFormation::Stack"
    assert parse_progress_line("amplify-x: deploying... [1/1]") is None
    assert parse_progress_line(" ✅  amplify-x") is None


def test_failed_event_is_flagged() -> None:
    event = parse_progress_line(
        f"{STACK} | 2/10 | 10:01:15 AM | CREATE_FAILED        | AWS::Cognito::UserPoolClient | "
        "auth/amplifyAuth/UserPoolAppClient (amplifyAuthUserPoolAppClient2626C6F8) Resource handler returned message: "
        "\"Invalid callback URL\""
    )
    assert event is not None and event.failed
    assert event.reason.startswith("Resource handler returned message")


def test_deploy_streams_events_and_returns_outputs_that_make_amplify_outputs(tmp_path: Path) -> None:
    runner = FakeRunner((CDK_DATA / "deploy_progress_events.txt").read_text(), outputs_file=CDK_DATA / "outputs.json")
    seen: list = []
    deployer = AwsDeployer(tmp_path, STACK, CdkToolkit(tmp_path, runner=runner), on_event=seen.append)
    deployment = deployer.deploy(None)
    argv, env, cwd = runner.calls[0]
    assert argv[3] == "deploy" and argv[argv.index("--app") + 1] == str(tmp_path / ".amplify" / "artifacts" / "cdk.out")
    assert cwd == tmp_path and env["NO_COLOR"] == "1"
    assert len(seen) == 8
    assert deployment.region == "us-east-1" and deployment.target == "aws"
    # The recorded outputs become the reference amplify_outputs.json of the email_default case.
    expected = (DATA / "reference" / "cases" / "email_default.amplify_outputs.json").read_text()
    for logical_id, value in {
        "amplifyAuthUserPool4BA7F805": "us-east-1_AbCdEfGhI",
        "amplifyAuthUserPoolAppClient2626C6F8": "1example23456789client",
        "amplifyAuthIdentityPool3FDE84CC": "us-east-1:00000000-0000-4000-8000-000000000001",
    }.items():
        expected = expected.replace("${" + logical_id + "}", value)
    expected = expected.replace("${AWS::Region}", "us-east-1")
    built = build_outputs(deployment.stack_outputs).model_dump(mode="json", by_alias=True, exclude_none=True)
    assert built["auth"] == json.loads(expected)["auth"]


def test_no_credentials_recorded_from_the_real_toolkit(tmp_path: Path) -> None:
    recorded = (CDK_DATA / "deploy_no_credentials.txt").read_text()
    runner = FakeRunner(recorded, exit_code=1)
    with pytest.raises(AmpyUserError, match="No AWS credentials were found") as info:
        CdkToolkit(tmp_path, runner=runner).deploy(tmp_path / "cdk.out", STACK, tmp_path / "o.json")
    assert info.value.name == "NoCredentialsError"
    assert "--profile" in info.value.resolution


@pytest.mark.parametrize(
    ("stderr", "name", "message"),
    [
        ("❌  amplify-a-b-sandbox-c failed: ExpiredToken: The security token included in the request is expired",
         "ExpiredTokenError", "The security token included in the request is invalid."),
        ("InvalidClientTokenId: The security token included in the request is invalid",
         "ExpiredTokenError", "The security token included in the request is invalid."),
        ("Need to perform AWS calls for account 123456789012, but no credentials have been configured",
         "NoCredentialsError", "No AWS credentials were found"),
        ("The config profile (dev) could not be found", "ProfileNotFoundError", "--profile does not exist"),
        ("❌  amplify-a-b-sandbox-c failed: SSM parameter /cdk-bootstrap/hnb659fds/version not found. Has the "
         "environment been bootstrapped? Please run 'cdk bootstrap' (see https://docs.aws.amazon.com/cdk/latest/"
         "guide/bootstrapping.html)", "BootstrapNotDetectedError", "has not been bootstrapped"),
        ("amplify-a-b-sandbox-c: This stack uses assets, so the toolkit stack must be deployed to the environment "
         "(Run \"cdk bootstrap aws://123456789012/us-east-1\")", "BootstrapNotDetectedError", "has not been bootstrapped"),
        ("This CDK deployment requires bootstrap stack version '6', found '5'. Please run 'cdk bootstrap'.",
         "BootstrapOutdatedError", "outdated CDK bootstrap stack"),
        ("This CDK deployment requires bootstrap stack version '6', but during the confirmation via SSM parameter "
         "/cdk-bootstrap/hnb659fds/version the following error occurred: AccessDeniedException",
         "BootstrapDetectionError", "due to permission issues"),
        ("❌  amplify-a-b-sandbox-c failed: AccessDenied: User: arn:aws:iam::123456789012:user/bob is not authorized "
         "to perform: cloudformation:CreateChangeSet on resource: arn:aws:cloudformation:us-east-1:123456789012:stack/x "
         "because no identity-based policy allows the cloudformation:CreateChangeSet action",
         "AccessDeniedError", "insufficient permissions"),
        ("Access Denied", "AccessDeniedError", "does not have sufficient permissions"),
        ("❌  amplify-notesapp-alice-sandbox-1a2b3c4d5e failed: ValidationError: Stack:arn:aws:cloudformation:"
         "us-east-1:123456789012:stack/amplify-notesapp-alice-sandbox-1a2b3c4d5e/0f6b is in UPDATE_ROLLBACK_FAILED "
         "state and can not be updated.", "CloudFormationDeploymentError",
         "amplify-notesapp-alice-sandbox-1a2b3c4d5e being in UPDATE_ROLLBACK_FAILED state"),
        ("\x1b[31m  some-stack failed: The stack named some-stack failed creation, it may need to be manually deleted "
         "from the AWS console: ROLLBACK_COMPLETE", "CloudFormationDeploymentError", "failed creation"),
        ("❌ Deployment failed: Error: something bad happened\n and after", "CloudFormationDeploymentError",
         "The CloudFormation deployment has failed."),
        ("CFN error happened: Invalid AttributeDataType input, consider using the provided AttributeDataType enum",
         "CFNUpdateNotSupportedError", "User pool attributes cannot be changed"),
        ("Another CLI (PID=22981) is currently synthing to .amplify/artifacts/cdk.out. Invoke the CLI in sequence",
         "MultipleSandboxInstancesError", "Multiple sandbox instances detected."),
        ("npm error code ENOTFOUND\nnpm error network request to https://registry.npmjs.org/aws-cdk failed",
         "CDKToolkitInstallError", "could not download the aws-cdk toolkit"),
    ],
)
def test_known_failures_map_to_user_errors(stderr: str, name: str, message: str) -> None:
    error = map_cdk_failure("some preamble\n" + stderr + "\n")
    assert isinstance(error, AmpyUserError)
    assert error.name == name
    assert message in error.message
    assert error.resolution


def test_unknown_failure_carries_the_toolkit_last_lines() -> None:
    output = "\n".join(f"line {i}" for i in range(40)) + "\nSomething nobody has seen before"
    error = map_cdk_failure(output, action="deploy", exit_code=3)
    assert error.name == "CDKDeploymentError"
    assert "exit code 3" in error.message
    assert "Something nobody has seen before" in error.message and "line 39" in error.message
    assert "line 10" not in error.message


def test_destroy_failure_is_mapped(tmp_path: Path) -> None:
    runner = FakeRunner("The stack named amplify-a-b-sandbox-c is in a failed state. You may need to delete it from "
                        "the AWS console : DELETE_FAILED (The following resource(s) failed to delete: [Pool]. )", 1)
    with pytest.raises(AmpyUserError, match="DELETE_FAILED state"):
        CdkToolkit(tmp_path, runner=runner).destroy(tmp_path / "cdk.out", "amplify-a-b-sandbox-c")
    assert runner.calls[0][0][3] == "destroy"


def test_outputs_file_problems_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(AmpyUserError, match="wrote no outputs file"):
        read_outputs_file(tmp_path / "missing.json", STACK)
    (tmp_path / "o.json").write_text(json.dumps({"other-stack": {}}))
    with pytest.raises(AmpyUserError, match=f"has no outputs for stack {STACK}"):
        read_outputs_file(tmp_path / "o.json", STACK)


def test_destroy_without_credentials_recorded_from_the_real_toolkit(tmp_path: Path) -> None:
    runner = FakeRunner((CDK_DATA / "destroy_no_credentials.txt").read_text(), exit_code=1)
    with pytest.raises(AmpyUserError, match="No AWS credentials were found"):
        CdkToolkit(tmp_path, runner=runner).destroy(tmp_path / "cdk.out", STACK)
