"""Sign-up, confirmation and sign-in against the engine with boto3 and pycognito, as against Cognito."""

from __future__ import annotations

import re

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError

from tests.engine.conftest import PASSWORD, Env, make_env


@pytest.fixture(scope="module")
def env(engine_and_clock) -> Env:
    return make_env(engine_and_clock, "signin", "email_default",
                    ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


@pytest.fixture(scope="module")
def legacy(engine_and_clock) -> Env:
    return make_env(engine_and_clock, "legacy", "email_default", PreventUserExistenceErrors="LEGACY",
                    ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


def _error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def test_ids_have_cognito_shapes(env: Env) -> None:
    import re

    assert re.fullmatch(r"us-east-1_[A-Za-z0-9]{9}", env.pool_id)
    assert re.fullmatch(r"[a-z0-9]{26}", env.client_id)
    assert re.fullmatch(r"us-east-1:[0-9a-f-]{36}", env.identity_pool_id)


def test_sign_up_sends_templated_code_and_confirm_verifies_email(env: Env) -> None:
    out = env.sign_up("carol@example.com")
    assert out["UserConfirmed"] is False
    assert out["CodeDeliveryDetails"] == {"Destination": "c***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    message = env.last_message("carol@example.com")
    assert message["subject"] == "Verify your new account"
    assert message["body"] == f"The verification code to your new account is {message['code']}"
    assert len(message["code"]) == 6 and message["code"].isdigit()
    env.idp.confirm_sign_up(ClientId=env.client_id, Username="carol@example.com", ConfirmationCode=message["code"])
    user = env.idp.admin_get_user(UserPoolId=env.pool_id, Username="carol@example.com")
    assert user["UserStatus"] == "CONFIRMED"
    assert user["Username"] == out["UserSub"]
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]


def test_duplicate_sign_up_is_rejected(env: Env) -> None:
    env.sign_up("dup@example.com")
    with pytest.raises(ClientError, match=re.escape("An account with the given email already exists.")) as exc:
        env.sign_up("DUP@example.com")
    assert _error(exc) == ("UsernameExistsException", "An account with the given email already exists.")


def test_password_policy_messages(env: Env) -> None:
    for password, problem in (("Sh0rt!", "Password not long enough"),
                              ("alllowercase1!", "Password must have uppercase characters"),
                              ("NoNumbers!!", "Password must have numeric characters"),
                              ("NoSymbols123", "Password must have symbol characters")):
        with pytest.raises(ClientError, match=re.escape(f"Password did not conform with policy: {problem}")) as exc:
            env.sign_up("policy@example.com", password)
        assert _error(exc) == ("InvalidPasswordException", f"Password did not conform with policy: {problem}")


def test_wrong_reused_and_expired_codes(env: Env) -> None:
    env.sign_up("codes@example.com")
    code = env.code("codes@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError, match=re.escape("Invalid verification code provided, please try again.")) as exc:
        env.idp.confirm_sign_up(ClientId=env.client_id, Username="codes@example.com", ConfirmationCode=wrong)
    assert _error(exc) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    env.idp.confirm_sign_up(ClientId=env.client_id, Username="codes@example.com", ConfirmationCode=code)
    with pytest.raises(ClientError, match=re.escape("User cannot be confirmed. Current status is CONFIRMED")) as exc:
        env.idp.confirm_sign_up(ClientId=env.client_id, Username="codes@example.com", ConfirmationCode=code)
    assert _error(exc) == ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")

    env.sign_up("late@example.com")
    env.clock.advance(24 * 3600 + 1)
    with pytest.raises(ClientError, match=re.escape("Invalid code provided, please request a code again.")) as exc:
        env.idp.confirm_sign_up(ClientId=env.client_id, Username="late@example.com",
                                ConfirmationCode=env.code("late@example.com"))
    assert _error(exc) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    env.idp.resend_confirmation_code(ClientId=env.client_id, Username="late@example.com")
    env.idp.confirm_sign_up(ClientId=env.client_id, Username="late@example.com",
                            ConfirmationCode=env.code("late@example.com"))


def test_code_attempt_limit(env: Env) -> None:
    env.sign_up("limit@example.com")
    code = env.code("limit@example.com")
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(ClientError, match="Invalid verification code provided"):
            env.idp.confirm_sign_up(ClientId=env.client_id, Username="limit@example.com", ConfirmationCode=wrong)
    with pytest.raises(ClientError, match=re.escape("Attempt limit exceeded, please try after some time.")) as exc:
        env.idp.confirm_sign_up(ClientId=env.client_id, Username="limit@example.com", ConfirmationCode=code)
    assert _error(exc) == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")


def test_srp_sign_in_and_wrong_password(env: Env) -> None:
    env.confirmed_user("srp@example.com")
    tokens = env.srp_sign_in("SRP@example.com")["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer" and tokens["ExpiresIn"] == 3600
    with pytest.raises(ClientError, match=re.escape("Incorrect username or password.")) as exc:
        env.srp_sign_in("srp@example.com", "Wr0ng-password")
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_srp_challenge_shape(env: Env) -> None:
    from pycognito.aws_srp import AWSSRP

    sub = env.confirmed_user("shape@example.com")["UserSub"]
    helper = AWSSRP(username="shape@example.com", password=PASSWORD, pool_id=env.pool_id,
                    client_id=env.client_id, client=env.idp)
    out = env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="USER_SRP_AUTH",
                                AuthParameters=helper.get_auth_params())
    assert out["ChallengeName"] == "PASSWORD_VERIFIER"
    assert "Session" not in out
    assert set(out["ChallengeParameters"]) == {"SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"}
    assert out["ChallengeParameters"]["USER_ID_FOR_SRP"] == sub


def test_unknown_and_unconfirmed_users(env: Env, legacy: Env) -> None:
    with pytest.raises(ClientError, match=re.escape("Incorrect username or password.")) as exc:
        env.srp_sign_in("nobody@example.com")
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError, match=re.escape("User does not exist.")) as exc:
        legacy.srp_sign_in("nobody@example.com")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError, match=re.escape("Username/client id combination not found.")) as exc:
        legacy.idp.forgot_password(ClientId=legacy.client_id, Username="nobody@example.com")
    assert _error(exc) == ("UserNotFoundException", "Username/client id combination not found.")
    fake = env.idp.forgot_password(ClientId=env.client_id, Username="nobody@example.com")
    assert fake["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    env.sign_up("pending@example.com")
    with pytest.raises(ClientError, match=re.escape("User is not confirmed.")) as exc:
        env.srp_sign_in("pending@example.com")
    assert _error(exc) == ("UserNotConfirmedException", "User is not confirmed.")
    with pytest.raises(ClientError, match=re.escape("Incorrect username or password.")) as exc:
        env.password_sign_in("pending@example.com", "Wr0ng-password")
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_flow_not_enabled(engine_and_clock) -> None:
    other = make_env(engine_and_clock, "noflow", "email_default")
    with pytest.raises(ClientError, match=re.escape("USER_PASSWORD_AUTH flow not enabled for this client")) as exc:
        other.password_sign_in("x@example.com")
    assert _error(exc) == ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")


def test_lockout_after_repeated_failures(env: Env) -> None:
    env.confirmed_user("lock@example.com")
    for _ in range(5):
        with pytest.raises(ClientError, match="Incorrect username or password."):
            env.password_sign_in("lock@example.com", "Wr0ng-password")
    with pytest.raises(ClientError, match=re.escape("Password attempts exceeded")) as exc:
        env.password_sign_in("lock@example.com")
    assert _error(exc) == ("NotAuthorizedException", "Password attempts exceeded")
    env.clock.advance(2)
    assert "AuthenticationResult" in env.password_sign_in("lock@example.com")


def test_tokens_verify_against_jwks(env: Env) -> None:
    sub = env.confirmed_user("claims@example.com")["UserSub"]
    tokens = env.password_sign_in("claims@example.com")["AuthenticationResult"]
    jwks = httpx.get(f"{env.engine.endpoint}/{env.pool_id}/.well-known/jwks.json").json()
    key = jwt.PyJWK(jwks["keys"][0])
    assert jwt.get_unverified_header(tokens["IdToken"])["kid"] == jwks["keys"][0]["kid"]
    opts = {"verify_exp": False, "verify_iat": False}  # the module clock has been advanced
    access = jwt.decode(tokens["AccessToken"], key, algorithms=["RS256"], options=opts)
    ident = jwt.decode(tokens["IdToken"], key, algorithms=["RS256"], audience=env.client_id, options=opts)
    issuer = f"{env.engine.endpoint}/{env.pool_id}"
    assert {k: access[k] for k in ("sub", "iss", "client_id", "token_use", "scope", "username")} == {
        "sub": sub, "iss": issuer, "client_id": env.client_id, "token_use": "access",
        "scope": "aws.cognito.signin.user.admin", "username": sub}
    assert access["exp"] - access["iat"] == 3600
    assert {"origin_jti", "event_id", "auth_time", "jti"} <= set(access)
    assert ident["cognito:username"] == sub and ident["email"] == "claims@example.com"
    assert ident["email_verified"] is True and ident["token_use"] == "id" and ident["aud"] == env.client_id
    config = httpx.get(f"{env.engine.endpoint}/{env.pool_id}/.well-known/openid-configuration").json()
    assert config["issuer"] == issuer and config["jwks_uri"] == f"{issuer}/.well-known/jwks.json"


def test_refresh_revoke_and_global_sign_out(env: Env) -> None:
    env.confirmed_user("tokens@example.com")
    first = env.password_sign_in("tokens@example.com")["AuthenticationResult"]
    refreshed = env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    assert env.idp.get_user(AccessToken=refreshed["AccessToken"])["Username"]
    via_new_api = env.idp.get_tokens_from_refresh_token(ClientId=env.client_id, RefreshToken=first["RefreshToken"])
    assert via_new_api["AuthenticationResult"]["AccessToken"]

    env.idp.revoke_token(Token=first["RefreshToken"], ClientId=env.client_id)
    with pytest.raises(ClientError, match=re.escape("Refresh Token has been revoked")) as exc:
        env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    assert _error(exc) == ("NotAuthorizedException", "Refresh Token has been revoked")
    with pytest.raises(ClientError, match=re.escape("Access Token has been revoked")) as exc:
        env.idp.get_user(AccessToken=refreshed["AccessToken"])
    assert _error(exc) == ("NotAuthorizedException", "Access Token has been revoked")

    second = env.password_sign_in("tokens@example.com")["AuthenticationResult"]
    third = env.password_sign_in("tokens@example.com")["AuthenticationResult"]
    env.idp.global_sign_out(AccessToken=second["AccessToken"])
    for tokens in (second, third):
        with pytest.raises(ClientError, match="Access Token has been revoked"):
            env.idp.get_user(AccessToken=tokens["AccessToken"])
        with pytest.raises(ClientError, match="Refresh Token has been revoked"):
            env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})


def test_expired_and_forged_access_tokens(env: Env) -> None:
    env.confirmed_user("expiry@example.com")
    tokens = env.password_sign_in("expiry@example.com")["AuthenticationResult"]
    with pytest.raises(ClientError, match=re.escape("Invalid Access Token")) as exc:
        env.idp.get_user(AccessToken=tokens["AccessToken"][:-4] + "AAAA")
    assert _error(exc) == ("NotAuthorizedException", "Invalid Access Token")
    env.clock.advance(3601)
    with pytest.raises(ClientError, match=re.escape("Access Token has expired")) as exc:
        env.idp.get_user(AccessToken=tokens["AccessToken"])
    assert _error(exc) == ("NotAuthorizedException", "Access Token has expired")


def test_change_password(env: Env) -> None:
    env.confirmed_user("change@example.com")
    tokens = env.password_sign_in("change@example.com")["AuthenticationResult"]
    with pytest.raises(ClientError, match="Incorrect username or password."):
        env.idp.change_password(PreviousPassword="Wr0ng-password", ProposedPassword="N3w-Passw0rd!",
                                AccessToken=tokens["AccessToken"])
    env.idp.change_password(PreviousPassword=PASSWORD, ProposedPassword="N3w-Passw0rd!",
                            AccessToken=tokens["AccessToken"])
    assert env.srp_sign_in("change@example.com", "N3w-Passw0rd!")["AuthenticationResult"]


def test_forgot_password(env: Env) -> None:
    env.confirmed_user("forgot@example.com")
    out = env.idp.forgot_password(ClientId=env.client_id, Username="forgot@example.com")
    assert out["CodeDeliveryDetails"]["Destination"] == "f***@e***"
    code = env.code("forgot@example.com")
    assert env.last_message("forgot@example.com")["kind"] == "FORGOT_PASSWORD"
    with pytest.raises(ClientError, match="Invalid verification code provided, please try again."):
        env.idp.confirm_forgot_password(ClientId=env.client_id, Username="forgot@example.com",
                                        ConfirmationCode=f"{(int(code) + 1) % 1_000_000:06d}", Password="R3set-pass!")
    env.idp.confirm_forgot_password(ClientId=env.client_id, Username="forgot@example.com", ConfirmationCode=code,
                                    Password="R3set-pass!")
    with pytest.raises(ClientError, match=re.escape("Invalid code provided, please request a code again.")) as exc:
        env.idp.confirm_forgot_password(ClientId=env.client_id, Username="forgot@example.com", ConfirmationCode=code,
                                        Password="R3set-pass!2")
    assert _error(exc) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    assert env.srp_sign_in("forgot@example.com", "R3set-pass!")["AuthenticationResult"]


def test_wire_errors_and_cors(env: Env) -> None:
    response = httpx.post(env.engine.endpoint + "/", headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.Nope",
                                                            "Content-Type": "application/x-amz-json-1.1"}, content="{}")
    assert response.status_code == 400
    assert response.json()["__type"] == "UnknownOperationException"
    response = httpx.post(env.engine.endpoint + "/", headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.SignUp"},
                          content="not json")
    assert response.status_code == 400 and response.json()["__type"] == "SerializationException"
    response = httpx.post(env.engine.endpoint + "/", headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.SignUp"},
                          content='{"ClientId": "nope", "Username": "u"}')
    assert response.status_code == 400
    assert response.json() == {"__type": "ResourceNotFoundException", "message": "User pool client nope does not exist."}
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(env.engine.endpoint + "/", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-headers"] == "content-type,x-amz-target,x-amz-user-agent"


@pytest.mark.parametrize(("operation", "body", "path", "expected"), [
    ("SignUp", {"Username": 5, "Password": PASSWORD}, "Username", "a string"),
    ("SignUp", {"Username": "t@example.com", "UserAttributes": "x"}, "UserAttributes", "a list"),
    ("SignUp", {"Username": "t@example.com", "UserAttributes": [{"Name": "email", "Value": True}]},
     "UserAttributes[0].Value", "a string"),
    ("SignUp", {"ClientId": ["x"], "Username": "t@example.com"}, "ClientId", "a string"),
    ("InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": 5}},
     "AuthParameters.USERNAME", "a string"),
    ("InitiateAuth", {"AuthFlow": {"a": 1}}, "AuthFlow", "a string"),
    ("RespondToAuthChallenge", {"ChallengeName": "SMS_MFA", "Session": {"a": 1}}, "Session", "a string"),
    ("ListUsers", {"Limit": "10"}, "Limit", "an integer"),
    ("AdminSetUserPassword", {"Username": "u", "Password": PASSWORD, "Permanent": "yes"}, "Permanent", "a boolean"),
    ("ListGroups", {"UserPoolId": ["x"]}, "UserPoolId", "a string"),
])
def test_wrong_json_types_are_serialization_errors(env: Env, operation: str, body: dict, path: str,
                                                   expected: str) -> None:
    # Cognito rejects a value of the wrong JSON type before reading it (never a 500, never a half-done change).
    request = {"ClientId": env.client_id, "UserPoolId": env.pool_id, **body}
    response = env.post(operation, request)  # signed: ListUsers, AdminSetUserPassword and ListGroups need it
    assert response.status_code == 400
    assert response.json() == {"__type": "SerializationException", "message": f"Value at '{path}' must be {expected}."}


def test_wrong_json_types_for_identity_pools_are_serialization_errors(env: Env) -> None:
    response = httpx.post(env.engine.endpoint + "/", json={"IdentityId": ["x"]},
                          headers={"X-Amz-Target": "AWSCognitoIdentityService.GetCredentialsForIdentity"})
    assert response.status_code == 400
    assert response.json() == {"__type": "SerializationException", "message": "Value at 'IdentityId' must be a string."}


def test_client_with_a_secret(engine_and_clock) -> None:
    import base64
    import hashlib
    import hmac

    env = make_env(engine_and_clock, "secret-client", "email_default", GenerateSecret=True,
                   ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    secret = env.idp.describe_user_pool_client(UserPoolId=env.pool_id, ClientId=env.client_id)["UserPoolClient"][
        "ClientSecret"]

    def secret_hash(username: str) -> str:
        return base64.b64encode(hmac.new(secret.encode(), (username + env.client_id).encode(),
                                         hashlib.sha256).digest()).decode()

    email = "secret@example.com"
    env.idp.admin_create_user(UserPoolId=env.pool_id, Username=email, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email}])
    env.idp.admin_set_user_password(UserPoolId=env.pool_id, Username=email, Password=PASSWORD, Permanent=True)
    rejected = f"Unable to verify secret hash for client {env.client_id}"
    with pytest.raises(ClientError, match=re.escape(rejected)):
        env.password_sign_in(email)
    tokens = env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": email, "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(email)})["AuthenticationResult"]
    refresh = tokens["RefreshToken"]
    other_last = "y" if secret.endswith("x") else "x"  # a secret that ends in "x" must still be changed
    for wrong in (secret[:-1] + other_last, secret + "x"):
        with pytest.raises(ClientError, match=re.escape(rejected)) as exc:
            env.idp.get_tokens_from_refresh_token(ClientId=env.client_id, RefreshToken=refresh, ClientSecret=wrong)
        assert _error(exc) == ("NotAuthorizedException", rejected)
        with pytest.raises(ClientError, match=re.escape(rejected)):
            env.idp.revoke_token(ClientId=env.client_id, Token=refresh, ClientSecret=wrong)
    assert env.idp.get_tokens_from_refresh_token(ClientId=env.client_id, RefreshToken=refresh,
                                                 ClientSecret=secret)["AuthenticationResult"]["AccessToken"]
    env.idp.revoke_token(ClientId=env.client_id, Token=refresh, ClientSecret=secret)
    with pytest.raises(ClientError, match="Refresh Token has been revoked"):
        env.idp.get_tokens_from_refresh_token(ClientId=env.client_id, RefreshToken=refresh, ClientSecret=secret)


def test_abandoned_sign_in_sessions_are_forgotten(env: Env) -> None:
    def stored() -> int:
        return env.engine.context.store.one("SELECT COUNT(*) FROM sessions")[0]

    for i in range(3):
        env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": f"gone{i}@example.com", "SRP_A": "ab" * 100})
    before = stored()
    assert before >= 3
    env.clock.advance(2 * 3600)  # past the 3-minute session and the hour "session is expired" is still told
    env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="USER_SRP_AUTH",
                          AuthParameters={"USERNAME": "late@example.com", "SRP_A": "ab" * 100})
    assert stored() == 1
