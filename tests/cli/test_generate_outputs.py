"""``ampy generate outputs``: from a sandbox deployment record, or a live AWS stack (stubbed)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from amplify_py.cli import app as cli_app
from amplify_py.cli.factory import Factory, set_factory
from amplify_py.deploy.records import DeploymentRecord, save_record
from amplify_py.outputs import local_engine_custom, resolve_stack_outputs
from tests.outputs_schema import assert_valid_outputs

CASES_DIR = Path(__file__).resolve().parents[1] / "data" / "reference" / "cases"
IDS = {
    "amplifyAuthUserPool4BA7F805": "us-east-1_LocalPool1",
    "amplifyAuthUserPoolAppClient2626C6F8": "1example23456789client",
    "amplifyAuthIdentityPool3FDE84CC": "us-east-1:00000000-0000-4000-8000-000000000001",
    "amplifyAuthUserPoolUserPoolDomain1F688B5B": "myapp",
}


def _expected(case: str, region: str = "us-east-1") -> dict:
    text = (CASES_DIR / f"{case}.amplify_outputs.json").read_text()
    for logical_id, physical_id in IDS.items():
        text = text.replace("${" + logical_id + "}", physical_id)
    return json.loads(text.replace("${AWS::Region}", region))


def _stack_outputs(case: str, region: str = "us-east-1") -> dict[str, str]:
    template = json.loads((CASES_DIR / f"{case}.template.json").read_text())
    return resolve_stack_outputs(template, IDS, region)


@pytest.fixture
def ampy(monkeypatch):
    """Run ``ampy`` in-process, with only this command group registered."""

    def register() -> None:
        from amplify_py.cli import generate  # noqa: F401

    monkeypatch.setattr(cli_app, "_register_commands", register)
    monkeypatch.setenv("LOGNAME", "alice")
    return lambda *args: cli_app.main(list(args))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    save_record(
        tmp_path,
        DeploymentRecord(
            identifier="alice",
            target="local",
            stack_name="amplify-app-alice-sandbox-0123456789",
            region="us-east-1",
            stack_outputs=_stack_outputs("external_google"),
            custom=local_engine_custom("http://127.0.0.1:4566"),
            deployed_at=datetime(2026, 1, 2, tzinfo=timezone.utc),
        ),
    )
    return tmp_path


def test_writes_outputs_of_the_default_sandbox(ampy, project: Path, capsys) -> None:
    assert ampy("generate", "outputs", "--dir", str(project)) == 0
    written = project / "amplify_outputs.json"
    data = json.loads(written.read_text())
    expected = _expected("external_google")
    expected["custom"] = {
        "local_engine": {
            "user_pool_endpoint": "http://127.0.0.1:4566",
            "identity_pool_endpoint": "http://127.0.0.1:4566",
        }
    }
    assert data == expected
    assert list(data) == ["auth", "version", "custom"]
    assert_valid_outputs(data)
    assert "File written: " in capsys.readouterr().out


def test_identifier_out_dir_format_and_version(ampy, project: Path) -> None:
    save_record(
        project,
        DeploymentRecord(
            identifier="feature-1",
            target="aws",
            stack_name="amplify-app-feature-1-sandbox-99",
            region="eu-west-1",
            stack_outputs=_stack_outputs("groups", "eu-west-1"),
        ),
    )
    out_dir = project / "app" / "lib"
    args = ["--dir", str(project), "--identifier", "feature-1", "--out-dir", str(out_dir)]
    assert ampy("generate", "outputs", *args, "--format", "dart", "--outputs-version", "1.2") == 0
    text = (out_dir / "amplify_outputs.dart").read_text()
    assert text.startswith("const amplifyConfig = r'''{") and text.endswith("}''';")
    data = json.loads(text[len("const amplifyConfig = r'''") : -len("''';")])
    expected = _expected("groups", "eu-west-1")
    del expected["auth"]["groups"]  # version 1.2 has no groups
    expected["version"] = "1.2"
    assert data == expected
    assert_valid_outputs(data, "1.2")
    assert not (project / "amplify_outputs.json").exists()


def test_no_deployment_is_a_clear_error_without_traceback(ampy, tmp_path: Path, capsys) -> None:
    assert ampy("generate", "outputs", "--dir", str(tmp_path), "--identifier", "nobody") == 1
    err = capsys.readouterr().err
    assert f"Error (DeploymentNotFoundError): No sandbox deployment named nobody in {tmp_path.resolve()}." in err
    assert "Run `ampy sandbox` first" in err
    assert "Traceback" not in err
    assert not (tmp_path / "amplify_outputs.json").exists()


def test_invalid_identifier_is_reported_with_ampx_rule(ampy, tmp_path: Path, capsys) -> None:
    assert ampy("generate", "outputs", "--dir", str(tmp_path), "--identifier", "bad_name") == 1
    err = capsys.readouterr().err
    assert "Invalid --identifier provided: bad_name" in err
    assert "Use an identifier that matches [a-zA-Z0-9-] and is less than 15 characters." in err


def test_unsupported_version_is_rejected(ampy, project: Path, capsys) -> None:
    assert ampy("generate", "outputs", "--dir", str(project), "--outputs-version", "0") == 2
    assert "Invalid value for '--outputs-version'" in capsys.readouterr().err


class _StubbedFactory(Factory):
    def __init__(self, client) -> None:
        self.client = client

    def cloudformation_client(self, region: str | None = None):
        return self.client


@pytest.fixture
def cloudformation():
    client = boto3.client(
        "cloudformation", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    stubber = Stubber(client)
    previous = set_factory(_StubbedFactory(client))
    with stubber:
        yield stubber
    set_factory(previous)
    stubber.assert_no_pending_responses()


def _describe_response(status: str, outputs: dict[str, str]) -> dict:
    return {
        "Stacks": [
            {
                "StackName": "amplify-app-main-branch-abc",
                "StackStatus": status,
                "CreationTime": datetime(2026, 1, 1, tzinfo=timezone.utc),
                "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()],
            }
        ]
    }


def test_stack_reads_live_outputs(ampy, cloudformation, tmp_path: Path) -> None:
    cloudformation.add_response(
        "describe_stacks",
        _describe_response("UPDATE_COMPLETE", _stack_outputs("mfa_optional_totp_sms")),
        {"StackName": "amplify-app-main-branch-abc"},
    )
    assert ampy("generate", "outputs", "--stack", "amplify-app-main-branch-abc", "--out-dir", str(tmp_path)) == 0
    data = json.loads((tmp_path / "amplify_outputs.json").read_text())
    assert data == _expected("mfa_optional_totp_sms")
    assert_valid_outputs(data)


def test_stack_that_does_not_exist(ampy, cloudformation, tmp_path: Path, capsys) -> None:
    cloudformation.add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message="Stack with id missing does not exist",
        http_status_code=400,
    )
    assert ampy("generate", "outputs", "--stack", "missing", "--out-dir", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert "Error (StackDoesNotExistError): Stack does not exist." in err
    assert "Traceback" not in err


def test_stack_still_deploying(ampy, cloudformation, tmp_path: Path, capsys) -> None:
    cloudformation.add_response("describe_stacks", _describe_response("UPDATE_IN_PROGRESS", {}))
    assert ampy("generate", "outputs", "--stack", "amplify-app-main-branch-abc", "--out-dir", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert "Error (DeploymentInProgressError): Deployment is currently in progress." in err
    assert "Re-run this command once the deployment completes." in err


def test_stack_without_outputs(ampy, cloudformation, tmp_path: Path, capsys) -> None:
    cloudformation.add_response("describe_stacks", _describe_response("CREATE_COMPLETE", {}))
    assert ampy("generate", "outputs", "--stack", "amplify-app-main-branch-abc", "--out-dir", str(tmp_path)) == 1
    assert "Error (AmplifyOutputsNotFoundError): Amplify outputs not found in stack metadata" in capsys.readouterr().err


def test_access_denied(ampy, cloudformation, tmp_path: Path, capsys) -> None:
    cloudformation.add_client_error(
        "describe_stacks", service_error_code="AccessDenied", service_message="not authorized", http_status_code=403
    )
    assert ampy("generate", "outputs", "--stack", "s", "--out-dir", str(tmp_path)) == 1
    assert "Unable to get backend outputs due to insufficient permissions." in capsys.readouterr().err


def test_stack_and_identifier_conflict(ampy, tmp_path: Path, capsys) -> None:
    assert ampy("generate", "outputs", "--stack", "s", "--identifier", "alice", "--dir", str(tmp_path)) == 1
    assert "--stack and --identifier cannot be used together." in capsys.readouterr().err
