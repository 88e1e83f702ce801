"""Engine-tier fixtures: engines on a manual clock, boto3 clients pointed at them, helpers."""

from __future__ import annotations

import copy
import os
import json
import time
from pathlib import Path
from typing import Any, Iterator

import boto3
import httpx
import pytest
from botocore.config import Config

from amplify_py.local import LocalEngine
from amplify_py.local.clock import SharedClock
from amplify_py.local.workers import WORKERS_ENV
from tests._signing import signed_headers

CASES = Path(__file__).resolve().parents[1] / "data" / "reference" / "cases"
POOL = "amplifyAuthUserPool4BA7F805"
CLIENT = "amplifyAuthUserPoolAppClient2626C6F8"
IDENTITY_POOL = "amplifyAuthIdentityPool3FDE84CC"
PASSWORD = "Passw0rd!"


class ManualClock(SharedClock):
    """A clock that only moves when a test says so (expiry and lockout without sleeping); shared, so the
    workers of a multi-process engine (``AMPLIFY_LOCAL_WORKERS``) read the same time."""


def template(case: str, **client_overrides: Any) -> dict:
    body = json.loads((CASES / f"{case}.template.json").read_text())
    body = copy.deepcopy(body)
    body["Resources"][CLIENT]["Properties"].update(client_overrides)
    return body


class Env:
    """One engine + deployment + boto3 client, with helpers the tests share."""

    def __init__(self, engine: LocalEngine, clock: ManualClock, deployment: str, tpl: dict) -> None:
        self.engine, self.clock = engine, clock
        self.result = engine.deploy(deployment, tpl)
        self.pool_id = self.result.physical_ids[POOL]
        self.client_id = self.result.physical_ids[CLIENT]
        self.identity_pool_id = self.result.physical_ids.get(IDENTITY_POOL)
        # Admin operations are signed with the engine's own local credentials, as on AWS with IAM ones.
        self.idp = boto3.client("cognito-idp", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs())
        self.identity = boto3.client("cognito-identity", endpoint_url=engine.endpoint,
                                     **engine.credentials.boto3_kwargs())

    def post(self, target: str, body: Any) -> httpx.Response:
        """POST ``body`` (JSON-encoded here) to ``target`` as boto3 would: signed with the engine's credentials,
        which the IAM-authorized operations require (the public ones ignore it)."""
        if "." not in target:
            target = f"AWSCognitoIdentityProviderService.{target}"
        content = json.dumps(body).encode()
        return httpx.post(self.engine.endpoint + "/", content=content,
                          headers=signed_headers(self.engine.credentials, self.engine.endpoint, target, content))

    def last_message(self, recipient: str) -> dict:
        found = [m for m in self.engine.messages() if m["recipient"] == recipient and m["pool_id"] == self.pool_id]
        assert found, f"no message to {recipient}"
        return found[-1]

    def code(self, recipient: str) -> str:
        return self.last_message(recipient)["code"]

    def sign_up(self, email: str, password: str = PASSWORD, **extra: Any) -> dict:
        attrs = [{"Name": "email", "Value": email}] + extra.pop("attrs", [])
        return self.idp.sign_up(ClientId=self.client_id, Username=email, Password=password, UserAttributes=attrs, **extra)

    def confirmed_user(self, email: str, password: str = PASSWORD) -> dict:
        out = self.sign_up(email, password)
        self.idp.confirm_sign_up(ClientId=self.client_id, Username=email, ConfirmationCode=self.code(email))
        return out

    def srp_sign_in(self, email: str, password: str = PASSWORD) -> dict:
        from pycognito.aws_srp import AWSSRP

        return AWSSRP(username=email, password=password, pool_id=self.pool_id, client_id=self.client_id,
                      client=self.idp).authenticate_user()

    def password_sign_in(self, email: str, password: str = PASSWORD) -> dict:
        return self.idp.initiate_auth(ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": email, "PASSWORD": password})


@pytest.fixture(scope="module")
def engine_and_clock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalEngine, ManualClock]]:
    clock = ManualClock()
    engine = LocalEngine(tmp_path_factory.mktemp("engine"), clock=clock).start()
    yield engine, clock
    engine.stop()


def make_env(engine_and_clock: tuple[LocalEngine, ManualClock], name: str, case: str, **client: Any) -> Env:
    engine, clock = engine_and_clock
    return Env(engine, clock, name, template(case, **client))


@pytest.fixture(scope="module")
def raw(env: Env) -> Any:
    """A boto3 client for the module's ``env`` that sends what it is given (no client-side parameter
    validation, no retries): the engine, not botocore, must reject bad values."""
    return boto3.client("cognito-idp", endpoint_url=env.engine.endpoint, **env.engine.credentials.boto3_kwargs(),
                        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))


MULTI_PROCESS = int(os.environ.get(WORKERS_ENV, "1") or 1) > 1
in_process = pytest.mark.skipif(MULTI_PROCESS, reason="changes or inspects the engine's code inside the test "
                                "process; the workers of a multi-process engine are other processes")
"""For the few tests that monkeypatch the engine or read its sockets: they run with the in-process engine."""
