"""How the engine honours trigger responses (in-process stand-ins for the handlers), and the fixed flows:
CUSTOM_WITH_SRP asks DefineAuthChallenge after each step, passwordless SignUp, email MFA setup."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from amplify_py.local import LocalEngine
from tests.engine.conftest import POOL, Env, ManualClock, template

PASSWORD = "Passw0rd!"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


class Handlers:
    """Stand-ins for Lambda functions by name; records every event."""

    def __init__(self) -> None:
        self.by_name: dict[str, Callable[[dict], dict]] = {}
        self.events: list[dict] = []

    def __call__(self, deployment: str, ref: Any, event: dict) -> dict:
        self.events.append(json.loads(json.dumps(event)))
        name = ref.rsplit(":", 1)[-1] if isinstance(ref, str) else json.dumps(ref)
        return self.by_name[name](event)

    def sources(self) -> list[str]:
        return [e["triggerSource"] for e in self.events]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalEngine, ManualClock, Handlers, list]]:
    clock, handlers, logs = ManualClock(), Handlers(), []
    engine = LocalEngine(tmp_path_factory.mktemp("engine"), clock=clock, trigger_invoker=handlers,
                         on_log=lambda source, line: logs.append((source, line))).start()
    yield engine, clock, handlers, logs
    engine.stop()


_n = iter(range(1000))


def deploy(setup: Any, case: str, lambda_config: dict[str, Any], change: Callable[[dict], None] | None = None,
           **client: Any) -> Env:
    engine, clock, handlers, logs = setup
    handlers.events.clear()
    logs.clear()
    tpl = template(case, **client)
    tpl["Resources"][POOL]["Properties"]["LambdaConfig"] = lambda_config
    if change:
        change(tpl["Resources"][POOL]["Properties"])
    return Env(engine, clock, f"{case}-sem-{next(_n)}", tpl)


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


# --- CUSTOM_WITH_SRP --------------------------------------------------------------------------
def _secret_code(handlers: Handlers, *, fail_after_password: bool = False) -> None:
    def define(event: dict) -> dict:
        session = event["request"]["session"]
        names = [s["challengeName"] for s in session]
        if names == ["SRP_A"]:
            event["response"].update(challengeName="PASSWORD_VERIFIER")
        elif names == ["SRP_A", "PASSWORD_VERIFIER"] and fail_after_password:
            event["response"].update(failAuthentication=True)
        elif session and session[-1]["challengeName"] == "CUSTOM_CHALLENGE" and session[-1]["challengeResult"]:
            event["response"].update(issueTokens=True)
        elif len([n for n in names if n == "CUSTOM_CHALLENGE"]) >= 3:
            event["response"].update(failAuthentication=True)
        else:
            event["response"].update(challengeName="CUSTOM_CHALLENGE")
        return event

    def create(event: dict) -> dict:
        event["response"].update(publicChallengeParameters={"hint": "the answer"},
                                 privateChallengeParameters={"answer": "42"}, challengeMetadata="CODE")
        return event

    def verify(event: dict) -> dict:
        answer = event["request"]["privateChallengeParameters"]["answer"]
        event["response"]["answerCorrect"] = event["request"]["challengeAnswer"] == answer
        return event

    handlers.by_name.update(define=define, create=create, verify=verify)


CUSTOM = {"DefineAuthChallenge": ARN + "define", "CreateAuthChallenge": ARN + "create",
          "VerifyAuthChallengeResponse": ARN + "verify"}


def _custom_with_srp(env: Env, email: str, password: str = PASSWORD) -> dict:
    srp = AWSSRP(username=email, password=password, pool_id=env.pool_id, client_id=env.client_id, client=env.idp)
    params = {**srp.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
    first = env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="CUSTOM_AUTH", AuthParameters=params)
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    responses = srp.process_challenge(first["ChallengeParameters"], params)
    return env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="PASSWORD_VERIFIER",
                                             ChallengeResponses=responses, Session=first["Session"])


def test_custom_with_srp_asks_define_after_the_password_verifier(setup) -> None:
    env = deploy(setup, "email_default", CUSTOM)
    handlers = setup[2]
    _secret_code(handlers)
    env.confirmed_user("srp-custom@example.com")
    handlers.events.clear()
    after_password = _custom_with_srp(env, "srp-custom@example.com")
    assert "AuthenticationResult" not in after_password  # the custom challenge is not bypassed
    assert after_password["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert after_password["ChallengeParameters"]["hint"] == "the answer"
    defines = [e["request"]["session"] for e in handlers.events if e["triggerSource"].startswith("Define")]
    assert defines == [
        [{"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}],
        [{"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None},
         {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True, "challengeMetadata": None}],
    ]
    done = env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="CUSTOM_CHALLENGE",
                                             Session=after_password["Session"],
                                             ChallengeResponses={"USERNAME": "srp-custom@example.com", "ANSWER": "42"})
    assert claims(done["AuthenticationResult"]["IdToken"])["email"] == "srp-custom@example.com"
    last = [e for e in handlers.events if e["triggerSource"].startswith("Define")][-1]["request"]["session"]
    assert [(s["challengeName"], s["challengeResult"], s["challengeMetadata"]) for s in last] == [
        ("SRP_A", True, None), ("PASSWORD_VERIFIER", True, None), ("CUSTOM_CHALLENGE", True, "CODE")]


def test_custom_with_srp_fail_authentication_after_the_password(setup) -> None:
    env = deploy(setup, "email_default", CUSTOM)
    _secret_code(setup[2], fail_after_password=True)
    env.confirmed_user("srp-fail@example.com")
    with pytest.raises(ClientError, match="Incorrect username or password"):
        _custom_with_srp(env, "srp-fail@example.com")


def test_custom_with_srp_wrong_password_never_reaches_the_custom_challenge(setup) -> None:
    env = deploy(setup, "email_default", CUSTOM)
    _secret_code(setup[2])
    env.confirmed_user("srp-wrong@example.com")
    with pytest.raises(ClientError, match="Incorrect username or password"):
        _custom_with_srp(env, "srp-wrong@example.com", password="Wr0ng-password!")
    assert "CreateAuthChallenge_Authentication" not in setup[2].sources()


def test_custom_challenge_retries_until_define_fails_the_attempt(setup) -> None:
    env = deploy(setup, "email_default", CUSTOM)
    _secret_code(setup[2])
    env.confirmed_user("retry@example.com")
    step = env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="CUSTOM_AUTH",
                                 AuthParameters={"USERNAME": "retry@example.com"})
    for _ in range(2):
        step = env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="CUSTOM_CHALLENGE",
                                                 Session=step["Session"],
                                                 ChallengeResponses={"USERNAME": "retry@example.com", "ANSWER": "1"})
        assert step["ChallengeName"] == "CUSTOM_CHALLENGE"
    with pytest.raises(ClientError, match="Incorrect username or password"):
        env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="CUSTOM_CHALLENGE",
                                          Session=step["Session"],
                                          ChallengeResponses={"USERNAME": "retry@example.com", "ANSWER": "1"})


# --- passwordless sign-up and email MFA setup -------------------------------------------------
def test_sign_up_without_password_where_passwordless_first_factors_are_allowed(setup) -> None:
    env = deploy(setup, "passwordless_email_otp", {})
    out = env.idp.sign_up(ClientId=env.client_id, Username="nopass@example.com",
                          UserAttributes=[{"Name": "email", "Value": "nopass@example.com"}])
    assert out["UserConfirmed"] is False and out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    env.idp.confirm_sign_up(ClientId=env.client_id, Username="nopass@example.com",
                            ConfirmationCode=env.code("nopass@example.com"))
    start = env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="USER_AUTH",
                                  AuthParameters={"USERNAME": "nopass@example.com"})
    assert start["AvailableChallenges"] == ["EMAIL_OTP"]  # no password to sign in with
    otp = env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="SELECT_CHALLENGE",
                                            Session=start["Session"],
                                            ChallengeResponses={"USERNAME": "nopass@example.com", "ANSWER": "EMAIL_OTP"})
    done = env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="EMAIL_OTP", Session=otp["Session"],
                                             ChallengeResponses={"USERNAME": "nopass@example.com",
                                                                 "EMAIL_OTP_CODE": env.code("nopass@example.com")})
    assert done["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError, match="Incorrect username or password"):
        env.srp_sign_in("nopass@example.com", "Any-passw0rd!")


def test_sign_up_without_password_still_fails_on_a_password_only_pool(setup) -> None:
    env = deploy(setup, "email_default", {})
    with pytest.raises(ClientError, match="InvalidPasswordException.*Password not long enough"):
        env.idp.sign_up(ClientId=env.client_id, Username="needpass@example.com",
                        UserAttributes=[{"Name": "email", "Value": "needpass@example.com"}])


def _required_totp_or_email(props: dict) -> None:
    props["MfaConfiguration"] = "ON"
    props["EnabledMfas"] = ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]


def test_mfa_setup_with_email(setup) -> None:
    env = deploy(setup, "phone", {}, _required_totp_or_email, ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    phone = "+15555550199"
    env.idp.sign_up(ClientId=env.client_id, Username=phone, Password=PASSWORD,
                    UserAttributes=[{"Name": "phone_number", "Value": phone}])
    env.idp.confirm_sign_up(ClientId=env.client_id, Username=phone, ConfirmationCode=env.code(phone))
    first = env.password_sign_in(phone)
    assert first["ChallengeName"] == "MFA_SETUP"
    assert json.loads(first["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
    otp = env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="MFA_SETUP", Session=first["Session"],
                                            ChallengeResponses={"USERNAME": phone, "EMAIL": "mfa-setup@example.com"})
    assert otp["ChallengeName"] == "EMAIL_OTP"
    assert otp["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "m***@e***"}
    with pytest.raises(ClientError, match="CodeMismatchException"):
        env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="EMAIL_OTP", Session=otp["Session"],
                                          ChallengeResponses={"USERNAME": phone, "EMAIL_OTP_CODE": "000000"})
    done = env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="EMAIL_OTP", Session=otp["Session"],
                                             ChallengeResponses={"USERNAME": phone,
                                                                 "EMAIL_OTP_CODE": env.code("mfa-setup@example.com")})
    user = env.idp.get_user(AccessToken=done["AuthenticationResult"]["AccessToken"])
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["email"] == "mfa-setup@example.com" and attrs["email_verified"] == "true"
    assert user["UserMFASettingList"] == ["EMAIL_OTP"]
    again = env.password_sign_in(phone)  # next time: the email code, no setup
    assert again["ChallengeName"] == "EMAIL_OTP"


def test_mfa_setup_with_email_refused_where_email_mfa_is_off(setup) -> None:
    def totp_only(props: dict) -> None:
        props["MfaConfiguration"] = "ON"
        props["EnabledMfas"] = ["SOFTWARE_TOKEN_MFA"]

    env = deploy(setup, "email_default", {}, totp_only, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    env.confirmed_user("totp-only@example.com")
    first = env.password_sign_in("totp-only@example.com")
    with pytest.raises(ClientError, match="Email MFA is not enabled for the user pool"):
        env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="MFA_SETUP", Session=first["Session"],
                                          ChallengeResponses={"USERNAME": "totp-only@example.com",
                                                              "EMAIL": "other@example.com"})


# --- responses honoured as Cognito does -------------------------------------------------------
def test_handler_failure_is_user_lambda_validation_and_the_engine_keeps_serving(setup) -> None:
    env = deploy(setup, "email_default", {"PreSignUp": ARN + "pre"})
    logs = setup[3]

    def pre(event: dict) -> dict:
        if event["request"]["userAttributes"]["email"].startswith("bad"):
            raise ValueError("Invalid department: marketing")
        return event

    setup[2].by_name["pre"] = pre
    with pytest.raises(ClientError, match=re.escape("PreSignUp failed with error Invalid department: marketing.")) as exc:
        env.sign_up("bad@example.com")
    assert exc.value.response["Error"] == {"Code": "UserLambdaValidationException",
                                           "Message": "PreSignUp failed with error Invalid department: marketing."}
    text = "\n".join(line for _source, line in logs)
    assert "Traceback" in text and "ValueError: Invalid department: marketing" in text
    assert env.sign_up("good@example.com")["UserConfirmed"] is False


def test_pre_sign_up_auto_verify_phone_and_invalid_response(setup) -> None:
    env = deploy(setup, "email_and_phone", {"PreSignUp": ARN + "pre"}, ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])

    def pre(event: dict) -> dict:
        event["response"].update(autoConfirmUser=True, autoVerifyPhone=True)
        return event

    setup[2].by_name["pre"] = pre
    out = env.idp.sign_up(ClientId=env.client_id, Username="both@example.com", Password=PASSWORD,
                          UserAttributes=[{"Name": "email", "Value": "both@example.com"},
                                          {"Name": "phone_number", "Value": "+15555550111"}])
    assert out["UserConfirmed"] is True
    user = env.idp.admin_get_user(UserPoolId=env.pool_id, Username="both@example.com")
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["phone_number_verified"] == "true" and attrs.get("email_verified") != "true"
    email_only = deploy(setup, "email_default", {"PreSignUp": ARN + "pre"})
    with pytest.raises(ClientError, match="InvalidLambdaResponseException.*autoVerifyPhone requires a phone_number"):
        email_only.sign_up("nophone@example.com")


def test_custom_message_subject_body_and_the_code_placeholder_rule(setup) -> None:
    env = deploy(setup, "email_default", {"CustomMessage": ARN + "message"})

    def message(event: dict) -> dict:
        if event["triggerSource"] == "CustomMessage_SignUp":
            code = event["request"]["codeParameter"]
            email = event["request"]["userAttributes"]["email"]
            body = f"Hi {email}, your code is {code}" if not email.startswith("nocode") else "no code here"
            event["response"].update(emailSubject="Welcome aboard", emailMessage=body)
        return event

    setup[2].by_name["message"] = message
    env.sign_up("msg@example.com")
    sent = env.last_message("msg@example.com")
    assert sent["subject"] == "Welcome aboard"
    assert sent["body"] == f"Hi msg@example.com, your code is {sent['code']}"
    with pytest.raises(ClientError, match="InvalidLambdaResponseException.*emailMessage must contain \\{####\\}"):
        env.sign_up("nocode@example.com")


def test_pre_token_generation_v1_claims_and_groups(setup) -> None:
    env = deploy(setup, "email_default", {"PreTokenGeneration": ARN + "token"})

    def token(event: dict) -> dict:
        event["response"]["claimsOverrideDetails"] = {
            "claimsToAddOrOverride": {"tenant": "acme", "sub": "forged"},
            "claimsToSuppress": ["email"],
            "groupOverrideDetails": {"groupsToOverride": ["admins"], "iamRolesToOverride": [], "preferredRole": None},
        }
        return event

    setup[2].by_name["token"] = token
    env.confirmed_user("claims@example.com")
    tokens = env.srp_sign_in("claims@example.com")["AuthenticationResult"]
    id_token, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert id_token["tenant"] == "acme" and "email" not in id_token and id_token["sub"] != "forged"
    assert id_token["cognito:groups"] == ["admins"] and access["cognito:groups"] == ["admins"]
    assert "tenant" not in access  # version 1 customises the ID token only
    assert setup[2].events[-1]["version"] == "1"


def test_pre_token_generation_v2_customises_the_access_token(setup) -> None:
    def v2(props: dict) -> None:
        props["LambdaConfig"] = {"PreTokenGenerationConfig": {"LambdaArn": ARN + "token", "LambdaVersion": "V2_0"}}

    env = deploy(setup, "email_default", {}, v2)

    def token(event: dict) -> dict:
        assert event["request"]["scopes"] == ["aws.cognito.signin.user.admin"]
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "idTokenGeneration": {"claimsToAddOrOverride": {"plan": "pro"}},
            "accessTokenGeneration": {"claimsToAddOrOverride": {"plan": "pro"}, "scopesToAdd": ["orders/read"],
                                      "claimsToSuppress": []},
        }
        return event

    setup[2].by_name["token"] = token
    env.confirmed_user("v2@example.com")
    tokens = env.srp_sign_in("v2@example.com")["AuthenticationResult"]
    access = claims(tokens["AccessToken"])
    assert access["plan"] == "pro" and access["scope"] == "aws.cognito.signin.user.admin orders/read"
    assert claims(tokens["IdToken"])["plan"] == "pro"
    assert setup[2].events[-1]["version"] == "2"


def test_user_migration_on_sign_in_and_on_forgot_password(setup) -> None:
    env = deploy(setup, "email_default", {"UserMigration": ARN + "migrate"},
                 ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    old_directory = {"old@example.com": "Old-passw0rd!", "reset@example.com": None}

    def migrate(event: dict) -> dict:
        name = event["userName"]
        if name not in old_directory:
            return event  # no userAttributes: not found
        if event["triggerSource"] == "UserMigration_Authentication" and event["request"]["password"] != old_directory[name]:
            raise Exception("Bad password")
        event["response"].update(userAttributes={"email": name, "email_verified": "true"},
                                 finalUserStatus="CONFIRMED" if event["triggerSource"].endswith("Authentication") else None,
                                 messageAction="SUPPRESS")
        return event

    setup[2].by_name["migrate"] = migrate
    tokens = env.password_sign_in("old@example.com", "Old-passw0rd!")["AuthenticationResult"]
    assert claims(tokens["IdToken"])["email"] == "old@example.com"
    assert env.srp_sign_in("old@example.com", "Old-passw0rd!")["AuthenticationResult"]  # now a pool user
    old_directory["late@example.com"] = "Right-passw0rd!"
    with pytest.raises(ClientError, match="UserLambdaValidationException.*UserMigration failed with error Bad password"):
        env.password_sign_in("late@example.com", "Wr0ng-passw0rd!")
    with pytest.raises(ClientError, match="NotAuthorizedException.*Incorrect username or password"):
        env.password_sign_in("nobody@example.com")  # not in the old directory either (existence errors prevented)
    delivery = env.idp.forgot_password(ClientId=env.client_id, Username="reset@example.com")["CodeDeliveryDetails"]
    assert delivery["DeliveryMedium"] == "EMAIL"
    user = env.idp.admin_get_user(UserPoolId=env.pool_id, Username="reset@example.com")
    assert user["UserStatus"] == "RESET_REQUIRED"
    env.idp.confirm_forgot_password(ClientId=env.client_id, Username="reset@example.com", Password="New-passw0rd!",
                                    ConfirmationCode=env.code("reset@example.com"))
    assert env.srp_sign_in("reset@example.com", "New-passw0rd!")["AuthenticationResult"]
    assert [s for s in setup[2].sources() if s.startswith("UserMigration")] == [
        "UserMigration_Authentication", "UserMigration_Authentication", "UserMigration_Authentication",
        "UserMigration_ForgotPassword"]



# --- PreAuthentication and unknown names -------------------------------------------------------
@pytest.mark.parametrize("prevent", ["ENABLED", "LEGACY"])
def test_pre_authentication_runs_for_unknown_names_only_where_existence_errors_are_prevented(setup, prevent) -> None:
    """Cognito: the trigger "doesn't activate when a user doesn't exist unless PreventUserExistenceErrors ...
    is set to ENABLED", and then ``userNotFound`` says which it is (for a user too: false)."""
    engine, clock, handlers, logs = setup
    handlers.by_name["preAuth"] = lambda event: event
    env = deploy(setup, "email_default", {"PreAuthentication": ARN + "preAuth"}, PreventUserExistenceErrors=prevent,
                 ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    env.confirmed_user("known-preauth@example.com")
    known = env.idp.admin_get_user(UserPoolId=env.pool_id, Username="known-preauth@example.com")["Username"]
    handlers.events.clear()
    env.srp_sign_in("known-preauth@example.com")
    env.password_sign_in("known-preauth@example.com")
    unknown = "NotAuthorizedException" if prevent == "ENABLED" else "UserNotFoundException"
    with pytest.raises(ClientError, match=unknown):
        env.srp_sign_in("nobody-preauth@example.com")
    with pytest.raises(ClientError, match=unknown):
        env.password_sign_in("nobody-preauth@example.com")
    requests = [(e["userName"], e["request"]) for e in handlers.events]
    if prevent == "LEGACY":  # only users reach it, and userNotFound is left out
        assert [name for name, _ in requests] == [known] * 2
        assert all("userNotFound" not in request for _, request in requests)
        return
    assert [(name, request["userNotFound"]) for name, request in requests] == [
        (known, False), (known, False),
        ("nobody-preauth@example.com", True), ("nobody-preauth@example.com", True)]
    assert requests[2][1]["userAttributes"] == {} and requests[0][1]["userAttributes"]["email"] == \
        "known-preauth@example.com"
