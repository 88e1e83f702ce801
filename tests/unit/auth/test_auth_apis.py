"""sign_up & auto sign-in, user attributes, passwords and MFA settings: request bodies and results."""

from __future__ import annotations

import pytest
from fake_cognito import CLIENT_ID, FakeCognito, auth_result

from amplify_py.auth import (
    auto_sign_in,
    confirm_reset_password,
    confirm_sign_up,
    confirm_user_attribute,
    delete_user,
    delete_user_attributes,
    fetch_mfa_preference,
    fetch_user_attributes,
    reset_password,
    resend_sign_up_code,
    send_user_attribute_verification_code,
    set_up_totp,
    sign_in,
    sign_up,
    update_mfa_preference,
    update_password,
    update_user_attribute,
    update_user_attributes,
    verify_totp_setup,
)
from amplify_py.auth._session import cognito_user_pools_token_provider
from amplify_py.auth.errors import (
    AuthValidationError,
    AutoSignInException,
    CodeMismatchException,
    UserUnAuthenticatedException,
)

CDD = {"Destination": "h***@m***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def _signed_in(fake: FakeCognito) -> str:
    fake.reply("InitiateAuth", {"AuthenticationResult": auth_result()})
    sign_in(username="u", password="pw", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    return str(cognito_user_pools_token_provider.get_tokens().access_token)


def test_sign_up_with_attributes(fake: FakeCognito) -> None:
    fake.reply("SignUp", {"UserSub": "sub-1", "UserConfirmed": False, "CodeDeliveryDetails": CDD})
    out = sign_up(
        username="hello@mycompany.com",
        password="hunter2",
        options={"user_attributes": {"email": "hello@mycompany.com", "phone_number": "+15555555555"}, "client_metadata": {"m": "1"}},
    )
    assert (out.is_sign_up_complete, out.user_id, out.next_step.sign_up_step) == (False, "sub-1", "CONFIRM_SIGN_UP")
    assert out.next_step.code_delivery_details.attribute_name == "email"
    assert fake.body("SignUp") == {
        "Username": "hello@mycompany.com",
        "Password": "hunter2",
        "UserAttributes": [{"Name": "email", "Value": "hello@mycompany.com"}, {"Name": "phone_number", "Value": "+15555555555"}],
        "ClientMetadata": {"m": "1"},
        "ClientId": CLIENT_ID,
    }
    fake.reply("ConfirmSignUp", {})
    done = confirm_sign_up(username="hello@mycompany.com", confirmation_code="123456")
    assert (done.is_sign_up_complete, done.next_step.sign_up_step) == (True, "DONE")
    assert fake.body("ConfirmSignUp") == {"Username": "hello@mycompany.com", "ConfirmationCode": "123456", "ClientId": CLIENT_ID}


def test_passwordless_sign_up_sends_no_password(fake: FakeCognito) -> None:
    fake.reply("SignUp", {"UserSub": "s", "UserConfirmed": True})
    out = sign_up(username="hello", options={"user_attributes": {"email": "hello@example.com"}})
    assert "Password" not in fake.body("SignUp")
    assert out.next_step.sign_up_step == "DONE" and out.is_sign_up_complete


def test_auto_sign_in_with_user_auth_uses_the_confirm_session(fake: FakeCognito) -> None:
    fake.reply("SignUp", {"UserSub": "s", "UserConfirmed": False, "CodeDeliveryDetails": CDD, "Session": "signup-s"})
    sign_up(username="hello", options={"user_attributes": {"email": "hello@example.com"}, "auto_sign_in": {"auth_flow_type": "USER_AUTH"}})
    fake.reply("ConfirmSignUp", {"Session": "confirm-s"})
    out = confirm_sign_up(username="hello", confirmation_code="123456")
    assert out.next_step.sign_up_step == "COMPLETE_AUTO_SIGN_IN"
    fake.reply("InitiateAuth", {"AuthenticationResult": auth_result()})
    assert auto_sign_in().next_step.sign_in_step == "DONE"
    assert fake.body("InitiateAuth") == {
        "AuthFlow": "USER_AUTH",
        "AuthParameters": {"USERNAME": "hello"},
        "ClientId": CLIENT_ID,
        "Session": "confirm-s",
    }
    with pytest.raises(AutoSignInException, match="The autoSignIn flow has not started"):
        auto_sign_in()


def test_auto_sign_in_true_uses_password_and_srp(fake: FakeCognito) -> None:
    fake.reply("SignUp", {"UserSub": "s", "UserConfirmed": True})
    out = sign_up(username="u", password="pw", options={"auto_sign_in": True})
    assert out.next_step.sign_up_step == "COMPLETE_AUTO_SIGN_IN"
    fake.reply("InitiateAuth", {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "x", "ChallengeParameters": {}})
    # the SRP flow would answer PASSWORD_VERIFIER; an MFA challenge here shows the step is passed through
    assert auto_sign_in().next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    assert fake.body("InitiateAuth")["AuthFlow"] == "USER_SRP_AUTH"


def test_confirm_for_another_user_does_not_auto_sign_in(fake: FakeCognito) -> None:
    fake.reply("SignUp", {"UserSub": "s", "UserConfirmed": False})
    sign_up(username="a", password="pw", options={"auto_sign_in": True})
    fake.reply("ConfirmSignUp", {})
    assert confirm_sign_up(username="b", confirmation_code="1").next_step.sign_up_step == "DONE"
    with pytest.raises(AutoSignInException, match="has not started"):
        auto_sign_in()


def test_sign_up_validation_and_resend(fake: FakeCognito) -> None:
    with pytest.raises(AuthValidationError, match="username is required to signUp"):
        sign_up(username="", password="x")
    with pytest.raises(AuthValidationError, match="code is required to confirmSignUp"):
        confirm_sign_up(username="u", confirmation_code="")
    fake.reply("ResendConfirmationCode", {"CodeDeliveryDetails": CDD})
    details = resend_sign_up_code(username="u")
    assert (details.destination, details.delivery_medium, details.attribute_name) == ("h***@m***", "EMAIL", "email")
    assert fake.body("ResendConfirmationCode") == {"Username": "u", "ClientId": CLIENT_ID}
    fake.fail("ConfirmSignUp", "CodeMismatchException", "Invalid verification code provided, please try again.")
    with pytest.raises(CodeMismatchException, match="Invalid verification code provided"):
        confirm_sign_up(username="u", confirmation_code="000000")


def test_apis_need_a_signed_in_user(fake: FakeCognito) -> None:
    for call in (fetch_user_attributes, set_up_totp, fetch_mfa_preference, delete_user):
        with pytest.raises(UserUnAuthenticatedException, match="User needs to be authenticated to call this API."):
            call()
    assert fake.requests == []


def test_user_attributes(fake: FakeCognito) -> None:
    access = _signed_in(fake)
    fake.reply("GetUser", {"Username": "sub-1", "UserAttributes": [{"Name": "email", "Value": "a@b.co"}, {"Name": "sub", "Value": "sub-1"}]})
    assert fetch_user_attributes() == {"email": "a@b.co", "sub": "sub-1"}
    assert fake.body("GetUser") == {"AccessToken": access}

    fake.reply("UpdateUserAttributes", {"CodeDeliveryDetailsList": [CDD]})
    out = update_user_attributes({"email": "me@domain.com", "name": "Jon Doe"})
    assert out["name"].is_updated and out["name"].next_step.update_attribute_step == "DONE"
    assert not out["email"].is_updated
    assert out["email"].next_step.update_attribute_step == "CONFIRM_ATTRIBUTE_WITH_CODE"
    assert out["email"].next_step.code_delivery_details.delivery_medium == "EMAIL"
    assert fake.body("UpdateUserAttributes") == {
        "AccessToken": access,
        "UserAttributes": [{"Name": "email", "Value": "me@domain.com"}, {"Name": "name", "Value": "Jon Doe"}],
    }
    fake.reply("UpdateUserAttributes", {})
    single = update_user_attribute(user_attribute={"attribute_key": "nickname", "value": "jo"})
    assert single.next_step.update_attribute_step == "DONE"

    fake.reply("VerifyUserAttribute", {})
    confirm_user_attribute(user_attribute_key="email", confirmation_code="123456")
    assert fake.body("VerifyUserAttribute") == {"AccessToken": access, "AttributeName": "email", "Code": "123456"}
    with pytest.raises(AuthValidationError, match="confirmation code is required to confirmUserAttribute"):
        confirm_user_attribute(user_attribute_key="email", confirmation_code="")

    fake.reply("GetUserAttributeVerificationCode", {"CodeDeliveryDetails": CDD})
    assert send_user_attribute_verification_code(user_attribute_key="email").destination == "h***@m***"
    assert fake.body("GetUserAttributeVerificationCode") == {"AccessToken": access, "AttributeName": "email"}

    fake.reply("DeleteUserAttributes", {})
    delete_user_attributes(user_attribute_keys=["custom:my_custom_attribute", "nickname"])
    assert fake.body("DeleteUserAttributes") == {
        "AccessToken": access,
        "UserAttributeNames": ["custom:my_custom_attribute", "nickname"],
    }


def test_passwords(fake: FakeCognito) -> None:
    fake.reply("ForgotPassword", {"CodeDeliveryDetails": CDD})
    out = reset_password(username="u")
    assert (out.is_password_reset, out.next_step.reset_password_step) == (False, "CONFIRM_RESET_PASSWORD_WITH_CODE")
    assert out.next_step.code_delivery_details.destination == "h***@m***"
    assert fake.body("ForgotPassword") == {"Username": "u", "ClientId": CLIENT_ID}
    fake.reply("ConfirmForgotPassword", {})
    confirm_reset_password(username="u", confirmation_code="123456", new_password="N3w!pass")
    assert fake.body("ConfirmForgotPassword") == {
        "Username": "u",
        "ConfirmationCode": "123456",
        "Password": "N3w!pass",
        "ClientId": CLIENT_ID,
    }
    with pytest.raises(AuthValidationError, match="newPassword is required to confirmResetPassword"):
        confirm_reset_password(username="u", confirmation_code="1", new_password="")
    access = _signed_in(fake)
    fake.reply("ChangePassword", {})
    update_password(old_password="pw", new_password="N3w!pass")
    assert fake.body("ChangePassword") == {"AccessToken": access, "PreviousPassword": "pw", "ProposedPassword": "N3w!pass"}


def test_mfa_settings(fake: FakeCognito) -> None:
    access = _signed_in(fake)
    fake.reply("AssociateSoftwareToken", {"SecretCode": "JBSWY3DPEHPK3PXP"})
    details = set_up_totp()
    assert details.shared_secret == "JBSWY3DPEHPK3PXP"
    # Amplify's setUpTOTP puts the JSON-quoted username in the label; URL() percent-encodes the quotes
    assert details.get_setup_uri("my_app") == "otpauth://totp/my_app:%22sub-1%22?secret=JBSWY3DPEHPK3PXP&issuer=my_app"
    assert details.get_setup_uri("my_app", "jane") == "otpauth://totp/my_app:jane?secret=JBSWY3DPEHPK3PXP&issuer=my_app"
    fake.reply("VerifySoftwareToken", {"Status": "SUCCESS"})
    verify_totp_setup(code="123456", options={"friendly_device_name": "phone"})
    assert fake.body("VerifySoftwareToken") == {"AccessToken": access, "UserCode": "123456", "FriendlyDeviceName": "phone"}

    fake.reply("SetUserMFAPreference", {})
    update_mfa_preference(totp="PREFERRED", sms="DISABLED", email="NOT_PREFERRED")
    assert fake.body("SetUserMFAPreference") == {
        "AccessToken": access,
        "SMSMfaSettings": {"Enabled": False},
        "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
        "EmailMfaSettings": {"Enabled": True, "PreferredMfa": False},
    }
    fake.reply("SetUserMFAPreference", {})
    update_mfa_preference(email="ENABLED")
    assert fake.body("SetUserMFAPreference") == {"AccessToken": access, "EmailMfaSettings": {"Enabled": True}}
    with pytest.raises(AuthValidationError, match="totp='ON' is not an MFA preference"):
        update_mfa_preference(totp="ON")  # type: ignore[arg-type]

    fake.reply("GetUser", {"PreferredMfaSetting": "SOFTWARE_TOKEN_MFA", "UserMFASettingList": ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]})
    pref = fetch_mfa_preference()
    assert (pref.preferred, pref.enabled) == ("TOTP", ["TOTP", "EMAIL"])
    fake.reply("GetUser", {"UserAttributes": []})
    assert fetch_mfa_preference().enabled is None


def test_delete_user_signs_out(fake: FakeCognito) -> None:
    access = _signed_in(fake)
    fake.reply("DeleteUser", {})
    fake.reply("RevokeToken", {})
    delete_user()
    assert fake.body("DeleteUser") == {"AccessToken": access}
    assert fake.ops()[-1] == "RevokeToken"
    assert cognito_user_pools_token_provider.get_tokens() is None
