"""aws-amplify JS against the local engine: admin-created users, passwords, account deletion, attribute and sign-up codes.

Deploys the reference `email_default` template (email as username, PreventUserExistenceErrors
ENABLED, the client allows SRP, custom and refresh-token auth only; email changes wait for verification).
"""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from ._js import AmplifyJs, AmplifyJsError
from .conftest import PASSWORD, LocalBackend, new_email, sign_up_and_confirm

REFERENCE_CASE = "email_default"

NEW_PASSWORD = "N3w-Passw0rd!"
MASKED_EMAIL = re.compile(r"^\w\*\*\*@\w\*\*\*(\.\w+)?$")


def _sign_in_done(js: AmplifyJs, email: str, password: str = PASSWORD) -> None:
    out = js.call("signIn", {"username": email, "password": password})
    assert out == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}, out


def test_admin_created_user_sets_a_new_password_at_first_sign_in(signed_out: AmplifyJs, backend: LocalBackend,
                                                                  cognito) -> None:
    js = signed_out
    email = new_email("invited")
    created = cognito.admin_create_user(
        UserPoolId=backend.user_pool_id, Username=email, TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    out = js.call("signIn", {"username": email, "password": "Temp-Passw0rd!"})
    assert out["isSignedIn"] is False
    assert out["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED", out
    assert js.last_wire[-1]["response"]["ChallengeName"] == "NEW_PASSWORD_REQUIRED"

    with pytest.raises(AmplifyJsError, match="InvalidPasswordException: Password did not conform with policy: Password not long enough"):
        js.call("confirmSignIn", {"challengeResponse": "short"})
    # Start over with a fresh challenge session.
    out = js.call("signIn", {"username": email, "password": "Temp-Passw0rd!"})
    assert out["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED", out
    done = js.call("confirmSignIn", {"challengeResponse": NEW_PASSWORD})
    assert done == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    respond = js.last_wire[-1]["request"]
    assert respond["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and respond["ChallengeResponses"]["NEW_PASSWORD"] == NEW_PASSWORD

    user = cognito.admin_get_user(UserPoolId=backend.user_pool_id, Username=email)
    assert user["UserStatus"] == "CONFIRMED"
    js.call("signOut")
    _sign_in_done(js, email, NEW_PASSWORD)


def test_update_password_then_only_the_new_password_signs_in(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("updpw")
    sign_up_and_confirm(js, backend.outbox, email)
    _sign_in_done(js, email)

    with pytest.raises(AmplifyJsError, match="NotAuthorizedException: Incorrect username or password."):
        js.call("updatePassword", {"oldPassword": "Wr0ng-Password!", "newPassword": NEW_PASSWORD})
    assert js.call("updatePassword", {"oldPassword": PASSWORD, "newPassword": NEW_PASSWORD}) is None
    assert js.targets()[-1:] == ["ChangePassword"]
    assert js.last_wire[-1]["request"]["ProposedPassword"] == NEW_PASSWORD

    js.call("signOut")
    with pytest.raises(AmplifyJsError, match="NotAuthorizedException: Incorrect username or password."):
        js.call("signIn", {"username": email, "password": PASSWORD})
    _sign_in_done(js, email, NEW_PASSWORD)


def test_delete_user_removes_the_account_and_signs_out(signed_out: AmplifyJs, backend: LocalBackend, cognito) -> None:
    js = signed_out
    email = new_email("delete")
    sign_up_and_confirm(js, backend.outbox, email)
    _sign_in_done(js, email)

    assert js.call("deleteUser") is None
    assert "DeleteUser" in js.targets()  # then the library signs out locally
    assert not any(key.endswith(".accessToken") for key in js.tokens())
    with pytest.raises(AmplifyJsError, match="UserUnAuthenticatedException"):
        js.call("getCurrentUser")
    with pytest.raises(ClientError, match="User does not exist."):
        cognito.admin_get_user(UserPoolId=backend.user_pool_id, Username=email)
    # PreventUserExistenceErrors: a deleted user looks like a wrong password.
    with pytest.raises(AmplifyJsError, match="NotAuthorizedException: Incorrect username or password."):
        js.call("signIn", {"username": email, "password": PASSWORD})


def test_attribute_verification_code_resent_then_confirmed(signed_out: AmplifyJs, backend: LocalBackend, cognito) -> None:
    js = signed_out
    email, new = new_email("attr"), new_email("attrnew")
    sign_up_and_confirm(js, backend.outbox, email)
    _sign_in_done(js, email)

    mark = backend.outbox.mark()
    out = js.call("updateUserAttributes", {"userAttributes": {"email": new}})
    assert out["email"]["nextStep"]["updateAttributeStep"] == "CONFIRM_ATTRIBUTE_WITH_CODE", out
    first = backend.outbox.code_for(new, after=mark)

    mark = backend.outbox.mark()
    sent = js.call("sendUserAttributeVerificationCode", {"userAttributeKey": "email"})
    assert js.targets()[-1:] == ["GetUserAttributeVerificationCode"]
    assert (sent["deliveryMedium"], sent["attributeName"]) == ("EMAIL", "email"), sent
    assert MASKED_EMAIL.match(sent["destination"]), sent
    code = backend.outbox.code_for(new, after=mark)
    assert re.fullmatch(r"\d{6}", code) and re.fullmatch(r"\d{6}", first)

    # Until confirmed, the old address stays the user's email.
    assert js.call("fetchUserAttributes")["email"] == email
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(AmplifyJsError, match="CodeMismatchException: Invalid verification code provided, please try again."):
        js.call("confirmUserAttribute", {"userAttributeKey": "email", "confirmationCode": wrong})
    assert js.call("confirmUserAttribute", {"userAttributeKey": "email", "confirmationCode": code}) is None
    assert js.targets()[-1:] == ["VerifyUserAttribute"]
    attributes = js.call("fetchUserAttributes")
    assert (attributes["email"], attributes["email_verified"]) == (new, "true")


def test_resend_sign_up_code_sends_a_code_that_confirms(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("resend")
    out = js.call("signUp", {"username": email, "password": PASSWORD, "options": {"userAttributes": {"email": email}}})
    assert out["nextStep"]["signUpStep"] == "CONFIRM_SIGN_UP"

    mark = backend.outbox.mark()
    resent = js.call("resendSignUpCode", {"username": email})
    assert js.targets() == ["ResendConfirmationCode"]
    assert (resent["deliveryMedium"], resent["attributeName"]) == ("EMAIL", "email"), resent
    assert MASKED_EMAIL.match(resent["destination"]), resent
    code = backend.outbox.code_for(email, after=mark)
    done = js.call("confirmSignUp", {"username": email, "confirmationCode": code})
    assert done == {"isSignUpComplete": True, "nextStep": {"signUpStep": "DONE"}}
    _sign_in_done(js, email)


def test_user_password_auth_is_refused_when_the_client_does_not_allow_it(signed_out: AmplifyJs,
                                                                         backend: LocalBackend, cognito) -> None:
    js = signed_out
    flows = _client_auth_flows(cognito, backend)
    assert "ALLOW_USER_PASSWORD_AUTH" not in flows, flows  # the reference client: SRP, custom, refresh only
    email = new_email("upa")
    sign_up_and_confirm(js, backend.outbox, email)
    with pytest.raises(AmplifyJsError, match="InvalidParameterException: USER_PASSWORD_AUTH flow not enabled for this client"):
        js.call("signIn", {"username": email, "password": PASSWORD, "options": {"authFlowType": "USER_PASSWORD_AUTH"}})
    initiate = js.last_wire[-1]["request"]
    assert initiate["AuthFlow"] == "USER_PASSWORD_AUTH" and initiate["AuthParameters"]["PASSWORD"] == PASSWORD
    _sign_in_done(js, email)  # SRP, the client's allowed flow, still works


def _client_auth_flows(cognito, backend: LocalBackend) -> list[str]:
    client = cognito.describe_user_pool_client(UserPoolId=backend.user_pool_id, ClientId=backend.client_id)
    return client["UserPoolClient"]["ExplicitAuthFlows"]
