"""Killed (SIGKILL) while eight clients sign up at once, twice over: every sign-up the engine
acknowledged is there after the restart, and the SQLite file passes its integrity check each time."""

from __future__ import annotations

import http.client
import json
import os
import signal
import sqlite3
import threading
from pathlib import Path

import boto3

from amplify_py.local import read_credentials
from tests.engine.test_engine_killed import PASSWORD, _free_port, _ids, _serve

ROUNDS = 2
THREADS = 8
ACKED_BEFORE_KILL = 40  # per round: the kill comes while every thread is still writing


def _sign_up_until_refused(port: int, client_id: str, prefix: str, acked: list[str], lock: threading.Lock) -> None:
    """Sign up new users on one keep-alive connection until the engine stops answering."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"X-Amz-Target": "AWSCognitoIdentityProviderService.SignUp",
               "Content-Type": "application/x-amz-json-1.1"}
    n = 0
    try:
        while True:
            username = f"{prefix}-{n}@example.com"
            body = json.dumps({"ClientId": client_id, "Username": username, "Password": PASSWORD,
                               "UserAttributes": [{"Name": "email", "Value": username}]})
            try:
                connection.request("POST", "/", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                return  # killed mid-request: this one was never acknowledged
            assert response.status == 200, response.status
            with lock:
                acked.append(username)
            n += 1
    finally:
        connection.close()


def _integrity(state_dir: Path) -> str:
    with sqlite3.connect(state_dir / "engine.sqlite3") as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def test_sigkill_under_concurrent_sign_ups_loses_no_acknowledged_one(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(tmp_path, port)
    pool_id, client_id = _ids(tmp_path)
    acked: list[str] = []
    lock = threading.Lock()
    try:
        for round_ in range(ROUNDS):
            target = len(acked) + ACKED_BEFORE_KILL
            threads = [threading.Thread(target=_sign_up_until_refused,
                                        args=(port, client_id, f"r{round_}-t{i}", acked, lock)) for i in range(THREADS)]
            for thread in threads:
                thread.start()
            while len(acked) < target:
                assert any(t.is_alive() for t in threads), "every client stopped before the kill"
                threading.Event().wait(0.01)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            for thread in threads:
                thread.join(timeout=30)
            assert _integrity(tmp_path) == "ok"
            proc = _serve(tmp_path, port)
            assert _ids(tmp_path) == (pool_id, client_id)
        idp = boto3.client("cognito-idp", endpoint_url=f"http://127.0.0.1:{port}",
                           **read_credentials(tmp_path).boto3_kwargs())
        stored: set[str] = set()
        for page in idp.get_paginator("list_users").paginate(UserPoolId=pool_id):
            stored |= {next(a["Value"] for a in user["Attributes"] if a["Name"] == "email") for user in page["Users"]}
        assert len(acked) >= ROUNDS * ACKED_BEFORE_KILL
        assert sorted(set(acked) - stored) == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)
