"""The real aws-amplify JS library (v6) against the local engine: sign-up to sign-out, errors, reset, auto sign-in.

Deploys the reference `email_default` template (email as username, an identity pool
with guest access, PreventUserExistenceErrors ENABLED, SRP + refresh flows only).
"""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from ._js import AmplifyJs, AmplifyJsError
from .conftest import PASSWORD, LocalBackend, new_email, sign_up_and_confirm

REFERENCE_CASE = "email_default"

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Cognito masks the address ("a***@e***"; some answers keep the top-level domain, "a***@e***.com").
MASKED_EMAIL = re.compile(r"^\w\*\*\*@\w\*\*\*(\.\w+)?$")


def sign_in(js: AmplifyJs, email: str, password: str = PASSWORD) -> None:
    out = js.call("signIn", {"username": email, "password": password})
    assert out == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}, out


def test_sign_up_sends_a_code_that_confirms_the_user(signed_out: AmplifyJs, backend: LocalBackend, cognito) -> None:
    js = signed_out
    email = new_email("signup")
    mark = backend.outbox.mark()
    out = js.call("signUp", {"username": email, "password": PASSWORD, "options": {"userAttributes": {"email": email}}})
    assert out["isSignUpComplete"] is False
    assert UUID.match(out["userId"]), out
    step = out["nextStep"]
    assert step["signUpStep"] == "CONFIRM_SIGN_UP"
    delivery = step["codeDeliveryDetails"]
    assert (delivery["deliveryMedium"], delivery["attributeName"]) == ("EMAIL", "email")
    assert MASKED_EMAIL.match(delivery["destination"]), delivery
    assert js.targets() == ["SignUp"]

    message = backend.outbox.message_for(email, after=mark)
    code = str(message["code"])
    assert re.fullmatch(r"\d{6}", code) and code in message["body"], message

    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(AmplifyJsError, match="CodeMismatchException: Invalid verification code provided, please try again."):
        js.call("confirmSignUp", {"username": email, "confirmationCode": wrong})

    done = js.call("confirmSignUp", {"username": email, "confirmationCode": code})
    assert done == {"isSignUpComplete": True, "nextStep": {"signUpStep": "DONE"}}

    user = cognito.admin_get_user(UserPoolId=backend.user_pool_id, Username=email)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert user["UserStatus"] == "CONFIRMED"
    assert attributes["email_verified"] == "true" and attributes["sub"] == out["userId"]


def test_srp_sign_in_current_user_and_session(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("srp")
    sub = sign_up_and_confirm(js, backend.outbox, email)

    sign_in(js, email)
    assert js.targets() == ["InitiateAuth", "RespondToAuthChallenge"]
    initiate, respond = (exchange["request"] for exchange in js.last_wire)
    assert initiate["AuthFlow"] == "USER_SRP_AUTH" and "SRP_A" in initiate["AuthParameters"]
    assert respond["ChallengeName"] == "PASSWORD_VERIFIER"

    current = js.call("getCurrentUser")
    # With email as the username attribute, Cognito's username is the generated sub.
    assert current == {
        "username": sub,
        "userId": sub,
        "signInDetails": {"loginId": email, "authFlowType": "USER_SRP_AUTH"},
    }

    session = js.call("fetchAuthSession")
    assert session["userSub"] == sub
    issuer = f"{backend.engine.endpoint}/{backend.user_pool_id}"
    id_claims = session["tokens"]["idToken"]["payload"]
    assert id_claims["token_use"] == "id" and id_claims["iss"] == issuer
    assert id_claims["aud"] == backend.client_id
    assert (id_claims["sub"], id_claims["cognito:username"], id_claims["email"]) == (sub, sub, email)
    assert id_claims["email_verified"] is True
    access_claims = session["tokens"]["accessToken"]["payload"]
    assert access_claims["token_use"] == "access" and access_claims["iss"] == issuer
    assert (access_claims["client_id"], access_claims["username"]) == (backend.client_id, sub)
    assert access_claims["scope"] == "aws.cognito.signin.user.admin"
    assert access_claims["origin_jti"] and access_claims["jti"]
    # The identity pool: an authenticated identity with (local) credentials.
    assert session["identityId"].startswith("us-east-1:"), session["identityId"]
    assert session["credentials"]["accessKeyId"] and session["credentials"]["secretAccessKey"]

    refreshed = js.call("fetchAuthSession", {"forceRefresh": True})
    assert "GetTokensFromRefreshToken" in js.targets()
    new_access = refreshed["tokens"]["accessToken"]["payload"]
    assert new_access["jti"] != access_claims["jti"]
    assert new_access["origin_jti"] == access_claims["origin_jti"]
    assert refreshed["tokens"]["idToken"]["payload"]["sub"] == sub
    assert refreshed["identityId"] == session["identityId"]


def test_guest_session_has_an_unauthenticated_identity(signed_out: AmplifyJs) -> None:
    session = signed_out.call("fetchAuthSession")
    assert session["tokens"] is None and session["userSub"] is None
    assert session["identityId"].startswith("us-east-1:")
    assert session["credentials"]["accessKeyId"]
    assert signed_out.targets()[:1] == ["GetId"]


def test_user_attributes_fetch_update_delete(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("attrs")
    sub = sign_up_and_confirm(js, backend.outbox, email)
    sign_in(js, email)

    assert js.call("fetchUserAttributes") == {"email": email, "email_verified": "true", "sub": sub}
    assert js.targets()[-1:] == ["GetUser"]  # after the identity pool calls of the first session fetch

    updated = js.call("updateUserAttributes", {"userAttributes": {"given_name": "Ada", "family_name": "Lovelace"}})
    done = {"isUpdated": True, "nextStep": {"updateAttributeStep": "DONE"}}
    assert updated == {"given_name": done, "family_name": done}
    assert js.call("fetchUserAttributes") == {
        "email": email,
        "email_verified": "true",
        "sub": sub,
        "given_name": "Ada",
        "family_name": "Lovelace",
    }

    assert js.call("deleteUserAttributes", {"userAttributeKeys": ["family_name"]}) is None
    assert js.targets()[-1:] == ["DeleteUserAttributes"]
    assert js.call("fetchUserAttributes") == {"email": email, "email_verified": "true", "sub": sub, "given_name": "Ada"}

    # New tokens carry the changed attributes.
    claims = js.call("fetchAuthSession", {"forceRefresh": True})["tokens"]["idToken"]["payload"]
    assert claims["given_name"] == "Ada" and "family_name" not in claims



def test_email_change_is_confirmed_with_a_code_and_keeps_the_old_address_until_then(
    signed_out: AmplifyJs, backend: LocalBackend
) -> None:
    js = signed_out
    email, new_address = new_email("oldaddr"), new_email("newaddr")
    sub = sign_up_and_confirm(js, backend.outbox, email)
    sign_in(js, email)

    mark = backend.outbox.mark()
    out = js.call("updateUserAttributes", {"userAttributes": {"email": new_address}})
    step = out["email"]["nextStep"]
    assert out["email"]["isUpdated"] is False and step["updateAttributeStep"] == "CONFIRM_ATTRIBUTE_WITH_CODE"
    assert (step["codeDeliveryDetails"]["attributeName"], step["codeDeliveryDetails"]["deliveryMedium"]) == ("email", "EMAIL")
    code = backend.outbox.code_for(new_address, after=mark)
    assert js.call("fetchUserAttributes")["email"] == email  # unchanged until verified

    assert js.call("confirmUserAttribute", {"userAttributeKey": "email", "confirmationCode": code}) is None
    assert js.targets() == ["VerifyUserAttribute"]
    assert js.call("fetchUserAttributes") == {"email": new_address, "email_verified": "true", "sub": sub}

    js.call("signOut")
    sign_in(js, new_address)
    assert js.call("getCurrentUser")["signInDetails"]["loginId"] == new_address

def _refresh(cognito, backend: LocalBackend, refresh_token: str) -> dict:
    return cognito.initiate_auth(
        ClientId=backend.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
    )


def test_sign_out_revokes_the_refresh_token(signed_out: AmplifyJs, backend: LocalBackend, cognito) -> None:
    js = signed_out
    email = new_email("signout")
    sign_up_and_confirm(js, backend.outbox, email)
    sign_in(js, email)
    refresh_token = js.refresh_token()
    assert _refresh(cognito, backend, refresh_token)["AuthenticationResult"]["AccessToken"]

    assert js.call("signOut") is None
    assert js.targets() == ["RevokeToken"]
    assert js.last_wire[0]["status"] == 200, js.last_wire
    assert js.tokens() == {}
    with pytest.raises(AmplifyJsError, match="UserUnAuthenticatedException"):
        js.call("getCurrentUser")
    with pytest.raises(ClientError, match=r"NotAuthorizedException.*Refresh Token has been revoked"):
        _refresh(cognito, backend, refresh_token)


def test_global_sign_out_invalidates_the_old_tokens(signed_out: AmplifyJs, backend: LocalBackend, cognito) -> None:
    js = signed_out
    email = new_email("global")
    sign_up_and_confirm(js, backend.outbox, email)
    sign_in(js, email)
    refresh_token = js.refresh_token()
    access_token = js.call("fetchAuthSession")["tokens"]["accessToken"]["jwt"]

    assert js.call("signOut", {"global": True}) is None
    assert js.targets() == ["GlobalSignOut"]
    assert js.last_wire[0]["status"] == 200, js.last_wire
    assert js.tokens() == {}
    with pytest.raises(ClientError, match=r"NotAuthorizedException.*Refresh Token has been revoked"):
        _refresh(cognito, backend, refresh_token)
    with pytest.raises(ClientError, match=r"NotAuthorizedException.*Access Token has been revoked"):
        cognito.get_user(AccessToken=access_token)


def test_wrong_password_is_not_authorized(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("wrongpw")
    sign_up_and_confirm(js, backend.outbox, email)
    with pytest.raises(AmplifyJsError, match=r"^signIn: NotAuthorizedException: Incorrect username or password\.\n"):
        js.call("signIn", {"username": email, "password": PASSWORD + "x"})
    # The proof was checked through SRP: the challenge answer is what failed.
    assert js.targets() == ["InitiateAuth", "RespondToAuthChallenge"]
    assert js.last_wire[-1]["status"] == 400


def test_unknown_user_gets_the_same_error_as_a_wrong_password(signed_out: AmplifyJs) -> None:
    # PreventUserExistenceErrors is ENABLED in the template: no UserNotFoundException.
    with pytest.raises(AmplifyJsError, match=r"^signIn: NotAuthorizedException: Incorrect username or password\.\n"):
        signed_out.call("signIn", {"username": new_email("nobody"), "password": PASSWORD})
    assert all(exchange["response"].get("__type") != "UserNotFoundException" for exchange in signed_out.last_wire)


def test_unconfirmed_user_is_sent_to_confirm_sign_up(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("unconfirmed")
    js.call("signUp", {"username": email, "password": PASSWORD, "options": {"userAttributes": {"email": email}}})
    # aws-amplify turns Cognito's UserNotConfirmedException into the CONFIRM_SIGN_UP step.
    out = js.call("signIn", {"username": email, "password": PASSWORD})
    assert out == {"isSignedIn": False, "nextStep": {"signInStep": "CONFIRM_SIGN_UP"}}
    failed = js.last_wire[-1]
    assert (failed["status"], failed["response"]["__type"]) == (400, "UserNotConfirmedException"), failed


def test_reset_password_with_the_emailed_code(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("reset")
    sign_up_and_confirm(js, backend.outbox, email)
    new_password = "N3w-Passw0rd!"

    mark = backend.outbox.mark()
    out = js.call("resetPassword", {"username": email})
    assert out["isPasswordReset"] is False
    step = out["nextStep"]
    assert step["resetPasswordStep"] == "CONFIRM_RESET_PASSWORD_WITH_CODE"
    delivery = step["codeDeliveryDetails"]
    assert (delivery["deliveryMedium"], delivery["attributeName"]) == ("EMAIL", "email")
    assert MASKED_EMAIL.match(delivery["destination"]), delivery
    code = backend.outbox.code_for(email, after=mark)

    assert js.call("confirmResetPassword", {"username": email, "confirmationCode": code, "newPassword": new_password}) is None
    assert js.targets() == ["ConfirmForgotPassword"]

    with pytest.raises(AmplifyJsError, match=r"^signIn: NotAuthorizedException: Incorrect username or password\.\n"):
        js.call("signIn", {"username": email, "password": PASSWORD})
    sign_in(js, email, new_password)


def test_auto_sign_in_after_confirming_sign_up(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("auto")
    mark = backend.outbox.mark()
    out = js.call(
        "signUp",
        {"username": email, "password": PASSWORD, "options": {"userAttributes": {"email": email}, "autoSignIn": True}},
    )
    assert out["nextStep"]["signUpStep"] == "CONFIRM_SIGN_UP"
    code = backend.outbox.code_for(email, after=mark)
    confirmed = js.call("confirmSignUp", {"username": email, "confirmationCode": code})
    assert confirmed == {"isSignUpComplete": True, "nextStep": {"signUpStep": "COMPLETE_AUTO_SIGN_IN"}}

    signed_in = js.call("autoSignIn")
    assert signed_in == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert js.call("getCurrentUser")["userId"] == out["userId"]
