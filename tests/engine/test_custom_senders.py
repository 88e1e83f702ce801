"""Custom email and SMS senders: every message a pool with senders would send goes, encrypted under the pool's
KMS key, to the sender for its medium instead of the outbox. The invoker here decrypts each code with the AWS
Encryption SDK against the engine's KMS face, as a deployed handler does."""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Iterator

import aws_encryption_sdk
import pytest
from aws_encryption_sdk import CommitmentPolicy, StrictAwsKmsMasterKeyProvider
from botocore.exceptions import ClientError

from amplify_py.local import LocalEngine
from tests.engine.conftest import CLIENT, PASSWORD, POOL, Env, ManualClock, template

KEY = "CustomSenderKey297023AD"
# The pool's LambdaConfig entries, as the invoker receives them.
EMAIL_SENDER = {"LambdaArn": {"Fn::GetAtt": ["customEmailSenderFn571C18B3", "Arn"]}, "LambdaVersion": "V1_0"}
SMS_SENDER = {"LambdaArn": {"Fn::GetAtt": ["customSmsSenderFnB116DA92", "Arn"]}, "LambdaVersion": "V1_0"}


class Senders:
    """The engine's calls to the sender functions, each with its code decrypted as a handler would."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, dict, str]] = []
        self.key_arn = ""
        self.fail_with: str | None = None
        self._client = aws_encryption_sdk.EncryptionSDKClient(
            commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)

    def __call__(self, deployment: str, ref: object, event: dict) -> None:
        if self.fail_with:
            raise RuntimeError(self.fail_with)
        plaintext, header = self._client.decrypt(source=base64.b64decode(event["request"]["code"]),
                                                 key_provider=StrictAwsKmsMasterKeyProvider(key_ids=[self.key_arn]))
        assert header.encryption_context["userpool-id"] == event["userPoolId"]
        self.calls.append((ref, event, plaintext.decode()))
        return None  # as the documented handlers do: Cognito reads nothing back

    def last(self, source: str) -> tuple[dict, str]:
        found = [(event, code) for _ref, event, code in self.calls if event["triggerSource"] == source]
        assert found, f"no {source} call in {[e['triggerSource'] for _r, e, _c in self.calls]}"
        return found[-1]


@pytest.fixture(scope="module")
def senders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Env, Senders]]:
    recorder = Senders()
    clock = ManualClock()
    engine = LocalEngine(tmp_path_factory.mktemp("senders"), clock=clock, trigger_invoker=recorder).start()
    mp = pytest.MonkeyPatch()
    # as the engine's functions get them: its endpoint, and its local credentials (KMS calls are signed)
    for name, value in {"AWS_ENDPOINT_URL_KMS": engine.endpoint, **engine.credentials.environment()}.items():
        mp.setenv(name, value)
    tpl = copy.deepcopy(template("sender_custom_email_sms", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]))
    tpl["Resources"][POOL]["Properties"].update({"MfaConfiguration": "OPTIONAL", "EnabledMfas": ["SMS_MFA"]})
    env = Env(engine, clock, "senders", tpl)
    recorder.key_arn = f"arn:aws:kms:us-east-1:000000000000:key/{env.result.physical_ids[KEY]}"
    yield env, recorder
    mp.undo()
    engine.stop()


def _sign_up(env: Env, email: str, phone: str) -> dict:
    return env.sign_up(email, attrs=[{"Name": "phone_number", "Value": phone}])


def test_sign_up_code_goes_to_the_sms_sender(senders) -> None:
    env, recorder = senders
    out = _sign_up(env, "sam@example.com", "+15555550101")
    assert out["CodeDeliveryDetails"] == {"Destination": "+*******0101", "DeliveryMedium": "SMS",
                                          "AttributeName": "phone_number"}
    event, code = recorder.last("CustomSMSSender_SignUp")
    ref = recorder.calls[-1][0]
    assert ref == SMS_SENDER and re.fullmatch(r"\d{6}", code)
    assert event["request"]["type"] == "customSMSSenderRequestV1" and event["request"]["clientMetadata"] is None
    assert event["callerContext"]["clientId"] == env.client_id and event["userPoolId"] == env.pool_id
    attrs = event["request"]["userAttributes"]
    assert attrs["phone_number"] == "+15555550101" and attrs["cognito:user_status"] == "UNCONFIRMED"
    assert env.engine.messages() == []  # nothing in the outbox: the sender delivers
    env.idp.confirm_sign_up(ClientId=env.client_id, Username="sam@example.com", ConfirmationCode=code)


def test_resend_carries_client_metadata(senders) -> None:
    env, recorder = senders
    _sign_up(env, "rita@example.com", "+15555550102")
    env.idp.resend_confirmation_code(ClientId=env.client_id, Username="rita@example.com",
                                     ClientMetadata={"campaign": "spring"})
    event, code = recorder.last("CustomSMSSender_ResendCode")
    assert event["request"]["clientMetadata"] == {"campaign": "spring"}
    env.idp.confirm_sign_up(ClientId=env.client_id, Username="rita@example.com", ConfirmationCode=code)


def test_attribute_verification_and_update_go_to_the_email_sender(senders) -> None:
    env, recorder = senders
    _sign_up(env, "uma@example.com", "+15555550103")
    env.idp.confirm_sign_up(ClientId=env.client_id, Username="uma@example.com",
                            ConfirmationCode=recorder.last("CustomSMSSender_SignUp")[1])
    token = env.password_sign_in("uma@example.com")["AuthenticationResult"]["AccessToken"]
    env.idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    event, code = recorder.last("CustomEmailSender_VerifyUserAttribute")
    assert recorder.calls[-1][0] == EMAIL_SENDER and event["request"]["type"] == "customEmailSenderRequestV1"
    env.idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)

    env.idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "uma@new.example"}])
    event, code = recorder.last("CustomEmailSender_UpdateUserAttribute")
    assert event["request"]["userAttributes"]["email"] == "uma@new.example"  # where this code must go
    env.idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    user = env.idp.get_user(AccessToken=token)
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email"] == "uma@new.example"


def test_sms_mfa_code_is_an_authentication_message(senders) -> None:
    env, recorder = senders
    _sign_up(env, "mia@example.com", "+15555550104")
    env.idp.confirm_sign_up(ClientId=env.client_id, Username="mia@example.com",
                            ConfirmationCode=recorder.last("CustomSMSSender_SignUp")[1])
    token = env.password_sign_in("mia@example.com")["AuthenticationResult"]["AccessToken"]
    env.idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True})
    step = env.password_sign_in("mia@example.com")
    assert step["ChallengeName"] == "SMS_MFA"
    _event, code = recorder.last("CustomSMSSender_Authentication")
    done = env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="SMS_MFA", Session=step["Session"],
                                             ChallengeResponses={"USERNAME": "mia@example.com", "SMS_MFA_CODE": code})
    assert done["AuthenticationResult"]["AccessToken"]


def test_admin_create_user_sends_the_escaped_temporary_password_to_both(senders) -> None:
    env, recorder = senders
    env.idp.admin_create_user(
        UserPoolId=env.pool_id, Username="tom@example.com", TemporaryPassword="Tmp<Pass>&1",
        DesiredDeliveryMediums=["EMAIL", "SMS"],
        UserAttributes=[{"Name": "email", "Value": "tom@example.com"}, {"Name": "phone_number", "Value": "+15555550105"}])
    email_event, email_secret = recorder.last("CustomEmailSender_AdminCreateUser")
    _sms_event, sms_secret = recorder.last("CustomSMSSender_AdminCreateUser")
    assert email_secret == sms_secret == "Tmp&lt;Pass&gt;&amp;1"  # Cognito HTML-escapes temporary passwords
    assert email_event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert email_event["request"]["userAttributes"]["cognito:user_status"] == "FORCE_CHANGE_PASSWORD"


def test_a_failing_sender_is_cognitos_lambda_error(senders) -> None:
    env, recorder = senders
    recorder.fail_with = "provider unreachable"
    try:
        with pytest.raises(ClientError, match=re.escape("CustomSMSSender failed with error provider unreachable.")) as exc:
            _sign_up(env, "vic@example.com", "+15555550106")
    finally:
        recorder.fail_with = None
    assert exc.value.response["Error"]["Code"] == "UserLambdaValidationException"


def test_a_pool_without_senders_still_uses_the_outbox(tmp_path) -> None:
    engine = LocalEngine(tmp_path).start()
    try:
        env = Env(engine, ManualClock(), "plain", template("email_default"))
        env.sign_up("wes@example.com")
        assert env.code("wes@example.com")
        assert CLIENT in env.result.physical_ids and KEY not in env.result.physical_ids
    finally:
        engine.stop()
