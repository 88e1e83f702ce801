"""End to end: trigger handlers that call the local engine back through boto3 while the engine waits for them.

The Amplify docs' post confirmation pattern (``boto3.client("cognito-idp").admin_add_user_to_group`` with
``access=... .to(["add_user_to_group"])``) must reach the local engine, not AWS, and must not deadlock the engine
on its own store lock. The backend is deployed before the engine starts (as ``ampy local serve`` does), so the
functions learn the engine's endpoint only when their worker starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from amplify_py import define_auth, define_backend
from amplify_py.auth import confirm_sign_up, sign_in, sign_out, sign_up
from amplify_py.auth._config import Amplify
from amplify_py.auth._session import cognito_user_pools_token_provider
from amplify_py.backend.function import define_function
from amplify_py.local import LocalEngine
from tests._client import fresh_client  # noqa: F401  (autouse fixture)
from tests._outputs import local_outputs
from tests.engine.conftest import in_process

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
FUNCTIONS = ROOT / "data" / "functions" / "reentry"
PASSWORD = "Sup3r-secret!"


class Local:
    def __init__(self, engine: LocalEngine, logs: list[tuple[str, str]], outputs: dict) -> None:
        self.engine, self.logs, self.outputs = engine, logs, outputs

    def code(self, recipient: str) -> str:
        return [m for m in self.engine.messages() if m["recipient"] == recipient][-1]["code"]

    def log_of(self, function: str) -> str:
        return "\n".join(line for name, line in self.logs if name == function)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Local]:
    add_to_group = define_function(entry=FUNCTIONS / "add_to_group.py", environment={"GROUP_NAME": "EDITORS"})
    lookup_user = define_function(entry=FUNCTIONS / "lookup_user.py", timeout_seconds=5)
    backend = define_backend(auth=define_auth(
        login_with={"email": True},
        groups=["ADMINS", "EDITORS"],
        triggers={"post_confirmation": add_to_group, "pre_token_generation": lookup_user},
        access=lambda allow: [allow.resource(add_to_group).to(["add_user_to_group"]),
                              allow.resource(lookup_user).to(["get_user"])],
    ))
    assembly = tmp_path_factory.mktemp("cdk.out")
    template = backend.synth("ReentryE2E", outdir=assembly)
    logs: list[tuple[str, str]] = []
    engine = LocalEngine(tmp_path_factory.mktemp("engine"), on_log=lambda name, line: logs.append((name, line)))
    result = engine.deploy("reentry-e2e", template, assembly_dir=assembly)  # before start: no endpoint yet
    engine.start()
    outputs = local_outputs(REFERENCE, "email_default", result.physical_ids, result.region, engine.endpoint)
    outputs["auth"].pop("identity_pool_id", None)  # no AWS credentials fetched on sign-in
    del outputs["custom"]["local_engine"]["identity_pool_endpoint"]
    yield Local(engine, logs, outputs)
    engine.stop()


@pytest.fixture
def configured(local: Local) -> Local:
    Amplify.configure(local.outputs)  # the client is reset for every test
    return local


def _id_token() -> dict:
    tokens = cognito_user_pools_token_provider.get_tokens()
    return jwt.decode(str(tokens.id_token), options={"verify_signature": False})


def test_post_confirmation_adds_the_user_to_a_group_through_boto3(configured: Local) -> None:
    sign_up(username="nina@example.com", password=PASSWORD, options={"user_attributes": {"email": "nina@example.com"}})
    confirm_sign_up(username="nina@example.com", confirmation_code=configured.code("nina@example.com"))
    assert "[ERROR]" not in configured.log_of("add_to_group")

    assert sign_in(username="nina@example.com", password=PASSWORD).is_signed_in
    claims = _id_token()
    assert claims["cognito:groups"] == ["EDITORS"]
    # The confirmation itself was not undone by the trigger's concurrent write: the user is confirmed and verified.
    assert claims["email_verified"] is True
    # Pre token generation called AdminGetUser on the engine during the same sign-in.
    assert claims["looked_up_status"] == "CONFIRMED"
    assert claims["looked_up_username"] == claims["cognito:username"]
    sign_out()


def test_a_nested_call_during_sign_in_does_not_wait_for_the_timeout(configured: Local) -> None:
    sign_up(username="omar@example.com", password=PASSWORD, options={"user_attributes": {"email": "omar@example.com"}})
    confirm_sign_up(username="omar@example.com", confirmation_code=configured.code("omar@example.com"))
    for _ in range(3):  # warm worker, repeated nested calls
        assert sign_in(username="omar@example.com", password=PASSWORD).is_signed_in
        assert _id_token()["looked_up_status"] == "CONFIRMED"
        sign_out()
    assert "Task timed out" not in configured.log_of("lookup_user")


@in_process
def test_functions_get_the_engine_endpoint_and_local_credentials(local: Local) -> None:
    invoker = local.engine.trigger_invoker("reentry-e2e")
    function = invoker.function_for("lookup_user")  # by its name
    env = function.environment()
    assert env["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] == local.engine.endpoint
    assert env["AWS_ENDPOINT_URL_COGNITO_IDENTITY"] == local.engine.endpoint
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == local.engine.region
    # the engine's own local credentials, which its admin operations require (nothing reaches AWS)
    assert env["AWS_ACCESS_KEY_ID"] == local.engine.credentials.access_key_id
    assert env["AWS_SECRET_ACCESS_KEY"] == local.engine.credentials.secret_access_key
    assert "AWS_SESSION_TOKEN" not in env
