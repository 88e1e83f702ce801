"""``ampy sandbox secret set|get|list|remove`` in-process, and ``ampy synth`` reading the sandbox's secrets."""

from __future__ import annotations

import io
import json
import shutil
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from amplify_py.cli.app import main
from amplify_py.sandbox.identifiers import default_identifier, sandbox_backend_id

REPO_ROOT = Path(__file__).resolve().parents[2]
VALUE = "g-secret-value-7f3a"

RESOURCE = '''from amplify_py import define_auth, secret

auth = define_auth(
    login_with={
        "email": True,
        "external_providers": {
            "google": {"client_id": "google-id", "client_secret": secret("GOOGLE_CLIENT_SECRET")},
            "callback_urls": ["http://localhost:3000/"],
            "logout_urls": ["http://localhost:3000/"],
        },
    },
)
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "social-app"
    shutil.copytree(REPO_ROOT / "amplify", root / "amplify", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "amplify" / "auth" / "resource.py").write_text(RESOURCE)
    return root


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def _ampy(project: Path, *args: str) -> int:
    return main(["sandbox", "secret", *args, "--dir", str(project)])


def test_set_get_list_remove(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, VALUE)
    assert _ampy(project, "set", "GOOGLE_CLIENT_SECRET", "--identifier", "feature1") == 0
    assert capsys.readouterr().out.strip() == "Successfully created version 1 of secret GOOGLE_CLIENT_SECRET"
    path = project / ".amplify" / "sandbox" / "feature1" / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    assert _ampy(project, "get", "GOOGLE_CLIENT_SECRET", "--identifier", "feature1") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ["name: GOOGLE_CLIENT_SECRET", "version: 1", f"value: {VALUE}"]  # as ampx prints it
    assert lines[3].startswith("lastUpdated: ")

    assert _ampy(project, "list", "--identifier", "feature1") == 0
    assert capsys.readouterr().out.strip() == "- GOOGLE_CLIENT_SECRET"
    assert _ampy(project, "list", "--identifier", "other") == 0  # another sandbox has its own secrets
    assert "No sandbox secrets found. To create a secret use `ampy sandbox secret set <secret-name>`." in capsys.readouterr().out

    assert _ampy(project, "remove", "GOOGLE_CLIENT_SECRET", "--identifier", "feature1") == 0
    assert capsys.readouterr().out.strip() == "Successfully removed secret GOOGLE_CLIENT_SECRET"
    assert _ampy(project, "get", "GOOGLE_CLIENT_SECRET", "--identifier", "feature1") == 1
    err = capsys.readouterr().err
    assert "Error (SecretNotFoundError): Failed to get GOOGLE_CLIENT_SECRET secret" in err
    assert "ampy sandbox secret set GOOGLE_CLIENT_SECRET --identifier feature1" in err


def test_set_prompts_hidden_on_a_terminal(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    asked: list[tuple[str, dict[str, Any]]] = []

    def prompt(text: str, **kwargs: Any) -> str:
        asked.append((text, kwargs))
        return VALUE

    monkeypatch.setattr(sys, "stdin", Tty())
    monkeypatch.setattr(typer, "prompt", prompt)
    assert _ampy(project, "set", "K", "--identifier", "feature1") == 0
    assert asked == [("Enter secret value", {"hide_input": True})]


def test_value_is_never_taken_from_argv_and_never_printed_on_errors(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, VALUE)
    assert _ampy(project, "set", "K", VALUE) == 2  # no second positional
    assert "unexpected extra argument" in capsys.readouterr().err.lower()
    _stdin(monkeypatch, "")
    assert _ampy(project, "set", "K") == 1
    assert "The secret value is empty." in capsys.readouterr().err
    _stdin(monkeypatch, VALUE)
    assert _ampy(project, "set", "bad/name") == 1
    err = capsys.readouterr().err
    assert "Invalid secret name provided: bad/name" in err and VALUE not in err


def test_remove_needs_a_name_or_all(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert _ampy(project, "remove") == 1
    assert "Either secret-name or all flag must be provided" in capsys.readouterr().err
    for name in ("A", "B"):
        _stdin(monkeypatch, "v")
        assert _ampy(project, "set", name) == 0
    assert _ampy(project, "remove", "--all") == 0
    assert "Successfully removed all secrets" in capsys.readouterr().out
    assert _ampy(project, "list") == 0
    assert "No sandbox secrets found" in capsys.readouterr().out


def test_synth_uses_the_sandbox_secret_and_derived_domain_prefix(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AMPY_SECRET_GOOGLE_CLIENT_SECRET", raising=False)
    assert main(["synth", "--dir", str(project), "--identifier", "feature1"]) == 1
    err = capsys.readouterr().err
    assert ("Error (SecretNotSetError): The secret 'GOOGLE_CLIENT_SECRET' "
            "(used at login_with.external_providers.google.client_secret) has no value.") in err
    assert "`ampy sandbox secret set GOOGLE_CLIENT_SECRET --identifier feature1`" in err
    assert "AMPY_SECRET_GOOGLE_CLIENT_SECRET" in err

    _stdin(monkeypatch, VALUE)
    assert _ampy(project, "set", "GOOGLE_CLIENT_SECRET", "--identifier", "feature1") == 0
    capsys.readouterr()
    assert main(["synth", "--dir", str(project), "--identifier", "feature1"]) == 0
    assert VALUE not in capsys.readouterr().out
    template = json.loads((project / ".amplify" / "synth" / "amplify-social-app.template.json").read_text())
    resources = template["Resources"].values()
    (idp,) = [r for r in resources if r["Type"] == "AWS::Cognito::UserPoolIdentityProvider"]
    assert idp["Properties"]["ProviderDetails"]["client_secret"] == VALUE
    (domain,) = [r for r in resources if r["Type"] == "AWS::Cognito::UserPoolDomain"]
    expected = sandbox_backend_id(project, "feature1").stable_backend_hash()
    assert domain["Properties"]["Domain"] == expected

    # the default sandbox (the OS user) is another backend: another domain, and it has no secret yet
    monkeypatch.setenv("AMPY_SECRET_GOOGLE_CLIENT_SECRET", "from-env")
    assert main(["synth", "--dir", str(project)]) == 0
    template = json.loads((project / ".amplify" / "synth" / "amplify-social-app.template.json").read_text())
    resources = template["Resources"].values()
    (domain,) = [r for r in resources if r["Type"] == "AWS::Cognito::UserPoolDomain"]
    assert domain["Properties"]["Domain"] == sandbox_backend_id(project, default_identifier()).stable_backend_hash()
    (idp,) = [r for r in resources if r["Type"] == "AWS::Cognito::UserPoolIdentityProvider"]
    assert idp["Properties"]["ProviderDetails"]["client_secret"] == "from-env"


@pytest.mark.parametrize(("piped", "stored"), [
    ("s3cr3t\n", "s3cr3t"),  # echo s3cr3t | ampy sandbox secret set K
    ("s3cr3t\r\n", "s3cr3t"),  # the same from a Windows shell
    ("s3cr3t", "s3cr3t"),  # printf %s s3cr3t: nothing to strip
    ("-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n\n", "-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n"),
])
def test_a_piped_value_loses_only_its_final_line_ending(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], piped: str, stored: str
) -> None:
    _stdin(monkeypatch, piped)
    assert _ampy(project, "set", "K", "--identifier", "feature1") == 0
    path = project / ".amplify" / "sandbox" / "feature1" / "secrets.json"
    assert json.loads(path.read_text())["secrets"]["K"]["value"] == stored


@pytest.mark.parametrize("args", [("set", "K"), ("get", "K"), ("list",), ("remove", "K")])
def test_every_secret_command_takes_debug(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    _stdin(monkeypatch, VALUE)
    assert _ampy(project, "set", "K") == 0
    _stdin(monkeypatch, VALUE)
    assert _ampy(project, *args, "--debug") == 0, capsys.readouterr().err
