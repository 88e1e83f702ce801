"""A multi-process engine keeps the guarantees a single process gave by its lock: many clients at once, served
by two worker processes over one SQLite file, take a user name once, use a code once and count every failed
password; a deploy reaches every worker; a worker that dies is replaced."""

from __future__ import annotations

import http.client
import os
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from amplify_py.local import LocalEngine
from amplify_py.local.clock import SharedClock
from tests.engine.conftest import CLIENT, PASSWORD, POOL, template

CLIENTS = 8


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEngine]:
    engine = LocalEngine(tmp_path_factory.mktemp("multi"), workers=2)
    engine.deploy("multi", template("email_default", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                                        "ALLOW_REFRESH_TOKEN_AUTH"]))
    engine.start()
    yield engine
    engine.stop()


def _ids(engine: LocalEngine, deployment: str = "multi") -> tuple[str, str]:
    rows = {r.logical_id: r.physical_id for r in engine.context.store.resources(deployment)}
    return rows[POOL], rows[CLIENT]


def _clients(engine: LocalEngine) -> list[Any]:
    """One boto3 client (own connection pool) per thread, no retries: each answer is the engine's first."""
    return [boto3.client("cognito-idp", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs(),
                         config=Config(retries={"total_max_attempts": 1}))
            for _ in range(CLIENTS)]


def _all_at_once(engine: LocalEngine, call: Callable[[Any], Any]) -> list[str]:
    """Run ``call(idp)`` from every client at once; each outcome as "ok" or the Cognito error code."""
    def one(idp: Any) -> str:
        try:
            call(idp)
            return "ok"
        except ClientError as exc:
            return exc.response["Error"]["Code"]

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(one, _clients(engine)))


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_both_workers_serve(engine: LocalEngine) -> None:
    _pool_id, client_id = _ids(engine)
    before = {pid: _cpu_ticks(pid) for pid in engine._pool.pids}
    for round_ in range(6):
        _all_at_once(engine, lambda idp: idp.sign_up(
            ClientId=client_id, Username=f"busy{round_}-{id(idp)}@example.com", Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": f"busy{round_}-{id(idp)}@example.com"}]))
    assert len(before) == 2 and all(_cpu_ticks(pid) > ticks for pid, ticks in before.items())


def test_the_same_user_name_signed_up_at_once_gives_one_user(engine: LocalEngine) -> None:
    pool_id, client_id = _ids(engine)
    for round_ in range(3):
        name = f"race{round_}@example.com"
        outcomes = _all_at_once(engine, lambda idp: idp.sign_up(
            ClientId=client_id, Username=name, Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": name}]))
        assert Counter(outcomes) == {"ok": 1, "UsernameExistsException": CLIENTS - 1}
        admin = boto3.client("cognito-idp", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs())
        listed = admin.list_users(UserPoolId=pool_id, Filter=f'email = "{name}"')["Users"]
        assert len(listed) == 1


def test_a_code_confirms_once(engine: LocalEngine) -> None:
    _pool_id, client_id = _ids(engine)
    name = "once@example.com"
    idp = _clients(engine)[0]
    idp.sign_up(ClientId=client_id, Username=name, Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": name}])
    code = [m for m in engine.messages() if m["recipient"] == name][-1]["code"]
    outcomes = _all_at_once(engine, lambda idp: idp.confirm_sign_up(ClientId=client_id, Username=name,
                                                                    ConfirmationCode=code))
    assert outcomes.count("ok") == 1 and "InternalErrorException" not in outcomes, outcomes


def test_every_failed_password_at_once_is_counted(engine: LocalEngine) -> None:
    pool_id, client_id = _ids(engine)
    name = "guessed@example.com"
    idp = _clients(engine)[0]
    idp.sign_up(ClientId=client_id, Username=name, Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": name}])
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=name)
    outcomes = _all_at_once(engine, lambda idp: idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": name, "PASSWORD": "Wr0ng-pass!"}))
    assert set(outcomes) == {"NotAuthorizedException"}
    record = engine.context.store.find_user(pool_id, "email_key", name)
    # Five failures lock the user out; the attempts during the lockout are refused and not counted.
    locked = Counter(outcomes)["NotAuthorizedException"] - record["failed"]
    assert record["failed"] == 5 and locked == CLIENTS - 5, record["failed"]


def test_a_deploy_reaches_every_worker(engine: LocalEngine) -> None:
    result = engine.deploy("second", template("email_default"))
    client_id = result.physical_ids[CLIENT]
    outcomes = _all_at_once(engine, lambda idp: idp.sign_up(
        ClientId=client_id, Username=f"new{id(idp)}@example.com", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"new{id(idp)}@example.com"}]))
    assert outcomes == ["ok"] * CLIENTS
    engine.delete("second")
    gone = _all_at_once(engine, lambda idp: idp.sign_up(
        ClientId=client_id, Username="late@example.com", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "late@example.com"}]))
    assert gone == ["ResourceNotFoundException"] * CLIENTS


def test_a_worker_that_dies_is_replaced(engine: LocalEngine) -> None:
    _pool_id, client_id = _ids(engine)
    victim = engine._pool.pids[0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while victim in engine._pool.pids or len(engine._pool.pids) < 2:
        assert time.monotonic() < deadline, "no worker replaced the killed one"
        time.sleep(0.05)
    outcomes = _all_at_once(engine, lambda idp: idp.sign_up(
        ClientId=client_id, Username=f"after{id(idp)}@example.com", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"after{id(idp)}@example.com"}]))
    assert outcomes == ["ok"] * CLIENTS


def test_workers_read_a_shared_clock(tmp_path: Path) -> None:
    clock = SharedClock()
    with LocalEngine(tmp_path, workers=2, clock=clock) as engine:
        result = engine.deploy("clock", template("email_default"))
        idp = _clients(engine)[0]
        client_id = result.physical_ids[CLIENT]
        idp.sign_up(ClientId=client_id, Username="late@example.com", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "late@example.com"}])
        code = engine.messages()[-1]["code"]
        clock.advance(25 * 3600)  # sign-up codes live 24 hours
        with pytest.raises(ClientError, match="ExpiredCodeException"):
            idp.confirm_sign_up(ClientId=client_id, Username="late@example.com", ConfirmationCode=code)


def test_what_cannot_cross_processes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs time.time or a SharedClock, and no trigger_invoker"):
        LocalEngine(tmp_path, workers=2, clock=lambda: 0.0)
    engine = LocalEngine(tmp_path, workers=2)
    with pytest.raises(ValueError, match="runs triggers from a cloud assembly only"):
        engine.set_trigger_invoker("any", lambda deployment, ref, event: event)
    engine.stop()


def test_connections_opened_at_once_are_spread_over_the_workers(tmp_path: Path) -> None:
    """Keep-alive clients that connect together are split evenly (connection_balance), not all taken by the
    worker that woke first; each worker's activity file shows the requests it served."""
    with LocalEngine(tmp_path, workers=2) as engine:
        conns = [http.client.HTTPConnection("127.0.0.1", engine.port, timeout=10) for _ in range(8)]
        for conn in conns:
            conn.connect()
        for rounds in range(3):  # the same connections again: they stay where they were accepted
            for conn in conns:
                conn.request("POST", "/", body=b'{"ClientId": "nobody", "Username": "x", "Password": "y"}',
                             headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.SignUp",
                                      "Content-Type": "application/x-amz-json-1.1"})
                answer = conn.getresponse()
                assert answer.status == 400 and b"ResourceNotFoundException" in answer.read()
        served = {path.stem: path.read_text().count('"r"') for path in (tmp_path / "activity").glob("*.jsonl")}
        for conn in conns:
            conn.close()
    # 4 and 4 on an idle machine; a worker the scheduler keeps waiting past MAX_WAIT_S may leave one to the other
    assert sum(served.values()) == 24 and min(served.values()) >= 9, served
