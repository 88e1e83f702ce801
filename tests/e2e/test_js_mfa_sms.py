"""aws-amplify JS against the local engine: SMS MFA sign-in, and MFA selection when TOTP and SMS are both enabled.

Deploys the reference `mfa_optional_totp_sms` template (MFA OPTIONAL, SMS and TOTP enabled,
email as the username). SMS codes are read from the engine's outbox, addressed to the phone number.
"""

from __future__ import annotations

import re
import secrets

import pyotp
import pytest

from ._js import AmplifyJs, AmplifyJsError
from .conftest import PASSWORD, LocalBackend, new_email, next_totp_window

REFERENCE_CASE = "mfa_optional_totp_sms"

MASKED_PHONE = re.compile(r"^\+\*+\d{4}$")


def _new_phone() -> str:
    return "+1555" + "".join(secrets.choice("0123456789") for _ in range(7))


def _sign_up_with_phone(js: AmplifyJs, backend: LocalBackend, email: str, phone: str) -> str:
    mark = backend.outbox.mark()
    out = js.call("signUp", {"username": email, "password": PASSWORD,
                             "options": {"userAttributes": {"email": email, "phone_number": phone}}})
    assert out["nextStep"]["signUpStep"] == "CONFIRM_SIGN_UP", out
    code = backend.outbox.code_for(email, after=mark)
    assert js.call("confirmSignUp", {"username": email, "confirmationCode": code})["isSignUpComplete"] is True
    return out["userId"]


def _sign_in_done(js: AmplifyJs, email: str) -> None:
    out = js.call("signIn", {"username": email, "password": PASSWORD})
    assert out == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}, out


def test_sms_mfa_sign_in_with_the_code_sent_to_the_phone(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email, phone = new_email("sms"), _new_phone()
    sub = _sign_up_with_phone(js, backend, email, phone)
    _sign_in_done(js, email)  # no MFA enabled yet for this user (the pool's MFA is OPTIONAL)

    assert js.call("updateMFAPreference", {"sms": "ENABLED"}) is None
    assert js.targets()[-1:] == ["SetUserMFAPreference"]  # after the first session fetch's identity pool calls
    assert js.last_wire[-1]["request"]["SMSMfaSettings"] == {"Enabled": True}
    assert js.call("fetchMFAPreference") == {"preferred": None, "enabled": ["SMS"]}  # enabled, not preferred
    js.call("signOut")

    mark = backend.outbox.mark()
    challenged = js.call("signIn", {"username": email, "password": PASSWORD})
    assert challenged["isSignedIn"] is False
    step = challenged["nextStep"]
    assert step["signInStep"] == "CONFIRM_SIGN_IN_WITH_SMS_CODE", challenged
    delivery = step["codeDeliveryDetails"]
    assert delivery["deliveryMedium"] == "SMS" and MASKED_PHONE.match(delivery["destination"]), delivery
    assert delivery["destination"].endswith(phone[-4:])
    assert js.last_wire[-1]["response"]["ChallengeName"] == "SMS_MFA"

    message = backend.outbox.message_for(phone, after=mark)
    assert message["medium"] == "SMS" and str(message["code"]) in message["body"], message
    code = str(message["code"])

    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(AmplifyJsError, match="CodeMismatchException: Invalid code or auth state for the user."):
        js.call("confirmSignIn", {"challengeResponse": wrong})

    done = js.call("confirmSignIn", {"challengeResponse": code})
    assert done == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    respond = js.last_wire[-1]["request"]
    assert respond["ChallengeName"] == "SMS_MFA" and respond["ChallengeResponses"]["SMS_MFA_CODE"] == code
    assert js.call("getCurrentUser")["userId"] == sub


def test_mfa_selection_when_totp_and_sms_are_both_enabled(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email, phone = new_email("select"), _new_phone()
    _sign_up_with_phone(js, backend, email, phone)
    _sign_in_done(js, email)

    totp = pyotp.TOTP(js.call("setUpTOTP")["sharedSecret"])
    setup_code = totp.now()
    assert js.call("verifyTOTPSetup", {"code": setup_code}) is None
    assert js.call("updateMFAPreference", {"sms": "ENABLED", "totp": "ENABLED"}) is None
    preference = js.call("fetchMFAPreference")
    assert sorted(preference["enabled"]) == ["SMS", "TOTP"] and preference.get("preferred") is None, preference

    # First sign-in: choose SMS.
    js.call("signOut")
    out = js.call("signIn", {"username": email, "password": PASSWORD})
    assert out["nextStep"]["signInStep"] == "CONTINUE_SIGN_IN_WITH_MFA_SELECTION", out
    assert sorted(out["nextStep"]["allowedMFATypes"]) == ["SMS", "TOTP"]
    assert js.last_wire[-1]["response"]["ChallengeName"] == "SELECT_MFA_TYPE"

    mark = backend.outbox.mark()
    sms_step = js.call("confirmSignIn", {"challengeResponse": "SMS"})
    assert sms_step["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_SMS_CODE", sms_step
    select = js.last_wire[-1]["request"]
    assert select["ChallengeName"] == "SELECT_MFA_TYPE" and select["ChallengeResponses"]["ANSWER"] == "SMS_MFA"
    code = backend.outbox.code_for(phone, after=mark)
    assert js.call("confirmSignIn", {"challengeResponse": code}) == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}

    # Second sign-in: choose TOTP.
    js.call("signOut")
    out = js.call("signIn", {"username": email, "password": PASSWORD})
    assert out["nextStep"]["signInStep"] == "CONTINUE_SIGN_IN_WITH_MFA_SELECTION", out
    totp_step = js.call("confirmSignIn", {"challengeResponse": "TOTP"})
    assert totp_step == {"isSignedIn": False, "nextStep": {"signInStep": "CONFIRM_SIGN_IN_WITH_TOTP_CODE"}}
    assert js.last_wire[-1]["request"]["ChallengeResponses"]["ANSWER"] == "SOFTWARE_TOKEN_MFA"
    done = js.call("confirmSignIn", {"challengeResponse": next_totp_window(totp, setup_code)})
    assert done == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert js.last_wire[-1]["request"]["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
