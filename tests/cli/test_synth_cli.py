"""``ampy synth``, ``ampy init`` and the hidden ``ampy cdk-app``, run in-process (one warm CDK runtime)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from amplify_py.cli.app import main
from tests._reference import load_reference, normalize

REPO_ROOT = Path(__file__).resolve().parents[2]


def _copy_example(tmp_path: Path, name: str = "myapp") -> Path:
    project = tmp_path / name
    shutil.copytree(REPO_ROOT / "amplify", project / "amplify", ignore=shutil.ignore_patterns("__pycache__"))
    return project


def test_synth_example_project_writes_the_reference_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _copy_example(tmp_path)
    assert main(["synth", "--dir", str(project)]) == 0
    written = project / ".amplify" / "synth" / "amplify-myapp.template.json"
    template = json.loads(written.read_text())
    # The example is the seed's first example: email sign-in, i.e. the email_default reference case.
    assert normalize(template)["Resources"] == normalize(load_reference("email_default"))["Resources"]
    assert template["Outputs"] == load_reference("email_default")["Outputs"]
    out = capsys.readouterr().out
    assert "Synthesized amplify-myapp: 6 resources" in out
    assert "AWS::IAM::Role" in out and "2" in out
    assert not list(written.parent.glob(".*"))  # no temporary files left behind


def test_synth_out_option_and_resynth_sees_edits(tmp_path: Path) -> None:
    project = _copy_example(tmp_path)
    out = tmp_path / "out"
    assert main(["synth", "--dir", str(project), "--out", str(out)]) == 0
    first = json.loads((out / "amplify-myapp.template.json").read_text())
    assert "amplifyADMINSGroup50EC39D2" not in first["Resources"]
    resource = project / "amplify" / "auth" / "resource.py"
    resource.write_text(resource.read_text().replace("},\n)", "},\n    groups=['ADMINS'],\n)"))
    assert main(["synth", "--dir", str(project), "--out", str(out)]) == 0
    second = json.loads((out / "amplify-myapp.template.json").read_text())
    assert second["Resources"]["amplifyAuthADMINSGroup50EC39D2"]["Properties"]["GroupName"] == "ADMINS"


def test_validation_error_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _copy_example(tmp_path)
    (project / "amplify" / "auth" / "resource.py").write_text(
        "from amplify_py import define_auth\n"
        "auth = define_auth(login_with={'email': True}, userAttributes={'familyName': {'mutable': True}})\n"
    )
    assert main(["synth", "--dir", str(project)]) == 1
    err = capsys.readouterr().err
    assert "Error (InvalidDefinitionError)" in err
    assert "write 'user_attributes' instead of 'userAttributes'" in err
    assert "resource.py:2)" in err  # where define_auth was called
    assert "Traceback" not in err


def test_define_backend_rejects_other_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _copy_example(tmp_path)
    (project / "amplify" / "backend.py").write_text("from amplify_py import define_backend\nbackend = define_backend(auth=1)\n")
    assert main(["synth", "--dir", str(project)]) == 1
    err = capsys.readouterr().err
    assert "expects the result of define_auth(...), got int" in err and "backend.py:2)" in err


def test_validation_error_with_traceback_under_debug(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _copy_example(tmp_path)
    (project / "amplify" / "auth" / "resource.py").write_text(
        "from amplify_py import define_auth\nauth = define_auth(login_with={})\n"
    )
    assert main(["--debug", "synth", "--dir", str(project)]) == 1
    err = capsys.readouterr().err
    assert "At least one of email or phone must be enabled." in err
    assert "Traceback" in err


def test_user_exception_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _copy_example(tmp_path)
    (project / "amplify" / "auth" / "resource.py").write_text("x = 1\nraise RuntimeError('boom')\n")
    assert main(["synth", "--dir", str(project)]) == 1
    err = capsys.readouterr().err
    assert "resource.py:2: RuntimeError: boom" in err


def test_syntax_error_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _copy_example(tmp_path)
    (project / "amplify" / "backend.py").write_text("backend = (\n")
    assert main(["synth", "--dir", str(project)]) == 1
    err = capsys.readouterr().err
    assert "Error (SyntaxError)" in err and "backend.py:1" in err


def test_missing_backend_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _copy_example(tmp_path)
    (project / "amplify" / "backend.py").write_text("from amplify.auth.resource import auth\n")
    assert main(["synth", "--dir", str(project)]) == 1
    assert "must define a module-level 'backend'" in capsys.readouterr().err


def test_no_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--dir", str(tmp_path)]) == 1
    assert "No backend definition found" in capsys.readouterr().err


def test_init_then_synth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "fresh-app"
    project.mkdir()
    assert main(["init", "--dir", str(project)]) == 0
    assert (project / "amplify" / "backend.py").is_file()
    assert (project / "amplify" / "auth" / "resource.py").is_file()
    assert "created amplify/backend.py" in capsys.readouterr().out
    assert main(["synth", "--dir", str(project)]) == 0
    template = json.loads((project / ".amplify" / "synth" / "amplify-fresh-app.template.json").read_text())
    assert template["Resources"]["amplifyAuthUserPool4BA7F805"]["Type"] == "AWS::Cognito::UserPool"
    # refuses to overwrite
    assert main(["init", "--dir", str(project)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_cdk_app_writes_a_cloud_assembly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _copy_example(tmp_path)
    outdir = tmp_path / "cdk.out"
    monkeypatch.setenv("CDK_OUTDIR", str(outdir))
    assert main(["cdk-app", "--dir", str(project)]) == 0
    manifest = json.loads((outdir / "manifest.json").read_text())
    stack = manifest["artifacts"]["amplify-myapp"]
    assert stack["type"] == "aws:cloudformation:stack"
    template = json.loads((outdir / stack["properties"]["templateFile"]).read_text())
    assert "amplifyAuthUserPool4BA7F805" in template["Resources"]


def test_cdk_app_needs_cdk_outdir(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CDK_OUTDIR", raising=False)
    assert main(["cdk-app"]) == 1
    assert "CDK_OUTDIR is not set" in capsys.readouterr().err
    assert os.environ.get("CDK_OUTDIR") is None


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (["synth"], "BackendNotFoundError"),
        (["init"], "ProjectAlreadyInitializedError"),
        (["generate", "outputs"], "DeploymentNotFoundError"),
        (["sandbox"], "FileConventionError"),
        (["sandbox", "delete", "--yes"], "FileConventionError"),
        (["sandbox", "stop"], "FileConventionError"),
    ],
)
def test_debug_after_any_command_adds_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], error: str
) -> None:
    (tmp_path / "amplify").touch()  # a file, not a folder: every command above fails before doing any work
    assert main([*command, "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"Error ({error})" in err and "Traceback" not in err
    assert main([*command, "--dir", str(tmp_path), "--debug"]) == 1
    err = capsys.readouterr().err
    assert f"Error ({error})" in err and "Traceback" in err


def test_local_serve_accepts_debug(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.template.json"
    assert main(["local", "serve", "--state-dir", str(tmp_path), "--template", str(missing), "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Error (TemplateUnreadableError)" in err and "Traceback" in err


def test_escape_hatch_the_cdk_rejects_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _copy_example(tmp_path)
    (project / "amplify" / "backend.py").write_text(
        "from aws_cdk import aws_iam as iam\n"
        "from amplify_py import define_backend\n"
        "from amplify.auth.resource import auth\n"
        "backend = define_backend(auth=auth)\n"
        "backend.auth.resources.authenticated_user_iam_role.add_to_principal_policy(\n"
        "    iam.PolicyStatement(actions=['s3:GetObject'])\n"  # no resources: the CDK refuses it at synth
        ")\n"
    )
    assert main(["synth", "--dir", str(project)]) == 1
    err = capsys.readouterr().err
    assert "Error (SynthError)" in err and "Internal error" not in err
    assert "backend.py: the CDK rejected the backend's configuration" in err
    assert "must specify at least one resource" in err


def test_escape_hatch_value_the_cdk_refuses_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _copy_example(tmp_path)
    (project / "amplify" / "backend.py").write_text(
        "from amplify_py import define_backend\n"
        "from amplify.auth.resource import auth\n"
        "backend = define_backend(auth=auth)\n"
        "pool = backend.auth.resources.cfn_resources.cfn_user_pool\n"
        "pool.policies = {'passwordPolicy': {'minimumLength': 'eight'}}\n"
    )
    assert main(["synth", "--dir", str(project)]) == 1
    err = capsys.readouterr().err
    assert "Error (BackendLoadError)" in err
    assert "backend.py:5: RuntimeError" in err and "Value is not a number" in err


def test_bug_inside_the_construct_is_an_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from amplify_py.backend.auth import defaults

    project = _copy_example(tmp_path)
    # A defaults table our construct spreads into cognito.AuthFlow(...): the TypeError is raised in construct.py.
    monkeypatch.setattr(defaults, "AUTH_FLOWS", {**defaults.AUTH_FLOWS, "no_such_flow": True})
    assert main(["synth", "--dir", str(project)]) == 2
    err = capsys.readouterr().err
    assert "Internal error (UnexpectedError)" in err
    assert "inside amplify-py at" in err and "construct.py:" in err and "no_such_flow" in err
    assert "Re-run with --debug" in err


def test_internal_error_keeps_the_cause(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from amplify_py.backend.auth import defaults
    from amplify_py.deploy.synth import Synthesizer
    from amplify_py.errors import AmpyFault

    project = _copy_example(tmp_path)
    monkeypatch.setattr(defaults, "AUTH_FLOWS", {**defaults.AUTH_FLOWS, "no_such_flow": True})
    with pytest.raises(AmpyFault, match=r"Synthesizing the backend failed inside amplify-py .*TypeError") as caught:
        Synthesizer(project).synth()
    assert isinstance(caught.value.__cause__, TypeError)
