"""SMS MFA sign-in: the code goes to the phone number, and a wrong code gets Cognito's SMS wording."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from tests.engine.conftest import Env, make_env


@pytest.fixture(scope="module")
def sms(engine_and_clock) -> Env:
    return make_env(engine_and_clock, "mfa-sms", "mfa_optional_totp_sms",
                    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


def test_sms_mfa_wrong_then_right_code(sms: Env) -> None:
    email, phone = "sms@example.com", "+15550001234"
    sms.sign_up(email, attrs=[{"Name": "phone_number", "Value": phone}])
    sms.idp.confirm_sign_up(ClientId=sms.client_id, Username=email, ConfirmationCode=sms.code(email))
    tokens = sms.password_sign_in(email)["AuthenticationResult"]
    sms.idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"], SMSMfaSettings={"Enabled": True})

    step = sms.password_sign_in(email)
    assert step["ChallengeName"] == "SMS_MFA"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    code = sms.code(phone)
    username = email
    # Cognito: wrong SMS MFA code -> "Invalid code or auth state for the user." (a wrong TOTP code says
    # "Invalid code received for user"); amplify-js issues #3066 and #11069 quote the service's answer.
    with pytest.raises(ClientError, match=re.escape("Invalid code or auth state for the user.")) as exc:
        sms.idp.respond_to_auth_challenge(ClientId=sms.client_id, ChallengeName="SMS_MFA", Session=step["Session"],
                                          ChallengeResponses={"USERNAME": username,
                                                              "SMS_MFA_CODE": f"{(int(code) + 1) % 10**6:06d}"})
    assert exc.value.response["Error"]["Code"] == "CodeMismatchException"
    done = sms.idp.respond_to_auth_challenge(ClientId=sms.client_id, ChallengeName="SMS_MFA", Session=step["Session"],
                                             ChallengeResponses={"USERNAME": username, "SMS_MFA_CODE": code})
    assert done["AuthenticationResult"]["AccessToken"]
