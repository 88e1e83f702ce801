"""``ampy sandbox users ...`` and ``ampy sandbox reset --users`` against a real local engine.

The sandbox is what ``ampy sandbox`` leaves: the engine serving the sandbox's state folder and the
deployment record naming its pool and endpoint. Most tests run the engine in the test process (as a
running ``ampy sandbox`` does); one runs the background engine of ``ampy sandbox --once``.
"""

from __future__ import annotations

import io
import json
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException

from amplify_py.cli.app import main
from amplify_py.deploy.background_engine import start_detached_server, stop_detached_server
from amplify_py.deploy.records import DeploymentRecord, save_record
from amplify_py.local import LocalEngine, read_credentials
from amplify_py.outputs.convert import local_engine_custom
from amplify_py.outputs.stack_outputs import resolve_stack_outputs
from amplify_py.sandbox.state import sandbox_state_dir

CASES = Path(__file__).resolve().parents[1] / "data" / "reference" / "cases"
POOL = "amplifyAuthUserPool4BA7F805"
CLIENT = "amplifyAuthUserPoolAppClient2626C6F8"
STACK = "amplify-app-devtools-sandbox-0123456789"
IDENTIFIER = "devtools"
PASSWORD = "Corr3ct-Horse!"


@dataclass
class Sandbox:
    project: Path
    pool_id: str
    client_id: str
    endpoint: str
    idp: Any

    def ampy(self, *args: str) -> int:
        return main([*args, "--identifier", IDENTIFIER, "--dir", str(self.project)])

    def sign_in(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        srp = AWSSRP(username=username, password=password, pool_id=self.pool_id, client_id=self.client_id,
                     client=self.idp)
        return srp.authenticate_user()["AuthenticationResult"]

    def user(self, username: str) -> dict[str, Any]:
        return self.idp.admin_get_user(UserPoolId=self.pool_id, Username=username)


def _client(endpoint: str, state_dir: Path) -> Any:
    """An admin client, signed with the local credentials of the engine serving ``state_dir``."""
    return boto3.client("cognito-idp", endpoint_url=endpoint, **read_credentials(state_dir).boto3_kwargs())


def _record(project: Path, template: dict, physical_ids: dict[str, str], region: str, endpoint: str) -> None:
    outputs = resolve_stack_outputs(template, physical_ids, region, stack_name=STACK)
    save_record(project, DeploymentRecord(identifier=IDENTIFIER, target="local", stack_name=STACK, region=region,
                                          stack_outputs=outputs, custom=local_engine_custom(endpoint)))


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "app"
    (project / "amplify").mkdir(parents=True)
    return project


@contextmanager
def _serving(tmp_path: Path, case: str) -> Iterator[Sandbox]:
    """The engine of a running `ampy sandbox` (in this process) on the sandbox's state folder."""
    project = _project(tmp_path)
    template = json.loads((CASES / f"{case}.template.json").read_text())
    engine = LocalEngine(sandbox_state_dir(project, IDENTIFIER), port=0)
    engine.start()
    try:
        result = engine.deploy(STACK, template)
        _record(project, template, result.physical_ids, result.region, engine.endpoint)
        yield Sandbox(project, result.physical_ids[POOL], result.physical_ids[CLIENT], engine.endpoint,
                      _client(engine.endpoint, engine.state_dir))
    finally:
        engine.stop()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "220")  # rich tables: one line per row


@pytest.fixture
def groups(tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox whose pool signs in with email and has the groups ADMINS and EDITORS."""
    with _serving(tmp_path, "groups") as sandbox:
        yield sandbox


def _cells(line: str) -> list[str]:
    """The cells of one line of a rich table."""
    return [cell.strip() for cell in line.strip().strip("│").split("│")]


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_create_gives_a_confirmed_user_with_a_permanent_password_in_its_groups(
    groups: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert groups.ampy("sandbox", "users", "create", "alice@example.com", "--password", PASSWORD,
                       "--attribute", "given_name=Alice", "--group", "EDITORS") == 0
    out = capsys.readouterr().out
    sub = groups.user("alice@example.com")["Username"]
    assert f"Created user alice@example.com (username {sub}) in pool {groups.pool_id} of sandbox devtools: " \
           "CONFIRMED, in EDITORS." in out
    assert groups.user("alice@example.com")["UserStatus"] == "CONFIRMED"
    assert groups.sign_in("alice@example.com")["AccessToken"]  # the password is permanent: no NEW_PASSWORD_REQUIRED
    assert not (sandbox_state_dir(groups.project, IDENTIFIER) / "outbox.jsonl").exists()  # no invitation sent

    assert groups.ampy("sandbox", "users", "list") == 0
    table = capsys.readouterr().out
    row = next(line for line in table.splitlines() if sub in line)
    assert _cells(row) == [sub, "alice@example.com", "CONFIRMED", "yes", "EDITORS", "—"]
    assert "1 user." in table

    assert groups.ampy("sandbox", "users", "show", "alice@example.com") == 0
    shown = capsys.readouterr().out
    assert f"Username: {sub}" in shown and "Status: CONFIRMED" in shown and "Groups: EDITORS" in shown
    assert "MFA: —" in shown
    assert ["given_name", "Alice"] in [_cells(line) for line in shown.splitlines() if "│" in line]


def test_delete_confirm_set_password_and_add_to_group(
    groups: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    groups.idp.sign_up(ClientId=groups.client_id, Username="bob@example.com", Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    assert groups.user("bob@example.com")["UserStatus"] == "UNCONFIRMED"
    assert groups.ampy("sandbox", "users", "confirm", "bob@example.com") == 0
    assert groups.user("bob@example.com")["UserStatus"] == "CONFIRMED"
    assert "Confirmed user bob@example.com." in capsys.readouterr().out

    _stdin(monkeypatch, "Temp0rary-pass!\n")  # piped: the line ending is not part of the password
    assert groups.ampy("sandbox", "users", "set-password", "bob@example.com", "--temporary") == 0
    assert "has a temporary password" in capsys.readouterr().out
    assert groups.user("bob@example.com")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    with pytest.raises(ForceChangePasswordException, match="Change password before authenticating"):
        groups.sign_in("bob@example.com", "Temp0rary-pass!")  # the password works, and must be changed now

    assert groups.ampy("sandbox", "users", "set-password", "bob@example.com", "--password", "N3w-password!") == 0
    assert groups.user("bob@example.com")["UserStatus"] == "CONFIRMED"
    assert groups.sign_in("bob@example.com", "N3w-password!")["AccessToken"]

    assert groups.ampy("sandbox", "users", "add-to-group", "bob@example.com", "ADMINS") == 0
    assert "Added user bob@example.com to group ADMINS." in capsys.readouterr().out
    groups_of = groups.idp.admin_list_groups_for_user(UserPoolId=groups.pool_id, Username="bob@example.com")
    assert [g["GroupName"] for g in groups_of["Groups"]] == ["ADMINS"]

    assert groups.ampy("sandbox", "users", "delete", "bob@example.com") == 0
    assert f"Deleted user bob@example.com from pool {groups.pool_id} of sandbox devtools." in capsys.readouterr().out
    assert groups.idp.list_users(UserPoolId=groups.pool_id)["Users"] == []
    assert groups.ampy("sandbox", "users", "list") == 0
    assert f"No users in pool {groups.pool_id} of sandbox devtools." in capsys.readouterr().out


@pytest.mark.parametrize(("args", "name", "message", "resolution"), [
    (("show", "nobody@example.com"), "UserNotFoundException",
     "User does not exist. (user nobody@example.com in pool {pool} of sandbox devtools)",
     "`ampy sandbox users list --identifier devtools` shows the pool's users."),
    (("create", "carol@example.com", "--password", PASSWORD, "--attribute", "shoe_size=44"),
     "InvalidParameterException", "Attributes did not conform to the schema: Type for attribute {{shoe_size}} could "
     "not be determined (user carol@example.com in pool {pool} of sandbox devtools)",
     "attributes are NAME=VALUE with the pool's attribute names"),
    (("create", "carol@example.com", "--password", "short"), "InvalidPasswordException",
     "Password did not conform with policy: Password not long enough (user carol@example.com in pool {pool} of "
     "sandbox devtools)", "Choose a password that meets the pool's password policy"),
    (("create", "carol@example.com", "--password", PASSWORD, "--attribute", "given_name"), "InvalidCommandInputError",
     "--attribute 'given_name' is not NAME=VALUE.", "Write each attribute as NAME=VALUE"),
    (("add-to-group", "dave@example.com", "OWNERS"), "ResourceNotFoundException",
     "Group not found. (group OWNERS in pool {pool} of sandbox devtools)",
     "The pool's groups: ADMINS, EDITORS. Groups come from define_auth(groups=[...])."),
    (("confirm", "dave@example.com"), "NotAuthorizedException",
     "User cannot be confirmed. Current status is CONFIRMED (user dave@example.com in pool {pool} of sandbox devtools)",
     "`ampy sandbox users show USERNAME --identifier devtools` shows the user's status."),
])
def test_errors_are_cognitos_with_where_and_how_to_fix(
    groups: Sandbox, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], name: str, message: str,
    resolution: str,
) -> None:
    assert groups.ampy("sandbox", "users", "create", "dave@example.com", "--password", PASSWORD) == 0
    capsys.readouterr()
    assert groups.ampy("sandbox", "users", *args) == 1
    err = capsys.readouterr().err
    assert f"Error ({name}): {message.format(pool=groups.pool_id)}" in err
    assert resolution in err
    assert "Traceback" not in err
    assert [u["Attributes"] for u in groups.idp.list_users(UserPoolId=groups.pool_id)["Users"]
            if {"Name": "email", "Value": "carol@example.com"} in u["Attributes"]] == []  # no half-made user


def test_debug_shows_the_traceback(groups: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert groups.ampy("sandbox", "users", "show", "nobody@example.com", "--debug") == 1
    err = capsys.readouterr().err
    assert "Error (UserNotFoundException): User does not exist." in err and "Traceback" in err


def test_mfa_column_shows_the_users_factors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with _serving(tmp_path, "mfa_optional_totp_sms") as sandbox:
        assert sandbox.ampy("sandbox", "users", "create", "erin@example.com", "--password", PASSWORD,
                            "--attribute", "phone_number=+15555550100") == 0
        sandbox.idp.admin_set_user_mfa_preference(UserPoolId=sandbox.pool_id, Username="erin@example.com",
                                                  SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
        capsys.readouterr()
        assert sandbox.ampy("sandbox", "users", "list") == 0
        lines = capsys.readouterr().out.splitlines()
        at = next(i for i, line in enumerate(lines) if "erin@example.com" in line)
        assert _cells(lines[at])[-1] == "SMS (preferred)"
        assert _cells(lines[at + 1])[1] == "+15555550100"  # email, then phone, in one cell
        assert sandbox.ampy("sandbox", "users", "show", "erin@example.com") == 0
        assert "MFA: SMS (preferred)" in capsys.readouterr().out


def test_reset_users_wipes_users_and_keeps_the_pool(
    groups: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("fay@example.com", "gus@example.com"):
        assert groups.ampy("sandbox", "users", "create", name, "--password", PASSWORD, "--group", "ADMINS") == 0
    refresh_token = groups.sign_in("fay@example.com")["RefreshToken"]
    groups.idp.sign_up(ClientId=groups.client_id, Username="hal@example.com", Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": "hal@example.com"}])
    code = json.loads((sandbox_state_dir(groups.project, IDENTIFIER) / "outbox.jsonl").read_text().splitlines()[-1])["code"]
    before = (groups.idp.describe_user_pool(UserPoolId=groups.pool_id)["UserPool"]["Id"],
              groups.idp.list_user_pool_clients(UserPoolId=groups.pool_id)["UserPoolClients"],
              groups.idp.list_groups(UserPoolId=groups.pool_id)["Groups"])
    capsys.readouterr()

    _stdin(monkeypatch, "n\n")
    assert groups.ampy("sandbox", "reset", "--users") == 0
    out = capsys.readouterr().out
    assert f"Delete all 3 users of pool {groups.pool_id} in sandbox devtools (the pool, its clients and groups " \
           "stay)? [y/N]" in out
    assert "Nothing was deleted." in out
    assert len(groups.idp.list_users(UserPoolId=groups.pool_id)["Users"]) == 3

    _stdin(monkeypatch, "y\n")
    assert groups.ampy("sandbox", "reset", "--users") == 0
    assert f"Removed 3 users from pool {groups.pool_id} of sandbox devtools; the pool, its clients and groups are " \
           "unchanged." in capsys.readouterr().out
    assert groups.idp.list_users(UserPoolId=groups.pool_id)["Users"] == []
    assert groups.idp.list_users_in_group(UserPoolId=groups.pool_id, GroupName="ADMINS")["Users"] == []
    after = (groups.idp.describe_user_pool(UserPoolId=groups.pool_id)["UserPool"]["Id"],
             groups.idp.list_user_pool_clients(UserPoolId=groups.pool_id)["UserPoolClients"],
             groups.idp.list_groups(UserPoolId=groups.pool_id)["Groups"])
    assert after == before
    with pytest.raises(ClientError, match="NotAuthorizedException"):  # the deleted user's tokens went with it
        groups.idp.initiate_auth(ClientId=groups.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": refresh_token})
    # and the pending sign-up's code (with user existence errors prevented, Cognito calls it a mismatch)
    with pytest.raises(ClientError, match="CodeMismatchException"):
        groups.idp.confirm_sign_up(ClientId=groups.client_id, Username="hal@example.com", ConfirmationCode=code)

    assert groups.ampy("sandbox", "reset", "--users", "--yes") == 0
    assert f"Pool {groups.pool_id} of sandbox devtools has no users; nothing was deleted." in capsys.readouterr().out


def test_reset_needs_to_be_told_what_to_wipe(groups: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert groups.ampy("sandbox", "reset") == 1
    err = capsys.readouterr().err
    assert "Error (InvalidCommandInputError): Nothing to reset: say what to wipe." in err
    assert "Pass --users" in err


# -- finding the sandbox -------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pool_record(project: Path, endpoint: str) -> None:
    """The record of a local sandbox with pool us-east-1_AAAAAAAAA at ``endpoint`` (whatever serves there)."""
    save_record(project, DeploymentRecord(identifier=IDENTIFIER, target="local", stack_name=STACK, region="us-east-1",
                                          stack_outputs={"userPoolId": "us-east-1_AAAAAAAAA"},
                                          custom=local_engine_custom(endpoint)))


def _ampy_in(project: Path) -> Callable[..., int]:
    return lambda *args: main([*args, "--identifier", IDENTIFIER, "--dir", str(project)])


def test_no_running_sandbox_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    ampy = _ampy_in(project)
    assert ampy("sandbox", "users", "list") == 1
    err = capsys.readouterr().err
    assert f"Error (DeploymentNotFoundError): No sandbox deployment named devtools in {project}." in err

    port = _free_port()
    _pool_record(project, f"http://127.0.0.1:{port}")
    for command in (("users", "list"), ("users", "create", "x@example.com", "--password", PASSWORD),
                    ("reset", "--users", "--yes")):
        assert ampy("sandbox", *command) == 1
        err = capsys.readouterr().err
        assert ("Error (NoSandboxRunningError): No local engine is serving sandbox devtools: nothing answers on "
                f"http://127.0.0.1:{port}.") in err
        assert "Start it: `ampy sandbox --once --identifier devtools` leaves its engine serving in the background" in err
        assert "Traceback" not in err


def test_another_sandboxs_engine_on_the_port_is_not_this_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    with LocalEngine(tmp_path / "other", port=0) as other:
        _pool_record(project, other.endpoint)
        assert _ampy_in(project)("sandbox", "users", "list") == 1
    err = capsys.readouterr().err
    # its engine refuses this sandbox's credentials (before the pool is even looked up)
    assert (f"Error (NoSandboxRunningError): The engine on {other.endpoint} does not serve sandbox devtools (it "
            "refuses this sandbox's local credentials); another sandbox's engine is using the port.") in err


def test_an_aws_sandbox_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    save_record(project, DeploymentRecord(identifier=IDENTIFIER, target="aws", stack_name=STACK, region="eu-west-1",
                                          stack_outputs={"userPoolId": "eu-west-1_AAAAAAAAA"}))
    assert _ampy_in(project)("sandbox", "users", "list") == 1
    err = capsys.readouterr().err
    assert f"Error (SandboxNotLocalError): Sandbox devtools is deployed to AWS ({STACK})" in err
    assert "Cognito console" in err


def test_the_background_engine_of_sandbox_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What `ampy sandbox --once` leaves: pools in the state folder, a detached `local serve`, its server.json."""
    project = _project(tmp_path)
    state_dir = sandbox_state_dir(project, IDENTIFIER)
    template = json.loads((CASES / "groups.template.json").read_text())
    engine = LocalEngine(state_dir, port=0)
    try:
        result = engine.deploy(STACK, template)
    finally:
        engine.stop()
    server = start_detached_server(state_dir, port=_free_port())
    try:
        # The record names a stale endpoint: the running background engine (server.json) is the one asked.
        _record(project, template, result.physical_ids, result.region, "http://127.0.0.1:9")
        ampy = _ampy_in(project)
        assert ampy("sandbox", "users", "create", "ivy@example.com", "--password", PASSWORD) == 0
        assert ampy("sandbox", "users", "list") == 0
        assert "ivy@example.com" in capsys.readouterr().out
        assert ampy("sandbox", "reset", "--users", "--yes") == 0
        assert f"Removed 1 user from pool {result.physical_ids[POOL]}" in capsys.readouterr().out
        assert _client(server.endpoint, state_dir).list_users(UserPoolId=result.physical_ids[POOL])["Users"] == []
    finally:
        assert stop_detached_server(state_dir) is not None
