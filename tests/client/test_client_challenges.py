"""Custom challenges (with Python stand-ins for the Lambda triggers), new password, email MFA, setup selection."""

from __future__ import annotations

import boto3
import pyotp
import pytest
from botocore.config import Config
from engine_backend import Backend, resource

from amplify_py.auth import (
    confirm_sign_in,
    confirm_sign_up,
    fetch_mfa_preference,
    get_current_user,
    sign_in,
    sign_out,
    sign_up,
    update_mfa_preference,
)
from amplify_py.auth.errors import NotAuthorizedException

PASSWORD = "Sup3r-secret!"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


def _user(backend: Backend, email: str) -> None:
    sign_up(username=email, password=PASSWORD, options={"user_attributes": {"email": email}})
    confirm_sign_up(username=email, confirmation_code=backend.last_code(email))


def _custom_auth(tpl: dict) -> None:
    resource(tpl, "AWS::Cognito::UserPool")["LambdaConfig"] = {
        "DefineAuthChallenge": ARN + "defineChallenge",
        "CreateAuthChallenge": ARN + "createChallenge",
        "VerifyAuthChallengeResponse": ARN + "verifyChallenge",
    }


@pytest.fixture
def secret_code_triggers(triggers):
    """The seed's example: a custom challenge asking for a secret code, with a hint."""

    def define(event: dict) -> dict:
        # Amplify's sample: SRP first when asked for, then one custom challenge; tokens once it is answered.
        session = event["request"]["session"]
        last = session[-1] if session else {}
        response = event["response"]
        if last.get("challengeName") == "SRP_A":
            response.update(challengeName="PASSWORD_VERIFIER", issueTokens=False, failAuthentication=False)
        elif last.get("challengeName") == "CUSTOM_CHALLENGE" and last.get("challengeResult"):
            response.update(issueTokens=True, failAuthentication=False)
        elif last.get("challengeName") == "CUSTOM_CHALLENGE" or (last and not last.get("challengeResult")):
            response.update(issueTokens=False, failAuthentication=True)
        else:
            response.update(challengeName="CUSTOM_CHALLENGE", issueTokens=False, failAuthentication=False)
        return event

    def create(event: dict) -> dict:
        event["response"].update(
            publicChallengeParameters={"hint": "Enter the secret code"},
            privateChallengeParameters={"answer": "42"},
            challengeMetadata="SECRET_CODE",
        )
        return event

    def verify(event: dict) -> dict:
        event["response"]["answerCorrect"] = event["request"]["challengeAnswer"] == event["request"]["privateChallengeParameters"]["answer"]
        return event

    triggers.handlers.update(defineChallenge=define, createChallenge=create, verifyChallenge=verify)
    yield
    for name in ("defineChallenge", "createChallenge", "verifyChallenge"):
        triggers.handlers.pop(name, None)


def test_custom_challenge_without_srp(deploy, secret_code_triggers) -> None:
    backend = deploy("email_default", _custom_auth)
    _user(backend, "custom@example.com")
    result = sign_in(username="custom@example.com", options={"auth_flow_type": "CUSTOM_WITHOUT_SRP"})
    assert result.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
    assert result.next_step.additional_info["hint"] == "Enter the secret code"
    done = confirm_sign_in(challenge_response="42")
    assert done.next_step.sign_in_step == "DONE"
    assert get_current_user().sign_in_details.auth_flow_type == "CUSTOM_WITHOUT_SRP"


def test_custom_challenge_wrong_answer_fails_authentication(deploy, secret_code_triggers) -> None:
    backend = deploy("email_default", _custom_auth)
    _user(backend, "wrong@example.com")
    sign_in(username="wrong@example.com", options={"auth_flow_type": "CUSTOM_WITHOUT_SRP"})
    with pytest.raises(NotAuthorizedException, match="Incorrect username or password."):
        confirm_sign_in(challenge_response="41")


def _admin(backend: Backend):
    return boto3.client(
        "cognito-idp",
        endpoint_url=backend.outputs["custom"]["local_engine"]["user_pool_endpoint"],
        **backend.engine.credentials.boto3_kwargs(),
        config=Config(retries={"max_attempts": 1}),
    )


def test_new_password_required_for_an_admin_created_user(deploy) -> None:
    backend = deploy("email_default")
    _admin(backend).admin_create_user(
        UserPoolId=backend.outputs["auth"]["user_pool_id"],
        Username="invited@example.com",
        TemporaryPassword="Temp-passw0rd!",
        UserAttributes=[{"Name": "email", "Value": "invited@example.com"}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    result = sign_in(username="invited@example.com", password="Temp-passw0rd!")
    assert result.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    assert result.next_step.missing_attributes == []
    assert confirm_sign_in(challenge_response="Brand-new-passw0rd!").is_signed_in
    sign_out()
    assert sign_in(username="invited@example.com", password="Brand-new-passw0rd!").is_signed_in


def _email_mfa(tpl: dict) -> None:
    pool = resource(tpl, "AWS::Cognito::UserPool")
    pool["MfaConfiguration"] = "OPTIONAL"
    pool["EnabledMfas"] = ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]


def test_email_mfa_code(deploy) -> None:
    backend = deploy("mfa_optional_totp_sms", _email_mfa)
    _user(backend, "mfa-mail@example.com")
    sign_in(username="mfa-mail@example.com", password=PASSWORD)
    update_mfa_preference(email="PREFERRED")
    assert fetch_mfa_preference().preferred == "EMAIL"
    sign_out()
    result = sign_in(username="mfa-mail@example.com", password=PASSWORD)
    assert result.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    assert result.next_step.code_delivery_details.destination == "m***@e***"
    assert confirm_sign_in(challenge_response=backend.last_code("mfa-mail@example.com")).is_signed_in


def _phone_mfa_required(tpl: dict) -> None:
    pool = resource(tpl, "AWS::Cognito::UserPool")
    pool["MfaConfiguration"] = "ON"
    pool["EnabledMfas"] = ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]


def test_mfa_setup_selection_then_totp(deploy) -> None:
    backend = deploy("phone", _phone_mfa_required)
    sign_up(username="+15555550123", password=PASSWORD, options={"user_attributes": {"phone_number": "+15555550123"}})
    confirm_sign_up(username="+15555550123", confirmation_code=backend.last_code("+15555550123"))
    result = sign_in(username="+15555550123", password=PASSWORD)
    assert result.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
    assert result.next_step.allowed_mfa_types == ["TOTP", "EMAIL"]
    setup = confirm_sign_in(challenge_response="TOTP")
    assert setup.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_TOTP_SETUP"
    code = pyotp.TOTP(setup.next_step.totp_setup_details.shared_secret).now()
    assert confirm_sign_in(challenge_response=code).is_signed_in


def test_custom_challenge_with_srp_checks_the_password_then_the_custom_challenge(deploy, secret_code_triggers) -> None:
    backend = deploy("email_default", _custom_auth)
    _user(backend, "srp-custom@example.com")
    result = sign_in(username="srp-custom@example.com", password=PASSWORD,
                     options={"auth_flow_type": "CUSTOM_WITH_SRP"})
    assert result.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"  # not signed in yet
    assert result.next_step.additional_info["hint"] == "Enter the secret code"
    assert confirm_sign_in(challenge_response="42").is_signed_in
    assert get_current_user().sign_in_details.auth_flow_type == "CUSTOM_WITH_SRP"
    sign_out()
    with pytest.raises(NotAuthorizedException, match="Incorrect username or password."):
        sign_in(username="srp-custom@example.com", password="Wr0ng-secret!", options={"auth_flow_type": "CUSTOM_WITH_SRP"})


def test_passwordless_sign_up_then_email_code_sign_in(deploy) -> None:
    backend = deploy("passwordless_email_otp")
    out = sign_up(username="nopass@example.com", options={"user_attributes": {"email": "nopass@example.com"}})
    assert out.next_step.sign_up_step == "CONFIRM_SIGN_UP"
    confirm_sign_up(username="nopass@example.com", confirmation_code=backend.last_code("nopass@example.com"))
    result = sign_in(username="nopass@example.com", options={"auth_flow_type": "USER_AUTH"})
    assert result.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    assert result.next_step.available_challenges == ["EMAIL_OTP"]
    assert confirm_sign_in(challenge_response="EMAIL_OTP").next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    assert confirm_sign_in(challenge_response=backend.last_code("nopass@example.com")).is_signed_in


def test_mfa_setup_selection_then_email(deploy) -> None:
    backend = deploy("phone", _phone_mfa_required)
    sign_up(username="+15555550124", password=PASSWORD, options={"user_attributes": {"phone_number": "+15555550124"}})
    confirm_sign_up(username="+15555550124", confirmation_code=backend.last_code("+15555550124"))
    result = sign_in(username="+15555550124", password=PASSWORD)
    assert result.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
    assert confirm_sign_in(challenge_response="EMAIL").next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP"
    code_step = confirm_sign_in(challenge_response="setup@example.com")
    assert code_step.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    assert code_step.next_step.code_delivery_details.destination == "s***@e***"
    assert confirm_sign_in(challenge_response=backend.last_code("setup@example.com")).is_signed_in
    assert fetch_mfa_preference().enabled == ["EMAIL"]
