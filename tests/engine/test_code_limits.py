"""Requesting and entering codes is limited per user and hour, as Cognito limits password resets ("between 5 and
20 attempts [...] to request or enter a password reset code" in a given hour; the engine allows 20), so a code
re-issued again and again does not bring fresh guesses without end."""

from __future__ import annotations


import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from amplify_py.local import LocalEngine
from amplify_py.local.rules.codes import HOURLY_ATTEMPTS
from tests.engine.conftest import PASSWORD, Env, ManualClock, make_env, template

# boto3 retries LimitExceededException as a throttling error (refused retries do not count): one attempt here
_LIMIT = r"\(LimitExceededException\) when calling the {} operation.*: Attempt limit exceeded, please try after some time\."


@pytest.fixture(scope="module")
def env(engine_and_clock) -> Env:
    env = make_env(engine_and_clock, "code-limits", "email_default")
    env.idp = boto3.client("cognito-idp", endpoint_url=env.engine.endpoint, **env.engine.credentials.boto3_kwargs(),
                           config=Config(retries={"total_max_attempts": 1}))
    return env


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_resending_sign_up_codes_is_limited_per_hour(env: Env) -> None:
    env.sign_up("resend@example.com")
    for _ in range(HOURLY_ATTEMPTS):
        env.idp.resend_confirmation_code(ClientId=env.client_id, Username="resend@example.com")
    sent = len([m for m in env.engine.messages() if m["recipient"] == "resend@example.com"])
    with pytest.raises(ClientError, match=(_LIMIT.format("ResendConfirmationCode"))):
        env.idp.resend_confirmation_code(ClientId=env.client_id, Username="resend@example.com")
    with pytest.raises(ClientError, match=(_LIMIT.format("ConfirmSignUp"))):  # entering counts too
        env.idp.confirm_sign_up(ClientId=env.client_id, Username="resend@example.com",
                                ConfirmationCode=env.code("resend@example.com"))
    assert len([m for m in env.engine.messages() if m["recipient"] == "resend@example.com"]) == sent  # none sent
    env.clock.advance(3600)  # an hour after those attempts
    env.idp.resend_confirmation_code(ClientId=env.client_id, Username="resend@example.com")
    env.idp.confirm_sign_up(ClientId=env.client_id, Username="resend@example.com",
                            ConfirmationCode=env.code("resend@example.com"))


def test_brute_force_through_re_issued_reset_codes_is_stopped(env: Env) -> None:
    env.confirmed_user("reset@example.com")
    guesses = 0
    with pytest.raises(ClientError, match=(_LIMIT.format("ForgotPassword"))):
        while True:  # each new code brings five guesses; the hourly limit counts requests and guesses together
            env.idp.forgot_password(ClientId=env.client_id, Username="reset@example.com")
            for _ in range(4):
                guesses += 1
                with pytest.raises(ClientError, match=r"\(CodeMismatchException\)"):
                    env.idp.confirm_forgot_password(ClientId=env.client_id, Username="reset@example.com",
                                                    ConfirmationCode=_wrong(env.code("reset@example.com")),
                                                    Password="N3w-password!")
    assert guesses == 16  # 4 codes requested and 16 wrong ones entered: 20 attempts in the hour
    with pytest.raises(ClientError, match=(_LIMIT.format("ConfirmForgotPassword"))):  # even the right code
        env.idp.confirm_forgot_password(ClientId=env.client_id, Username="reset@example.com",
                                        ConfirmationCode=env.code("reset@example.com"), Password="N3w-password!")
    env.clock.advance(3600)
    env.idp.forgot_password(ClientId=env.client_id, Username="reset@example.com")
    env.idp.confirm_forgot_password(ClientId=env.client_id, Username="reset@example.com",
                                    ConfirmationCode=env.code("reset@example.com"), Password="N3w-password!")
    assert env.srp_sign_in("reset@example.com", "N3w-password!")["AuthenticationResult"]


def test_the_limit_is_per_user_and_per_purpose(env: Env) -> None:
    env.confirmed_user("busy@example.com")
    env.confirmed_user("calm@example.com")
    for _ in range(HOURLY_ATTEMPTS):
        env.idp.forgot_password(ClientId=env.client_id, Username="busy@example.com")
    with pytest.raises(ClientError, match=(_LIMIT.format("ForgotPassword"))):
        env.idp.forgot_password(ClientId=env.client_id, Username="busy@example.com")
    assert env.idp.forgot_password(ClientId=env.client_id, Username="calm@example.com")["CodeDeliveryDetails"]
    env.sign_up("pending@example.com")
    assert env.idp.resend_confirmation_code(ClientId=env.client_id, Username="pending@example.com")


def test_the_counts_survive_a_restart(tmp_path) -> None:
    clock = ManualClock()
    first = LocalEngine(tmp_path, clock=clock).start()
    env = Env(first, clock, "limits-restart", template("email_default"))
    env.sign_up("restart@example.com", PASSWORD)
    for _ in range(HOURLY_ATTEMPTS):
        env.idp.resend_confirmation_code(ClientId=env.client_id, Username="restart@example.com")
    first.stop()
    second = LocalEngine(tmp_path, clock=clock).start()
    try:
        again = Env(second, clock, "limits-restart", template("email_default"))
        again.idp = boto3.client("cognito-idp", endpoint_url=second.endpoint, **second.credentials.boto3_kwargs(),
                                 config=Config(retries={"total_max_attempts": 1}))
        with pytest.raises(ClientError, match=(_LIMIT.format("ResendConfirmationCode"))):
            again.idp.resend_confirmation_code(ClientId=again.client_id, Username="restart@example.com")
    finally:
        second.stop()


def _access_token(env: Env, email: str) -> str:
    env.confirmed_user(email)
    return env.srp_sign_in(email)["AuthenticationResult"]["AccessToken"]


def test_attribute_verification_codes_are_limited_per_hour(env: Env) -> None:
    token = _access_token(env, "verify@example.com")
    for _ in range(HOURLY_ATTEMPTS - 1):
        env.idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    with pytest.raises(ClientError, match=r"\(CodeMismatchException\)"):  # the 20th attempt: a wrong code entered
        env.idp.verify_user_attribute(AccessToken=token, AttributeName="email",
                                      Code=_wrong(env.code("verify@example.com")))
    sent = len([m for m in env.engine.messages() if m["recipient"] == "verify@example.com"])
    with pytest.raises(ClientError, match=_LIMIT.format("GetUserAttributeVerificationCode")):
        env.idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    with pytest.raises(ClientError, match=_LIMIT.format("VerifyUserAttribute")):  # even the right code
        env.idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=env.code("verify@example.com"))
    assert len([m for m in env.engine.messages() if m["recipient"] == "verify@example.com"]) == sent
    env.clock.advance(3600)
    token = env.srp_sign_in("verify@example.com")["AuthenticationResult"]["AccessToken"]  # the old one expired
    env.idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=env.code("verify@example.com"))


def test_codes_sent_by_update_user_attributes_count_toward_the_same_limit(env: Env) -> None:
    token = _access_token(env, "mover@example.com")
    for _ in range(HOURLY_ATTEMPTS):
        env.idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    with pytest.raises(ClientError, match=_LIMIT.format("UpdateUserAttributes")):
        env.idp.update_user_attributes(AccessToken=token, UserAttributes=[
            {"Name": "email", "Value": "moved@example.com"}, {"Name": "name", "Value": "Mover"}])
    attributes = {a["Name"]: a["Value"] for a in env.idp.get_user(AccessToken=token)["UserAttributes"]}
    assert attributes["email"] == "mover@example.com" and "name" not in attributes  # nothing changed
    assert not [m for m in env.engine.messages() if m["recipient"] == "moved@example.com"]
    env.clock.advance(3600)
    token = env.srp_sign_in("mover@example.com")["AuthenticationResult"]["AccessToken"]  # the old one expired
    sent = env.idp.update_user_attributes(AccessToken=token, UserAttributes=[
        {"Name": "email", "Value": "moved@example.com"}])["CodeDeliveryDetailsList"]
    assert sent == [{"Destination": "m***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}]
    env.idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=env.code("moved@example.com"))


def test_the_attribute_limit_is_per_attribute(env: Env) -> None:
    token = _access_token(env, "two@example.com")
    for _ in range(HOURLY_ATTEMPTS):
        env.idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    with pytest.raises(ClientError, match=_LIMIT.format("GetUserAttributeVerificationCode")):
        env.idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    with pytest.raises(ClientError, match=r"\(InvalidParameterException\).*No phone_number attribute exists"):
        env.idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="phone_number")
