"""End to end: real Python handler files (tests/data/functions) run by the local Lambda runtime, triggered by
the local engine, driven through amplify_py.auth.

The backends are synthesized the real way: ``define_backend(auth=define_auth(triggers={...: define_function(...)}))``
into a cloud assembly; the engine deploys the template and builds the deployment's invoker itself from the
assembly (``deploy(..., assembly_dir=)``), running each handler in a warm process of its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from amplify_py import define_auth, define_backend
from amplify_py.auth import confirm_sign_in, confirm_sign_up, sign_in, sign_up
from amplify_py.auth._config import Amplify
from amplify_py.auth._session import cognito_user_pools_token_provider
from amplify_py.auth.errors import AuthError, NotAuthorizedException
from amplify_py.backend.function import define_function
from amplify_py.local import LocalEngine
from tests._client import fresh_client  # noqa: F401  (autouse fixture)
from tests._outputs import local_outputs

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
FUNCTIONS = ROOT / "data" / "functions"
POOL = "amplifyAuthUserPool4BA7F805"
CLIENT = "amplifyAuthUserPoolAppClient2626C6F8"
PASSWORD = "Sup3r-secret!"
_ids = itertools.count(1)


class Local:
    """The engine, its function log, and a helper to deploy a backend and point the client at it."""

    def __init__(self, engine: LocalEngine, logs: list[tuple[str, str]]) -> None:
        self.engine, self.logs = engine, logs

    def deploy(self, tpl: dict, assembly: Path) -> str:
        deployment = f"triggers-e2e-{next(_ids)}"
        result = self.engine.deploy(deployment, tpl, assembly_dir=assembly)
        outputs = local_outputs(REFERENCE, "email_default", result.physical_ids, result.region, self.engine.endpoint)
        outputs["auth"].pop("identity_pool_id", None)  # no identity pool: sign-ins do not fetch AWS credentials
        del outputs["custom"]["local_engine"]["identity_pool_endpoint"]
        Amplify.configure(outputs)
        return result.physical_ids[POOL]

    def messages_to(self, recipient: str) -> list[dict]:
        return [m for m in self.engine.messages() if m["recipient"] == recipient]

    def code(self, recipient: str) -> str:
        return self.messages_to(recipient)[-1]["code"]


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Local]:
    logs: list[tuple[str, str]] = []
    engine = LocalEngine(tmp_path_factory.mktemp("engine"), on_log=lambda name, line: logs.append((name, line)))
    engine.start()
    yield Local(engine, logs)
    engine.stop()


def _id_token() -> dict:
    tokens = cognito_user_pools_token_provider.get_tokens()
    return jwt.decode(str(tokens.id_token), options={"verify_signature": False})


def synthesize(tmp_path_factory: pytest.TempPathFactory, **auth: Any) -> tuple[dict, Path]:
    """``ampy synth``'s path: the backend's template and its cloud assembly."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    backend = define_backend(auth=define_auth(login_with={"email": True}, **auth))
    return backend.synth("TriggersE2E", outdir=outdir), outdir


@pytest.fixture(scope="module")
def sign_up_backend(local: Local, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], str]:
    tpl, assembly = synthesize(
        tmp_path_factory,
        user_attributes={"custom:department": {"data_type": "String", "mutable": True}},
        triggers={
            "pre_sign_up": define_function(entry=FUNCTIONS / "pre_sign_up" / "pre_sign_up.py",
                                           environment={"ALLOWED_DEPARTMENTS": "engineering,sales"}),
            "custom_message": define_function(entry=FUNCTIONS / "custom_message" / "custom_message.py"),
            "pre_token_generation": define_function(entry=FUNCTIONS / "pre_token" / "pre_token.py"),
        },
    )
    return lambda: local.deploy(tpl, assembly)


def test_pre_sign_up_rejects_an_invalid_custom_attribute(local, sign_up_backend) -> None:
    sign_up_backend()
    with pytest.raises(AuthError, match="PreSignUp failed with error Invalid department: marketing.") as exc:
        sign_up(username="mallory@corp.test", password=PASSWORD,
                options={"user_attributes": {"email": "mallory@corp.test", "custom:department": "marketing"}})
    assert exc.value.name == "UserLambdaValidationException"
    log = "\n".join(line for name, line in local.logs if name == "pre_sign_up")
    assert "[ERROR] Exception: Invalid department: marketing" in log and "Traceback" in log
    # The engine keeps serving: a valid department signs up (and gets the custom verification email).
    out = sign_up(username="dana@corp.test", password=PASSWORD,
                  options={"user_attributes": {"email": "dana@corp.test", "custom:department": "sales"}})
    assert out.next_step.sign_up_step == "CONFIRM_SIGN_UP"


def test_pre_sign_up_auto_confirms(local, sign_up_backend) -> None:
    sign_up_backend()
    out = sign_up(username="erin@example.com", password=PASSWORD,
                  options={"user_attributes": {"email": "erin@example.com", "custom:department": "engineering"}})
    assert out.is_sign_up_complete and out.next_step.sign_up_step == "DONE"
    assert local.messages_to("erin@example.com") == []  # confirmed by the trigger: no code sent
    assert sign_in(username="erin@example.com", password=PASSWORD).is_signed_in
    assert _id_token()["email_verified"] is True


def test_custom_message_changes_the_verification_email(local, sign_up_backend) -> None:
    sign_up_backend()
    sign_up(username="frank@corp.test", password=PASSWORD, options={"user_attributes": {"email": "frank@corp.test"}})
    [message] = local.messages_to("frank@corp.test")
    assert message["subject"] == "Welcome to Acme!"
    assert message["body"] == (f"Hi frank@corp.test, thanks for joining Acme. "
                               f"Your verification code is {message['code']}.")
    confirm_sign_up(username="frank@corp.test", confirmation_code=message["code"])


def test_pre_token_generation_adds_a_claim_and_a_group(local, sign_up_backend) -> None:
    pool_id = sign_up_backend()
    sign_up(username="grace@example.com", password=PASSWORD, options={"user_attributes": {"email": "grace@example.com"}})
    assert sign_in(username="grace@example.com", password=PASSWORD).is_signed_in
    claims = _id_token()
    assert claims["tenant_id"] == "acme-42"
    assert claims["cognito:groups"] == ["beta-testers"]
    assert claims["iss"].endswith("/" + pool_id)


@pytest.fixture(scope="module")
def challenge_backend(local: Local, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], str]:
    folder = FUNCTIONS / "custom_challenge"
    tpl, assembly = synthesize(tmp_path_factory, triggers={
        "define_auth_challenge": define_function(entry=folder / "define_auth_challenge.py"),
        "create_auth_challenge": define_function(entry=folder / "create_auth_challenge.py",
                                                 environment={"SECRET_CODE": "4242"}),
        "verify_auth_challenge_response": define_function(entry=folder / "verify_auth_challenge.py"),
    })
    return lambda: local.deploy(tpl, assembly)


def _confirmed(local: Local, email: str) -> None:
    sign_up(username=email, password=PASSWORD, options={"user_attributes": {"email": email}})
    confirm_sign_up(username=email, confirmation_code=local.code(email))


def test_custom_challenge_secret_code_wrong_then_right(local, challenge_backend) -> None:
    challenge_backend()
    _confirmed(local, "heidi@example.com")
    result = sign_in(username="heidi@example.com", options={"auth_flow_type": "CUSTOM_WITHOUT_SRP"})
    assert result.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
    assert result.next_step.additional_info["hint"] == "Enter the secret code"
    wrong = confirm_sign_in(challenge_response="1234")
    assert wrong.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"  # another try
    right = confirm_sign_in(challenge_response="4242")
    assert right.is_signed_in and right.next_step.sign_in_step == "DONE"


def test_custom_challenge_fail_authentication_ends_the_attempt(local, challenge_backend) -> None:
    challenge_backend()
    _confirmed(local, "ivan@example.com")
    sign_in(username="ivan@example.com", options={"auth_flow_type": "CUSTOM_WITHOUT_SRP"})
    confirm_sign_in(challenge_response="0000")
    confirm_sign_in(challenge_response="1111")
    with pytest.raises(NotAuthorizedException, match="Incorrect username or password."):
        confirm_sign_in(challenge_response="2222")  # the third wrong answer: failAuthentication
    # A new attempt starts over and can succeed.
    sign_in(username="ivan@example.com", options={"auth_flow_type": "CUSTOM_WITHOUT_SRP"})
    assert confirm_sign_in(challenge_response="4242").is_signed_in


def test_user_migration_brings_a_user_in_on_first_sign_in(local, tmp_path_factory) -> None:
    tpl, assembly = synthesize(tmp_path_factory, triggers={
        "user_migration": define_function(entry=FUNCTIONS / "user_migration" / "user_migration.py")})
    # Migration needs the password: let the app client use USER_PASSWORD_AUTH (an escape hatch in a real app).
    tpl["Resources"][CLIENT]["Properties"]["ExplicitAuthFlows"] = [
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    local.deploy(tpl, assembly)
    with pytest.raises(AuthError, match="UserMigration failed with error Bad password."):
        sign_in(username="legacy@example.com", password="Wr0ng-passw0rd!", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    result = sign_in(username="legacy@example.com", password="Legacy-passw0rd!",
                     options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    assert result.is_signed_in
    claims = _id_token()
    assert claims["email"] == "legacy@example.com" and claims["name"] == "Lee Gacy"
    # Now a user of the pool: SRP sign-in (which never migrates) works with the same password.
    from amplify_py.auth import sign_out

    sign_out()
    assert sign_in(username="legacy@example.com", password="Legacy-passw0rd!").is_signed_in


def test_a_handler_that_times_out_fails_the_operation_and_the_engine_keeps_serving(local, tmp_path_factory) -> None:
    tpl, assembly = synthesize(tmp_path_factory, triggers={
        "pre_authentication": define_function(entry=FUNCTIONS / "slow" / "slow.py", timeout_seconds=1)})
    local.deploy(tpl, assembly)
    _confirmed(local, "judy@example.com")
    with pytest.raises(AuthError, match=r"PreAuthentication failed with error RequestId: [0-9a-f-]+ "
                                        r"Error: Task timed out after 1\.00 seconds\.") as exc:
        sign_in(username="judy@example.com", password=PASSWORD)
    assert exc.value.name == "UserLambdaValidationException"
    assert any("Task timed out after 1.00 seconds" in line for name, line in local.logs if name == "slow")
    _confirmed(local, "kim@example.com")  # still serving
