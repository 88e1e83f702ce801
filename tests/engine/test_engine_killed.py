"""Killing the engine mid-run (SIGKILL, no shutdown) and starting it again loses no confirmed user."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
from pycognito.aws_srp import AWSSRP

from amplify_py.local import read_credentials

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "tests" / "data" / "reference" / "cases" / "email_default.template.json"
POOL, CLIENT = "amplifyAuthUserPool4BA7F805", "amplifyAuthUserPoolAppClient2626C6F8"
PASSWORD = "Passw0rd!!"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(state_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """`ampy local serve` deploying the template as deployment "email_default" (the file's stem)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "amplify_py", "local", "serve", "--state-dir", str(state_dir),
         "--port", str(port), "--template", str(TEMPLATE)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
            return proc
        except httpx.HTTPError:
            assert proc.poll() is None, "the engine exited before serving"
            assert time.monotonic() < deadline, "the engine did not start"
            time.sleep(0.05)


def _wait_until_free(port: int) -> None:
    """The killed engine's worker processes notice their parent is gone and let go of the port within moments;
    until then they still answer, so a restart checked by "does the port answer" would talk to them."""
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
                return
            except OSError:
                assert time.monotonic() < deadline, "the killed engine's workers kept the port"
        time.sleep(0.05)


def _ids(state_dir: Path) -> tuple[str, str]:
    import sqlite3

    with sqlite3.connect(state_dir / "engine.sqlite3") as db:
        rows = dict(db.execute("SELECT logical_id, physical_id FROM resources").fetchall())
    return rows[POOL], rows[CLIENT]


def test_sigkill_mid_run_loses_no_confirmed_user(tmp_path: Path) -> None:
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    proc = _serve(tmp_path, port)
    try:
        pool_id, client_id = _ids(tmp_path)
        idp = boto3.client("cognito-idp", endpoint_url=endpoint, **read_credentials(tmp_path).boto3_kwargs())
        idp.sign_up(ClientId=client_id, Username="kept@example.com", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "kept@example.com"}])
        code = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text().splitlines()][-1]["code"]
        idp.confirm_sign_up(ClientId=client_id, Username="kept@example.com", ConfirmationCode=code)
        # mid-run: another sign-up is under way when the process is killed
        idp.sign_up(ClientId=client_id, Username="pending@example.com", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "pending@example.com"}])
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    _wait_until_free(port)

    proc = _serve(tmp_path, port)  # the same template redeploys in place: same pool, same users
    try:
        assert _ids(tmp_path) == (pool_id, client_id)
        idp = boto3.client("cognito-idp", endpoint_url=endpoint, **read_credentials(tmp_path).boto3_kwargs())
        tokens = AWSSRP(username="kept@example.com", password=PASSWORD, pool_id=pool_id, client_id=client_id,
                        client=idp).authenticate_user()["AuthenticationResult"]
        assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"]
        pending = idp.admin_get_user(UserPoolId=pool_id, Username="pending@example.com")
        assert pending["UserStatus"] == "UNCONFIRMED"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
