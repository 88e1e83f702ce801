"""sign_in / confirm_sign_in against a scripted Cognito: exact request bodies and next steps."""

from __future__ import annotations

import json

import pytest
from fake_cognito import CLIENT_ID, FakeCognito, auth_result

from amplify_py.auth import confirm_sign_in, get_current_user, sign_in, sign_out
from amplify_py.auth._session import cognito_user_pools_token_provider
from amplify_py.auth.errors import (
    AuthValidationError,
    NotAuthorizedException,
    SignInException,
    UserAlreadyAuthenticatedException,
)

SRP_CHALLENGE = {
    "ChallengeName": "PASSWORD_VERIFIER",
    "Session": "s-srp",
    "ChallengeParameters": {
        "USERNAME": "sub-1",
        "USER_ID_FOR_SRP": "sub-1",
        "SRP_B": format(pow(2, 12345, 2**64 + 13), "x"),
        "SALT": "abcdef0123",
        "SECRET_BLOCK": "c2VjcmV0LWJsb2Nr",
    },
}


def test_default_flow_is_user_srp_auth_without_device_key(fake: FakeCognito) -> None:
    fake.reply("InitiateAuth", SRP_CHALLENGE)
    fake.reply("RespondToAuthChallenge", {"AuthenticationResult": auth_result(), "ChallengeParameters": {}})
    out = sign_in(username="a@b.co", password="Passw0rd!", options={"client_metadata": {"k": "v"}})
    assert out.is_signed_in and out.next_step.sign_in_step == "DONE"
    initiate = fake.body("InitiateAuth")
    assert initiate.keys() == {"AuthFlow", "AuthParameters", "ClientMetadata", "ClientId"}
    assert initiate["AuthFlow"] == "USER_SRP_AUTH"
    assert initiate["ClientId"] == CLIENT_ID
    assert initiate["ClientMetadata"] == {"k": "v"}
    assert set(initiate["AuthParameters"]) == {"USERNAME", "SRP_A"}
    assert int(initiate["AuthParameters"]["SRP_A"], 16) > 0
    respond = fake.body("RespondToAuthChallenge")
    assert respond["ChallengeName"] == "PASSWORD_VERIFIER"
    assert respond["Session"] == "s-srp"
    assert respond["ClientMetadata"] == {"k": "v"}
    assert set(respond["ChallengeResponses"]) == {
        "USERNAME",
        "PASSWORD_CLAIM_SECRET_BLOCK",
        "TIMESTAMP",
        "PASSWORD_CLAIM_SIGNATURE",
    }
    assert respond["ChallengeResponses"]["USERNAME"] == "sub-1"
    assert respond["ChallengeResponses"]["PASSWORD_CLAIM_SECRET_BLOCK"] == "c2VjcmV0LWJsb2Nr"
    headers = fake.headers[0]
    assert headers["x-amz-target"] == "AWSCognitoIdentityProviderService.InitiateAuth"
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert "authorization" not in headers
    assert fake.urls[0] == "https://cognito-idp.us-east-1.amazonaws.com/"
    user = get_current_user()
    assert (user.username, user.user_id) == ("sub-1", "sub-1")
    assert user.sign_in_details.auth_flow_type == "USER_SRP_AUTH"
    assert user.sign_in_details.login_id == "a@b.co"
    storage = cognito_user_pools_token_provider.storage
    assert storage.get_item(f"CognitoIdentityServiceProvider.{CLIENT_ID}.LastAuthUser") == "sub-1"
    assert storage.get_item(f"CognitoIdentityServiceProvider.{CLIENT_ID}.sub-1.refreshToken") == "refresh-1"


def test_user_password_auth(fake: FakeCognito) -> None:
    fake.reply("InitiateAuth", {"AuthenticationResult": auth_result(), "ChallengeParameters": {}})
    out = sign_in(username="a@b.co", password="pw", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    assert out.next_step.sign_in_step == "DONE"
    assert fake.body("InitiateAuth") == {
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "a@b.co", "PASSWORD": "pw"},
        "ClientId": CLIENT_ID,
    }


def test_already_signed_in(fake: FakeCognito) -> None:
    fake.reply("InitiateAuth", {"AuthenticationResult": auth_result()})
    sign_in(username="a@b.co", password="pw", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    with pytest.raises(UserAlreadyAuthenticatedException, match="There is already a signed in user") as info:
        sign_in(username="a@b.co", password="pw")
    assert info.value.recovery_suggestion == "Call signOut before calling signIn again."


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        ({"username": "", "password": "x"}, "EmptySignInUsername", "username is required to signIn"),
        ({"username": "u"}, "EmptySignInPassword", "password is required to signIn"),
        (
            {"username": "u", "password": "x", "options": {"auth_flow_type": "CUSTOM_WITHOUT_SRP"}},
            "CustomAuthSignInPassword",
            "A password is not needed",
        ),
        ({"username": "u", "password": "x", "options": {"authFlowType": "USER_AUTH"}}, "InvalidOptions", "authFlowType"),
    ],
)
def test_validation_errors(fake: FakeCognito, kwargs: dict, code: str, message: str) -> None:
    with pytest.raises(AuthValidationError, match=message) as info:
        sign_in(**kwargs)
    assert info.value.name == code
    assert fake.requests == []


def test_errors_that_are_next_steps(fake: FakeCognito) -> None:
    fake.fail("InitiateAuth", "PasswordResetRequiredException", "Password reset required for the user")
    assert sign_in(username="u", password="p", options={"auth_flow_type": "USER_PASSWORD_AUTH"}).next_step.sign_in_step == "RESET_PASSWORD"
    fake.fail("InitiateAuth", "UserNotConfirmedException", "User is not confirmed.")
    out = sign_in(username="u", password="p", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    assert (out.is_signed_in, out.next_step.sign_in_step) == (False, "CONFIRM_SIGN_UP")


def test_service_error_keeps_name_and_message(fake: FakeCognito) -> None:
    fake.fail("InitiateAuth", "NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(NotAuthorizedException, match="Incorrect username or password.") as info:
        sign_in(username="u", password="p", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    assert info.value.name == "NotAuthorizedException"
    assert info.value.recovery_suggestion


def _challenge(name: str, params: dict | None = None, session: str = "s1") -> dict:
    return {"ChallengeName": name, "Session": session, "ChallengeParameters": params or {}}


def _start(fake: FakeCognito, challenge: dict, username: str = "u"):
    fake.reply("InitiateAuth", challenge)
    return sign_in(username=username, password="pw", options={"auth_flow_type": "USER_PASSWORD_AUTH"})


def test_sms_mfa_step_and_confirm(fake: FakeCognito) -> None:
    out = _start(
        fake,
        _challenge(
            "SMS_MFA",
            {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******1234", "USERNAME": "sub-9"},
        ),
    )
    assert out.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    assert out.next_step.code_delivery_details.delivery_medium == "SMS"
    assert out.next_step.code_delivery_details.destination == "+*******1234"
    fake.reply("RespondToAuthChallenge", {"AuthenticationResult": auth_result(sub="sub-9", username="sub-9")})
    done = confirm_sign_in(challenge_response="123456", options={"client_metadata": {"a": "b"}})
    assert done.is_signed_in
    assert fake.body("RespondToAuthChallenge") == {
        "ChallengeName": "SMS_MFA",
        "ChallengeResponses": {"USERNAME": "sub-9", "SMS_MFA_CODE": "123456"},
        "Session": "s1",
        "ClientMetadata": {"a": "b"},
        "ClientId": CLIENT_ID,
    }


@pytest.mark.parametrize(
    ("challenge", "step", "key"),
    [
        ("SOFTWARE_TOKEN_MFA", "CONFIRM_SIGN_IN_WITH_TOTP_CODE", "SOFTWARE_TOKEN_MFA_CODE"),
        ("EMAIL_OTP", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "EMAIL_OTP_CODE"),
        ("SMS_OTP", "CONFIRM_SIGN_IN_WITH_SMS_CODE", "SMS_OTP_CODE"),
    ],
)
def test_code_challenges(fake: FakeCognito, challenge: str, step: str, key: str) -> None:
    assert _start(fake, _challenge(challenge)).next_step.sign_in_step == step
    fake.reply("RespondToAuthChallenge", {"AuthenticationResult": auth_result()})
    confirm_sign_in(challenge_response="654321")
    assert fake.body("RespondToAuthChallenge")["ChallengeResponses"] == {"USERNAME": "u", key: "654321"}
    assert fake.body("RespondToAuthChallenge")["ChallengeName"] == challenge


def test_mfa_selection(fake: FakeCognito) -> None:
    out = _start(fake, _challenge("SELECT_MFA_TYPE", {"MFAS_CAN_CHOOSE": '["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]'}))
    assert out.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_MFA_SELECTION"
    assert out.next_step.allowed_mfa_types == ["SMS", "TOTP", "EMAIL"]
    with pytest.raises(AuthValidationError, match="Incorrect MFA method was chosen"):
        confirm_sign_in(challenge_response="PUSH")
    fake.reply("RespondToAuthChallenge", _challenge("SOFTWARE_TOKEN_MFA", session="s2"))
    assert confirm_sign_in(challenge_response="TOTP").next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    assert fake.body("RespondToAuthChallenge")["ChallengeResponses"] == {"USERNAME": "u", "ANSWER": "SOFTWARE_TOKEN_MFA"}
    fake.reply("RespondToAuthChallenge", {"AuthenticationResult": auth_result()})
    confirm_sign_in(challenge_response="111111")
    assert fake.body("RespondToAuthChallenge")["Session"] == "s2"


def test_mfa_setup_selection_then_totp_setup(fake: FakeCognito) -> None:
    out = _start(fake, _challenge("MFA_SETUP", {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA","EMAIL_OTP","SMS_MFA"]'}))
    assert out.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
    assert out.next_step.allowed_mfa_types == ["TOTP", "EMAIL"]
    fake.reply("AssociateSoftwareToken", {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "s-assoc"})
    setup = confirm_sign_in(challenge_response="TOTP")
    assert setup.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_TOTP_SETUP"
    assert fake.body("AssociateSoftwareToken") == {"Session": "s1"}
    details = setup.next_step.totp_setup_details
    assert details.shared_secret == "JBSWY3DPEHPK3PXP"
    assert details.get_setup_uri("My App") == "otpauth://totp/My%20App:u?secret=JBSWY3DPEHPK3PXP&issuer=My%20App"
    fake.reply("VerifySoftwareToken", {"Status": "SUCCESS", "Session": "s-verified"})
    fake.reply("RespondToAuthChallenge", {"AuthenticationResult": auth_result()})
    done = confirm_sign_in(challenge_response="123456", options={"friendly_device_name": "laptop"})
    assert done.next_step.sign_in_step == "DONE"
    assert fake.body("VerifySoftwareToken") == {"UserCode": "123456", "Session": "s-assoc", "FriendlyDeviceName": "laptop"}
    assert fake.body("RespondToAuthChallenge") == {
        "ChallengeName": "MFA_SETUP",
        "ChallengeResponses": {"USERNAME": "u"},
        "Session": "s-verified",
        "ClientId": CLIENT_ID,
    }


def test_email_setup(fake: FakeCognito) -> None:
    out = _start(fake, _challenge("MFA_SETUP", {"MFAS_CAN_SETUP": '["EMAIL_OTP"]'}))
    assert out.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP"
    fake.reply("RespondToAuthChallenge", _challenge("EMAIL_OTP", {"CODE_DELIVERY_DESTINATION": "h***@m***"}, "s2"))
    nxt = confirm_sign_in(challenge_response="hello@mycompany.com")
    assert nxt.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    assert fake.body("RespondToAuthChallenge")["ChallengeResponses"] == {"USERNAME": "u", "EMAIL": "hello@mycompany.com"}
    # a fresh MFA_SETUP challenge, answered with something that is neither a type, a code nor an email
    _start(fake, _challenge("MFA_SETUP", {"MFAS_CAN_SETUP": '["EMAIL_OTP"]'}))
    with pytest.raises(SignInException, match="Cannot proceed with MFA setup using challengeResponse: neither"):
        confirm_sign_in(challenge_response="neither")


def test_new_password_required(fake: FakeCognito) -> None:
    out = _start(fake, _challenge("NEW_PASSWORD_REQUIRED", {"requiredAttributes": '["userAttributes.name"]', "userAttributes": "{}"}))
    assert out.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    assert out.next_step.missing_attributes == ["name"]
    fake.reply("RespondToAuthChallenge", {"AuthenticationResult": auth_result()})
    confirm_sign_in(challenge_response="N3w-password!", options={"user_attributes": {"name": "Jane"}})
    assert fake.body("RespondToAuthChallenge")["ChallengeResponses"] == {
        "userAttributes.name": "Jane",
        "NEW_PASSWORD": "N3w-password!",
        "USERNAME": "u",
    }


def test_custom_without_srp(fake: FakeCognito) -> None:
    fake.reply("InitiateAuth", _challenge("CUSTOM_CHALLENGE", {"USERNAME": "sub-2", "hint": "Enter the secret code"}))
    out = sign_in(username="u", options={"auth_flow_type": "CUSTOM_WITHOUT_SRP"})
    assert out.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
    assert out.next_step.additional_info["hint"] == "Enter the secret code"
    assert fake.body("InitiateAuth") == {"AuthFlow": "CUSTOM_AUTH", "AuthParameters": {"USERNAME": "u"}, "ClientId": CLIENT_ID}
    fake.reply("RespondToAuthChallenge", {"AuthenticationResult": auth_result(sub="sub-2", username="sub-2")})
    confirm_sign_in(challenge_response="42")
    assert fake.body("RespondToAuthChallenge")["ChallengeResponses"] == {"USERNAME": "sub-2", "ANSWER": "42"}


def test_custom_with_srp(fake: FakeCognito) -> None:
    fake.reply("InitiateAuth", SRP_CHALLENGE)
    fake.reply("RespondToAuthChallenge", _challenge("CUSTOM_CHALLENGE", {"question": "2+2?"}, "s-c"))
    out = sign_in(username="u", password="pw", options={"auth_flow_type": "CUSTOM_WITH_SRP"})
    assert out.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
    params = fake.body("InitiateAuth")["AuthParameters"]
    assert fake.body("InitiateAuth")["AuthFlow"] == "CUSTOM_AUTH"
    assert params["CHALLENGE_NAME"] == "SRP_A" and params["USERNAME"] == "u" and "SRP_A" in params
    assert fake.body("RespondToAuthChallenge")["ChallengeName"] == "PASSWORD_VERIFIER"


def test_user_auth_first_factor_selection(fake: FakeCognito) -> None:
    fake.reply(
        "InitiateAuth",
        {"ChallengeName": "SELECT_CHALLENGE", "Session": "s1", "ChallengeParameters": {}, "AvailableChallenges": ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]},
    )
    out = sign_in(username="a@b.co", options={"auth_flow_type": "USER_AUTH"})
    assert out.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    assert out.next_step.available_challenges == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    assert fake.body("InitiateAuth") == {"AuthFlow": "USER_AUTH", "AuthParameters": {"USERNAME": "a@b.co"}, "ClientId": CLIENT_ID}
    # choosing PASSWORD is answered locally; the password goes with SELECT_CHALLENGE next
    assert confirm_sign_in(challenge_response="PASSWORD").next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_PASSWORD"
    assert fake.ops() == ["InitiateAuth"]
    fake.reply("RespondToAuthChallenge", {"AuthenticationResult": auth_result()})
    assert confirm_sign_in(challenge_response="pw").is_signed_in
    assert fake.body("RespondToAuthChallenge") == {
        "ChallengeName": "SELECT_CHALLENGE",
        "ChallengeResponses": {"ANSWER": "PASSWORD", "USERNAME": "a@b.co", "PASSWORD": "pw"},
        "Session": "s1",
        "ClientId": CLIENT_ID,
    }


def test_user_auth_select_email_otp_then_password_srp(fake: FakeCognito) -> None:
    fake.reply("InitiateAuth", {"ChallengeName": "SELECT_CHALLENGE", "Session": "s1", "AvailableChallenges": ["EMAIL_OTP"]})
    sign_in(username="a@b.co", options={"auth_flow_type": "USER_AUTH"})
    fake.reply("RespondToAuthChallenge", _challenge("EMAIL_OTP", {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"}, "s2"))
    assert confirm_sign_in(challenge_response="EMAIL_OTP").next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    assert fake.body("RespondToAuthChallenge")["ChallengeResponses"] == {"USERNAME": "a@b.co", "ANSWER": "EMAIL_OTP"}


def test_user_auth_preferred_password_srp(fake: FakeCognito) -> None:
    fake.reply("InitiateAuth", SRP_CHALLENGE)
    fake.reply("RespondToAuthChallenge", {"AuthenticationResult": auth_result()})
    sign_in(username="a@b.co", password="pw", options={"auth_flow_type": "USER_AUTH", "preferred_challenge": "PASSWORD_SRP"})
    initiate = fake.body("InitiateAuth")
    assert initiate["AuthFlow"] == "USER_AUTH"
    assert initiate["AuthParameters"]["PREFERRED_CHALLENGE"] == "PASSWORD_SRP"
    assert set(initiate["AuthParameters"]) == {"USERNAME", "SRP_A", "PREFERRED_CHALLENGE"}


def test_user_auth_preferred_email_otp(fake: FakeCognito) -> None:
    fake.reply("InitiateAuth", _challenge("EMAIL_OTP", {"CODE_DELIVERY_DESTINATION": "a***@b***", "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"}))
    out = sign_in(username="a@b.co", options={"auth_flow_type": "USER_AUTH", "preferred_challenge": "EMAIL_OTP"})
    assert out.next_step.code_delivery_details.destination == "a***@b***"
    assert fake.body("InitiateAuth")["AuthParameters"] == {"USERNAME": "a@b.co", "PREFERRED_CHALLENGE": "EMAIL_OTP"}


def test_confirm_without_sign_in(fake: FakeCognito) -> None:
    with pytest.raises(SignInException, match="sign_in was not called before confirm_sign_in") as raised:
        confirm_sign_in(challenge_response="123456")
    # Python's names, and not aws-amplify's run-together "confirmSignInand" (two concatenated literals).
    assert raised.value.recovery_suggestion == (
        "Make sure a successful call to sign_in is made before calling confirm_sign_in, in the same process "
        "or with a FileStorage that keeps the sign-in state, and that the session has not expired.")
    with pytest.raises(AuthValidationError, match="challengeResponse is required to confirmSignIn"):
        confirm_sign_in(challenge_response="")


def test_sign_in_state_is_in_storage(fake: FakeCognito) -> None:
    _start(fake, _challenge("SOFTWARE_TOKEN_MFA", {"USERNAME": "sub-3"}, "sess-xyz"))
    storage = cognito_user_pools_token_provider.storage
    assert storage.get_item("CognitoSignInState.username") == "sub-3"
    assert storage.get_item("CognitoSignInState.challengeName") == "SOFTWARE_TOKEN_MFA"
    assert storage.get_item("CognitoSignInState.signInSession") == "sess-xyz"
    assert json.loads(storage.get_item("CognitoSignInState.signInDetails"))["authFlowType"] == "USER_PASSWORD_AUTH"


def test_unhandled_challenge(fake: FakeCognito) -> None:
    with pytest.raises(SignInException, match="DEVICE_PASSWORD_VERIFIER challengeName returned by the underlying service was not addressed"):
        _start(fake, _challenge("DEVICE_PASSWORD_VERIFIER"))


def test_device_srp_auth_without_a_stored_device(fake: FakeCognito) -> None:
    from amplify_py.auth.errors import DeviceMetadataNotFoundException

    with pytest.raises(DeviceMetadataNotFoundException, match="deviceKey, deviceGroupKey or secretPassword were not found"):
        _start(fake, _challenge("DEVICE_SRP_AUTH"))


def test_sign_out_revokes_refresh_token(fake: FakeCognito) -> None:
    fake.reply("InitiateAuth", {"AuthenticationResult": auth_result()})
    sign_in(username="u", password="pw", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    fake.reply("RevokeToken", {})
    sign_out()
    assert fake.body("RevokeToken") == {"ClientId": CLIENT_ID, "Token": "refresh-1"}
    assert cognito_user_pools_token_provider.get_tokens() is None


def test_global_sign_out_and_errors_are_swallowed(fake: FakeCognito) -> None:
    fake.reply("InitiateAuth", {"AuthenticationResult": auth_result()})
    sign_in(username="u", password="pw", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    access = str(cognito_user_pools_token_provider.get_tokens().access_token)
    fake.fail("GlobalSignOut", "NotAuthorizedException", "Access Token has been revoked")
    sign_out(global_sign_out=True)
    assert fake.body("GlobalSignOut") == {"AccessToken": access}
    assert cognito_user_pools_token_provider.get_tokens() is None


@pytest.mark.parametrize(
    ("message", "suggestion"),
    [
        ("Incorrect username or password.", "Check the username and password"),
        ("Password attempts exceeded", "locked the user out for a while"),
        ("User is disabled.", "An administrator must enable the user"),
        ("Invalid session for the user, session is expired.", "call sign_in again"),
    ],
)
def test_not_authorized_suggestion_follows_the_message(fake: FakeCognito, message: str, suggestion: str) -> None:
    # One exception name, several causes: the suggestion must fit the cause Cognito's message names.
    fake.fail("InitiateAuth", "NotAuthorizedException", message)
    with pytest.raises(NotAuthorizedException, match=message) as info:
        sign_in(username="u", password="p", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    assert suggestion in (info.value.recovery_suggestion or "")
