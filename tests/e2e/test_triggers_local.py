"""End to end: real Python handler files (tests/data/functions) run by the local Lambda runtime, triggered by
the local engine, driven through amplify_py.auth.

The templates are the reference email_default case plus AWS::Lambda::Function resources as AmplifyFunction
writes them (handler ``<module>.handler``, a python runtime, the ``amplify_py:source`` folder) and the pool's
LambdaConfig pointing at them; the engine builds the deployment's invoker itself (``deploy(..., assembly_dir=)``).
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from amplify_py.auth import _auto_sign_in, _transport, confirm_sign_in, confirm_sign_up, sign_in, sign_up
from amplify_py.auth._config import Amplify
from amplify_py.auth._session import InMemoryStorage, cognito_user_pools_token_provider, credentials_provider
from amplify_py.auth.errors import AuthError, NotAuthorizedException
from amplify_py.local import LocalEngine

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "reference" / "cases"
FUNCTIONS = ROOT / "data" / "functions"
POOL = "amplifyAuthUserPool4BA7F805"
CLIENT = "amplifyAuthUserPoolAppClient2626C6F8"
PASSWORD = "Sup3r-secret!"
_ids = itertools.count(1)


def function(folder: str, module: str, *, environment: dict[str, Any] | None = None, timeout: int = 3) -> dict:
    """An AWS::Lambda::Function resource shaped as AmplifyFunction synthesizes it."""
    props: dict[str, Any] = {
        "Code": {"S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
                 "S3Key": "0000000000000000000000000000000000000000000000000000000000000000.zip"},
        "Handler": f"{module}.handler",
        "Runtime": "python3.13",
        "Timeout": timeout,
        "MemorySize": 512,
        "Tags": [{"Key": "amplify:friendly-name", "Value": module}],
    }
    if environment:
        props["Environment"] = {"Variables": environment}
    return {"Type": "AWS::Lambda::Function", "Properties": props,
            "Metadata": {"amplify_py:source": str(FUNCTIONS / folder)}}


def backend_template(functions: dict[str, dict], lambda_config: dict[str, str], *,
                     auth_flows: list[str] | None = None) -> dict:
    tpl = copy.deepcopy(json.loads((CASES / "email_default.template.json").read_text()))
    pool = tpl["Resources"][POOL]["Properties"]
    pool["Schema"].append({"Name": "department", "AttributeDataType": "String", "Mutable": True})
    pool["LambdaConfig"] = {trigger: {"Fn::GetAtt": [fn, "Arn"]} for trigger, fn in lambda_config.items()}
    tpl["Resources"].update(functions)
    if auth_flows:
        tpl["Resources"][CLIENT]["Properties"]["ExplicitAuthFlows"] = auth_flows
    return tpl


class Local:
    """The engine, its function log, and a helper to deploy a backend and point the client at it."""

    def __init__(self, engine: LocalEngine, logs: list[tuple[str, str]], assembly: Path) -> None:
        self.engine, self.logs, self.assembly = engine, logs, assembly

    def deploy(self, tpl: dict) -> str:
        deployment = f"triggers-e2e-{next(_ids)}"
        result = self.engine.deploy(deployment, tpl, assembly_dir=self.assembly)
        outputs = json.loads((CASES / "email_default.amplify_outputs.json").read_text().replace(
            "${AWS::Region}", result.region).replace("${" + POOL + "}", result.physical_ids[POOL]).replace(
            "${" + CLIENT + "}", result.physical_ids[CLIENT]))
        outputs["auth"].pop("identity_pool_id", None)
        outputs["custom"] = {"local_engine": {"user_pool_endpoint": self.engine.endpoint}}
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
    yield Local(engine, logs, tmp_path_factory.mktemp("assembly"))
    engine.stop()


@pytest.fixture(autouse=True)
def fresh_client() -> Iterator[None]:
    _transport.set_http_client(None)
    cognito_user_pools_token_provider.set_key_value_storage(InMemoryStorage())
    credentials_provider._cached = None
    credentials_provider._primary_identity_id = None
    _auto_sign_in.reset()
    yield
    Amplify._auth = None


def _id_token() -> dict:
    tokens = cognito_user_pools_token_provider.get_tokens()
    return jwt.decode(str(tokens.id_token), options={"verify_signature": False})


@pytest.fixture(scope="module")
def sign_up_backend(local: Local) -> Callable[[], str]:
    tpl = backend_template(
        {"preSignUp": function("pre_sign_up", "pre_sign_up", environment={"ALLOWED_DEPARTMENTS": "engineering,sales"}),
         "customMessage": function("custom_message", "custom_message"),
         "preToken": function("pre_token", "pre_token", environment={"AMPLIFY_AUTH_USERPOOL_ID": {"Ref": POOL}})},
        {"PreSignUp": "preSignUp", "CustomMessage": "customMessage", "PreTokenGeneration": "preToken"})
    return lambda: local.deploy(tpl)


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
    assert claims["pool"] == pool_id  # AMPLIFY_AUTH_USERPOOL_ID resolved to the local pool's ID


@pytest.fixture(scope="module")
def challenge_backend(local: Local) -> Callable[[], str]:
    tpl = backend_template(
        {"defineChallenge": function("custom_challenge", "define_auth_challenge"),
         "createChallenge": function("custom_challenge", "create_auth_challenge", environment={"SECRET_CODE": "4242"}),
         "verifyChallenge": function("custom_challenge", "verify_auth_challenge")},
        {"DefineAuthChallenge": "defineChallenge", "CreateAuthChallenge": "createChallenge",
         "VerifyAuthChallengeResponse": "verifyChallenge"})
    return lambda: local.deploy(tpl)


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


def test_user_migration_brings_a_user_in_on_first_sign_in(local) -> None:
    local.deploy(backend_template(
        {"migrate": function("user_migration", "user_migration")}, {"UserMigration": "migrate"},
        auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]))
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


def test_a_handler_that_times_out_fails_the_operation_and_the_engine_keeps_serving(local) -> None:
    local.deploy(backend_template({"slow": function("slow", "slow", timeout=1)}, {"PreAuthentication": "slow"}))
    _confirmed(local, "judy@example.com")
    with pytest.raises(AuthError, match=r"PreAuthentication failed with error RequestId: [0-9a-f-]+ "
                                        r"Error: Task timed out after 1\.00 seconds\.") as exc:
        sign_in(username="judy@example.com", password=PASSWORD)
    assert exc.value.name == "UserLambdaValidationException"
    assert any("Task timed out after 1.00 seconds" in line for name, line in local.logs if name == "slow")
    _confirmed(local, "kim@example.com")  # still serving
