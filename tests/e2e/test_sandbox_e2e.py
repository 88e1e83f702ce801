"""``ampy sandbox`` for real: the example project in a temporary folder, the real synthesizer and engine,
boto3 (SRP sign-in through pycognito) against the pool the sandbox serves."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Passw0rd!!"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["COLUMNS"] = "200"
    return env


def _ampy(*args: str, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "amplify_py", *args], env=env or _env(), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "notes-app"
    root.mkdir()
    shutil.copytree(REPO / "amplify", root / "amplify", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _client(outputs: dict):
    endpoint = outputs["custom"]["local_engine"]["user_pool_endpoint"]
    return boto3.client("cognito-idp", region_name=outputs["auth"]["aws_region"], endpoint_url=endpoint,
                        aws_access_key_id="local", aws_secret_access_key="local")


def _sign_up_and_confirm(project: Path, state_dir: Path, outputs: dict, email: str, attributes=()) -> None:
    client = _client(outputs)
    client_id = outputs["auth"]["user_pool_client_id"]
    result = client.sign_up(ClientId=client_id, Username=email, Password=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": email}, *attributes])
    assert result["UserConfirmed"] is False
    codes = [json.loads(line) for line in (state_dir / "outbox.jsonl").read_text().splitlines()]
    code = [m for m in codes if m["recipient"] == email][-1]["code"]
    client.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=code)


def _sign_in(outputs: dict, email: str) -> dict:
    srp = AWSSRP(username=email, password=PASSWORD, pool_id=outputs["auth"]["user_pool_id"],
                 client_id=outputs["auth"]["user_pool_client_id"], client=_client(outputs))
    return srp.authenticate_user()["AuthenticationResult"]


def _serving(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
        return True
    except httpx.HTTPError:
        return False


def test_once_serves_in_the_background_then_delete_removes_everything(project: Path) -> None:
    port = _free_port()
    state_dir = project / ".amplify" / "sandbox" / "e2e"
    try:
        no_columns = {k: v for k, v in _env().items() if k != "COLUMNS"}  # logs as from a script: 80 columns
        run = _ampy("sandbox", "--once", "--identifier", "e2e", "--port", str(port), "--dir", str(project),
                    env=no_columns)
        assert run.returncode == 0, run.stdout + run.stderr
        assert f"Local engine: http://127.0.0.1:{port}" in run.stdout
        token = json.loads((state_dir / "server.json").read_text())["console_token"]
        assert f"Console: http://127.0.0.1:{port}/_console/?token={token}" in run.stdout
        assert "`ampy sandbox stop --identifier e2e` ends it" in run.stdout
        log_lines = (state_dir / "server.log").read_text().splitlines()
        assert any("Local engine listening on" in line and "Ctrl+C to stop" in line for line in log_lines)  # unwrapped
        outputs = json.loads((project / "amplify_outputs.json").read_text())
        assert outputs["custom"]["local_engine"]["user_pool_endpoint"] == f"http://127.0.0.1:{port}"
        record = json.loads((project / ".amplify" / "deployments" / "e2e.json").read_text())
        assert record["target"] == "local" and record["stack_name"].startswith("amplify-notesapp-e2e-sandbox-")
        # the command has exited; its engine keeps serving in the background
        _sign_up_and_confirm(project, state_dir, outputs, "bob@example.com")
        assert set(_sign_in(outputs, "bob@example.com")) >= {"AccessToken", "IdToken", "RefreshToken"}
        # admin calls are signed with the sandbox's local credentials: printed, and in its state folder (0600)
        credentials_file = state_dir / "credentials.json"
        assert credentials_file.stat().st_mode & 0o777 == 0o600
        credentials = json.loads(credentials_file.read_text())
        assert f"AWS_ACCESS_KEY_ID={credentials['aws_access_key_id']}" in run.stdout
        admin = boto3.client("cognito-idp", endpoint_url=outputs["custom"]["local_engine"]["user_pool_endpoint"],
                             **credentials)
        pool_id = outputs["auth"]["user_pool_id"]
        assert admin.admin_get_user(UserPoolId=pool_id, Username="bob@example.com")["UserStatus"] == "CONFIRMED"
        with pytest.raises(ClientError, match=r"\(UnrecognizedClientException\).*The security token included in "
                                              r"the request is invalid\."):
            _client(outputs).admin_get_user(UserPoolId=pool_id, Username="bob@example.com")  # other keys

        # a second --once replaces the background engine; the pool and its users stay
        first_pid = json.loads((state_dir / "server.json").read_text())["pid"]
        again = _ampy("sandbox", "--once", "--identifier", "e2e", "--port", str(port), "--dir", str(project))
        assert again.returncode == 0, again.stdout + again.stderr
        assert "replacing it" in again.stdout
        assert json.loads((state_dir / "server.json").read_text())["pid"] != first_pid
        outputs_again = json.loads((project / "amplify_outputs.json").read_text())
        assert outputs_again["auth"]["user_pool_id"] == outputs["auth"]["user_pool_id"]
        assert "AccessToken" in _sign_in(outputs_again, "bob@example.com")

        deleted = _ampy("sandbox", "delete", "--yes", "--identifier", "e2e", "--dir", str(project))
        assert deleted.returncode == 0, deleted.stdout + deleted.stderr
        assert not state_dir.exists()
        assert not (project / ".amplify" / "deployments" / "e2e.json").exists()
        assert not _serving(port)
        # a fresh deployment starts with an empty pool: bob is gone with the old data
        fresh = _ampy("sandbox", "--once", "--identifier", "e2e", "--port", str(port), "--dir", str(project))
        assert fresh.returncode == 0, fresh.stdout + fresh.stderr
        outputs_fresh = json.loads((project / "amplify_outputs.json").read_text())
        with pytest.raises(ClientError, match="NotAuthorizedException|UserNotFoundException"):
            _sign_in(outputs_fresh, "bob@example.com")
    finally:
        stopped = _ampy("sandbox", "stop", "--identifier", "e2e", "--dir", str(project))
    assert "`ampy sandbox --once --identifier e2e` serves it again" in stopped.stdout
    assert not _serving(port)


CUSTOM_ATTRIBUTE_AUTH = '''"""Define and configure your auth resource (edited while the sandbox runs)."""

from amplify_py import define_auth

auth = define_auth(
    login_with={
        "email": True,
    },
    user_attributes={
        "custom:display_name": {"data_type": "String", "mutable": True},
    },
)
'''


def test_watch_mode_redeploys_on_save_keeps_users_and_survives_a_broken_save(project: Path) -> None:
    port = _free_port()
    state_dir = project / ".amplify" / "sandbox" / "watcher"
    record_path = project / ".amplify" / "deployments" / "watcher.json"
    log_path = project.parent / "sandbox.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "amplify_py", "sandbox", "--identifier", "watcher", "--port", str(port),
             "--dir", str(project)],
            env=_env(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
    try:
        _wait_for(record_path.exists, 120, "the first deployment")
        _wait_for(lambda: "Watching amplify/" in log_path.read_text(), 10, "the watcher")
        outputs = json.loads((project / "amplify_outputs.json").read_text())
        _sign_up_and_confirm(project, state_dir, outputs, "carol@example.com")
        assert "code" in log_path.read_text()  # the verification code was printed as it was sent
        with pytest.raises(ClientError, match="InvalidParameterException"):
            _client(outputs).sign_up(
                ClientId=outputs["auth"]["user_pool_client_id"], Username="dave@example.com", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "dave@example.com"},
                                {"Name": "custom:display_name", "Value": "Dave"}])

        # save a new custom attribute: redeployed in place, users kept
        first_record = record_path.read_text()
        (project / "amplify" / "auth" / "resource.py").write_text(CUSTOM_ATTRIBUTE_AUTH)
        _wait_for(lambda: record_path.read_text() != first_record, 60, "the redeployment")
        outputs = json.loads((project / "amplify_outputs.json").read_text())
        _sign_up_and_confirm(project, state_dir, outputs, "dave@example.com",
                             [{"Name": "custom:display_name", "Value": "Dave"}])
        assert "AccessToken" in _sign_in(outputs, "carol@example.com")

        # a broken save: reported, the last good deployment keeps serving, untouched
        second_record = record_path.read_text()
        second_outputs = (project / "amplify_outputs.json").read_text()
        (project / "amplify" / "auth" / "resource.py").write_text("auth = define_auth(login_with={\n")
        _wait_for(lambda: "last good deployment" in log_path.read_text(), 60, "the failed redeployment")
        assert record_path.read_text() == second_record
        assert (project / "amplify_outputs.json").read_text() == second_outputs
        assert "AccessToken" in _sign_in(outputs, "dave@example.com")
        assert proc.poll() is None
    finally:
        # Ctrl-C in a terminal reaches the whole process group, the CDK's jsii node process included
        os.killpg(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=30)
    text = log_path.read_text()
    assert code == 0, text
    assert "Traceback" not in text and "Exception ignored" not in text, text
    assert "`ampy sandbox --identifier watcher` serves it again" in text
    assert state_dir.is_dir() and record_path.exists()
    assert not _serving(port)
