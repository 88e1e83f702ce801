"""aws-amplify JS against the local engine: passwordless email-OTP sign-in with the USER_AUTH flow.

Deploys the reference `passwordless_email_otp` template (first factors PASSWORD and EMAIL_OTP).
"""

from __future__ import annotations

import re

from ._js import AmplifyJs
from .conftest import PASSWORD, LocalBackend, new_email, sign_up_and_confirm

REFERENCE_CASE = "passwordless_email_otp"


def _assert_email_code_step(out: dict) -> None:
    assert out["isSignedIn"] is False
    step = out["nextStep"]
    assert step["signInStep"] == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", out
    assert step["codeDeliveryDetails"]["deliveryMedium"] == "EMAIL"
    assert re.fullmatch(r"\w\*\*\*@\w\*\*\*(\.\w+)?", step["codeDeliveryDetails"]["destination"]), step


def test_email_otp_sign_in_with_preferred_challenge(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("otp")
    sub = sign_up_and_confirm(js, backend.outbox, email)

    mark = backend.outbox.mark()
    out = js.call("signIn", {"username": email, "options": {"authFlowType": "USER_AUTH", "preferredChallenge": "EMAIL_OTP"}})
    _assert_email_code_step(out)
    initiate = js.last_wire[0]["request"]
    assert initiate["AuthFlow"] == "USER_AUTH" and initiate["AuthParameters"]["PREFERRED_CHALLENGE"] == "EMAIL_OTP"
    assert js.last_wire[-1]["response"]["ChallengeName"] == "EMAIL_OTP"

    code = backend.outbox.code_for(email, after=mark)
    done = js.call("confirmSignIn", {"challengeResponse": code})
    assert done == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    current = js.call("getCurrentUser")
    assert current == {"username": sub, "userId": sub, "signInDetails": {"loginId": email, "authFlowType": "USER_AUTH"}}


def test_email_otp_chosen_from_the_first_factor_selection(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("select")
    sign_up_and_confirm(js, backend.outbox, email)

    out = js.call("signIn", {"username": email, "options": {"authFlowType": "USER_AUTH"}})
    assert out["isSignedIn"] is False
    assert out["nextStep"]["signInStep"] == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION", out
    assert js.last_wire[-1]["response"]["ChallengeName"] == "SELECT_CHALLENGE"
    assert "EMAIL_OTP" in out["nextStep"]["availableChallenges"]

    mark = backend.outbox.mark()
    _assert_email_code_step(js.call("confirmSignIn", {"challengeResponse": "EMAIL_OTP"}))
    code = backend.outbox.code_for(email, after=mark)
    done = js.call("confirmSignIn", {"challengeResponse": code})
    assert done == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}


def test_auto_sign_in_with_user_auth_uses_the_confirm_sign_up_session(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("autouserauth")
    mark = backend.outbox.mark()
    out = js.call(
        "signUp",
        {
            "username": email,
            "password": PASSWORD,
            "options": {"userAttributes": {"email": email}, "autoSignIn": {"authFlowType": "USER_AUTH"}},
        },
    )
    assert out["nextStep"]["signUpStep"] == "CONFIRM_SIGN_UP"
    code = backend.outbox.code_for(email, after=mark)
    confirmed = js.call("confirmSignUp", {"username": email, "confirmationCode": code})
    assert confirmed == {"isSignUpComplete": True, "nextStep": {"signUpStep": "COMPLETE_AUTO_SIGN_IN"}}
    session = js.last_wire[-1]["response"]["Session"]

    # No password and no code: Cognito signs the user in on the session ConfirmSignUp returned.
    assert js.call("autoSignIn") == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    (initiate,) = js.last_wire
    assert initiate["request"]["AuthFlow"] == "USER_AUTH" and initiate["request"]["Session"] == session
    assert "PASSWORD" not in initiate["request"]["AuthParameters"]
    assert js.call("getCurrentUser")["userId"] == out["userId"]
