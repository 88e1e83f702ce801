"""TOTP setup and sign-in, required MFA (MFA_SETUP), and USER_AUTH email OTP with auto sign-in."""

from __future__ import annotations

import json
import re

import pyotp
import pytest
from botocore.exceptions import ClientError

from tests.engine.conftest import PASSWORD, Env, make_env, template


def _error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def optional(engine_and_clock) -> Env:
    return make_env(engine_and_clock, "mfa-optional", "mfa_optional_totp_sms")


@pytest.fixture(scope="module")
def passwordless(engine_and_clock) -> Env:
    return make_env(engine_and_clock, "otp", "passwordless_email_otp")


def test_totp_setup_and_sign_in(optional: Env) -> None:
    optional.confirmed_user("totp@example.com")
    tokens = optional.srp_sign_in("totp@example.com")["AuthenticationResult"]
    secret = optional.idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    with pytest.raises(ClientError, match=re.escape("Code mismatch and fail enable Software Token MFA")) as exc:
        optional.idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode="000000")
    assert _error(exc) == ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    totp = pyotp.TOTP(secret)
    assert optional.idp.verify_software_token(AccessToken=tokens["AccessToken"],
                                              UserCode=totp.at(optional.clock()))["Status"] == "SUCCESS"
    optional.idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"],
                                         SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    user = optional.idp.get_user(AccessToken=tokens["AccessToken"])
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    from pycognito.aws_srp import AWSSRP

    helper = AWSSRP(username="totp@example.com", password=PASSWORD, pool_id=optional.pool_id,
                    client_id=optional.client_id, client=optional.idp)
    start = optional.idp.initiate_auth(ClientId=optional.client_id, AuthFlow="USER_SRP_AUTH",
                                       AuthParameters=helper.get_auth_params())
    proof = helper.process_challenge(start["ChallengeParameters"], helper.get_auth_params())
    mfa = optional.idp.respond_to_auth_challenge(ClientId=optional.client_id, ChallengeName="PASSWORD_VERIFIER",
                                                 ChallengeResponses=proof)
    assert mfa["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and mfa["Session"]
    optional.clock.advance(30)  # a fresh time step (a code can't be used twice)
    with pytest.raises(ClientError, match=re.escape("Invalid code received for user")) as exc:
        optional.idp.respond_to_auth_challenge(ClientId=optional.client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
                                               Session=mfa["Session"], ChallengeResponses={
                                                   "USERNAME": "totp@example.com", "SOFTWARE_TOKEN_MFA_CODE": "123456"})
    assert _error(exc) == ("CodeMismatchException", "Invalid code received for user")
    code = totp.at(optional.clock())
    done = optional.idp.respond_to_auth_challenge(ClientId=optional.client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
                                                  Session=mfa["Session"], ChallengeResponses={
                                                      "USERNAME": "totp@example.com", "SOFTWARE_TOKEN_MFA_CODE": code})
    assert done["AuthenticationResult"]["AccessToken"]


def test_required_mfa_asks_for_setup(engine_and_clock) -> None:
    tpl = template("mfa_optional_totp_sms", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    tpl["Resources"]["amplifyAuthUserPool4BA7F805"]["Properties"]["MfaConfiguration"] = "ON"
    from tests.engine.conftest import Env as E

    env = E(*engine_and_clock, "mfa-on", tpl)
    env.confirmed_user("req@example.com")
    first = env.password_sign_in("req@example.com")
    assert first["ChallengeName"] == "MFA_SETUP"
    assert json.loads(first["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    assoc = env.idp.associate_software_token(Session=first["Session"])
    verified = env.idp.verify_software_token(Session=assoc["Session"],
                                             UserCode=pyotp.TOTP(assoc["SecretCode"]).at(env.clock()))
    done = env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="MFA_SETUP",
                                             Session=verified["Session"], ChallengeResponses={"USERNAME": "req@example.com"})
    assert done["AuthenticationResult"]["IdToken"]
    env.clock.advance(30)
    again = env.password_sign_in("req@example.com")
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    env.clock.advance(181)  # the session outlives its 3 minutes
    with pytest.raises(ClientError, match=re.escape("Invalid session for the user, session is expired.")) as exc:
        env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
                                          Session=again["Session"], ChallengeResponses={
                                              "USERNAME": "req@example.com",
                                              "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(assoc["SecretCode"]).at(env.clock())})
    assert _error(exc) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_email_otp_with_user_auth(passwordless: Env) -> None:
    passwordless.confirmed_user("otp@example.com")
    choice = passwordless.idp.initiate_auth(ClientId=passwordless.client_id, AuthFlow="USER_AUTH",
                                            AuthParameters={"USERNAME": "otp@example.com"})
    assert choice["ChallengeName"] == "SELECT_CHALLENGE"
    assert choice["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    otp = passwordless.idp.respond_to_auth_challenge(
        ClientId=passwordless.client_id, ChallengeName="SELECT_CHALLENGE", Session=choice["Session"],
        ChallengeResponses={"USERNAME": "otp@example.com", "ANSWER": "EMAIL_OTP"})
    assert otp["ChallengeName"] == "EMAIL_OTP"
    assert otp["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "o***@e***"}
    code = passwordless.code("otp@example.com")
    with pytest.raises(ClientError, match="Invalid code received for user"):
        passwordless.idp.respond_to_auth_challenge(
            ClientId=passwordless.client_id, ChallengeName="EMAIL_OTP", Session=otp["Session"],
            ChallengeResponses={"USERNAME": "otp@example.com", "EMAIL_OTP_CODE": f"{(int(code) + 1) % 10**6:06d}"})
    done = passwordless.idp.respond_to_auth_challenge(
        ClientId=passwordless.client_id, ChallengeName="EMAIL_OTP", Session=otp["Session"],
        ChallengeResponses={"USERNAME": "otp@example.com", "EMAIL_OTP_CODE": code})
    assert done["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError, match="Invalid session for the user"):
        passwordless.idp.respond_to_auth_challenge(
            ClientId=passwordless.client_id, ChallengeName="EMAIL_OTP", Session=otp["Session"],
            ChallengeResponses={"USERNAME": "otp@example.com", "EMAIL_OTP_CODE": code})

    direct = passwordless.idp.initiate_auth(ClientId=passwordless.client_id, AuthFlow="USER_AUTH", AuthParameters={
        "USERNAME": "otp@example.com", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD})
    assert direct["AuthenticationResult"]["IdToken"]


def test_expired_email_otp(passwordless: Env) -> None:
    passwordless.confirmed_user("slow@example.com")
    otp = passwordless.idp.initiate_auth(ClientId=passwordless.client_id, AuthFlow="USER_AUTH", AuthParameters={
        "USERNAME": "slow@example.com", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
    passwordless.clock.advance(181)
    with pytest.raises(ClientError, match=re.escape("Invalid session for the user, session is expired.")) as exc:
        passwordless.idp.respond_to_auth_challenge(
            ClientId=passwordless.client_id, ChallengeName="EMAIL_OTP", Session=otp["Session"],
            ChallengeResponses={"USERNAME": "slow@example.com", "EMAIL_OTP_CODE": passwordless.code("slow@example.com")})
    assert _error(exc) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_auto_sign_in_with_confirm_session(passwordless: Env) -> None:
    passwordless.sign_up("auto@example.com")
    confirmed = passwordless.idp.confirm_sign_up(ClientId=passwordless.client_id, Username="auto@example.com",
                                                 ConfirmationCode=passwordless.code("auto@example.com"))
    out = passwordless.idp.initiate_auth(ClientId=passwordless.client_id, AuthFlow="USER_AUTH",
                                         AuthParameters={"USERNAME": "auto@example.com"}, Session=confirmed["Session"])
    assert out["AuthenticationResult"]["RefreshToken"]


def test_only_an_mfa_setup_session_sets_up_a_software_token(passwordless: Env) -> None:
    # USER_AUTH hands out a SELECT_CHALLENGE session for any user name before any factor is proved;
    # it must not let anyone attach their authenticator app to that user.
    passwordless.confirmed_user("victim@example.com")
    choice = passwordless.idp.initiate_auth(ClientId=passwordless.client_id, AuthFlow="USER_AUTH",
                                            AuthParameters={"USERNAME": "victim@example.com"})
    assert choice["ChallengeName"] == "SELECT_CHALLENGE"
    for call in (lambda: passwordless.idp.associate_software_token(Session=choice["Session"]),
                 lambda: passwordless.idp.verify_software_token(Session=choice["Session"], UserCode="123456")):
        with pytest.raises(ClientError, match=re.escape("Invalid session for the user.")) as exc:
            call()
        assert _error(exc) == ("NotAuthorizedException", "Invalid session for the user.")
    user = passwordless.idp.admin_get_user(UserPoolId=passwordless.pool_id, Username="victim@example.com")
    assert "UserMFASettingList" not in user
