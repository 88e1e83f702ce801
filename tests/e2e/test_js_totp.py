"""aws-amplify JS against the local engine: TOTP setup and a TOTP sign-in.

Deploys the reference `mfa_optional_totp_sms` template (MFA OPTIONAL, SMS and TOTP enabled).
"""

from __future__ import annotations

import re

import pyotp

from ._js import AmplifyJs
from .conftest import PASSWORD, LocalBackend, new_email, next_totp_window, sign_up_and_confirm

REFERENCE_CASE = "mfa_optional_totp_sms"


def test_totp_setup_then_sign_in_with_a_totp_code(signed_out: AmplifyJs, backend: LocalBackend) -> None:
    js = signed_out
    email = new_email("totp")
    sub = sign_up_and_confirm(js, backend.outbox, email)
    out = js.call("signIn", {"username": email, "password": PASSWORD})
    assert out == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}, out

    setup = js.call("setUpTOTP")
    assert js.targets()[-1:] == ["AssociateSoftwareToken"]  # after the first session fetch's identity pool calls
    secret = setup["sharedSecret"]
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret  # base32, as authenticator apps take it
    # aws-amplify's own default account name is JSON.stringify(cognito:username), quotes included.
    assert setup["setupUri"] == f"otpauth://totp/amplify-py-e2e:%22{sub}%22?secret={secret}&issuer=amplify-py-e2e"

    totp = pyotp.TOTP(secret)
    setup_code = totp.now()
    assert js.call("verifyTOTPSetup", {"code": setup_code}) is None
    assert js.targets() == ["VerifySoftwareToken"]
    assert js.call("updateMFAPreference", {"totp": "PREFERRED"}) is None
    assert js.targets() == ["SetUserMFAPreference"]
    assert js.call("fetchMFAPreference") == {"preferred": "TOTP", "enabled": ["TOTP"]}

    js.call("signOut")
    challenged = js.call("signIn", {"username": email, "password": PASSWORD})
    assert challenged == {"isSignedIn": False, "nextStep": {"signInStep": "CONFIRM_SIGN_IN_WITH_TOTP_CODE"}}
    assert js.last_wire[-1]["response"]["ChallengeName"] == "SOFTWARE_TOKEN_MFA"

    done = js.call("confirmSignIn", {"challengeResponse": next_totp_window(totp, setup_code)})
    assert done == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    respond = js.last_wire[-1]["request"]
    assert respond["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert js.call("getCurrentUser")["userId"] == sub
