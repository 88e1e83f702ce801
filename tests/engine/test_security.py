"""IAM authorization and browser access, as on Cognito.

Operations Cognito authorizes with IAM need a SigV4 signature made with the engine's local credentials (AWS's
errors otherwise); the public ones are called unsigned. Browsers get CORS answers for the public operations
only, and a request addressed to another host name (DNS rebinding) is refused before anything runs.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import boto3
import botocore.auth
import httpx
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from amplify_py.errors import AmpyUserError
from amplify_py.local import CREDENTIALS_FILE, LocalEngine, read_credentials
from amplify_py.local.http.authorization import SIGNATURE_MISMATCH, requires_signature
from amplify_py.local.operations.registry import IDENTITY_OPERATIONS, USER_POOL_OPERATIONS
from tests._signing import signed_headers
from tests.engine.conftest import Env, in_process, make_env

_TARGET = "AWSCognitoIdentityProviderService."
_NO_RETRY = Config(retries={"total_max_attempts": 1})


@pytest.fixture(scope="module")
def env(engine_and_clock) -> Env:
    env = make_env(engine_and_clock, "security", "email_default")
    env.confirmed_user("admin-target@example.com")
    return env


def _raw(env: Env, operation: str, body: dict, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(env.engine.endpoint + "/", content=json.dumps(body).encode(), headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": _TARGET + operation, **(headers or {})})


def _signed(env: Env, operation: str, body: dict, **sign: Any) -> dict[str, str]:
    return signed_headers(sign.pop("credentials", env.engine.credentials), env.engine.endpoint, _TARGET + operation,
                          json.dumps(body).encode(), **sign)


def _error(response: httpx.Response) -> tuple[int, str, str]:
    return response.status_code, response.json()["__type"], response.json()["message"]


def _client(env: Env, **kwargs: Any) -> Any:
    options = {**env.engine.credentials.boto3_kwargs(), **kwargs}
    return boto3.client("cognito-idp", endpoint_url=env.engine.endpoint, config=options.pop("config", _NO_RETRY),
                        **options)


def _get_user_body(env: Env) -> dict:
    return {"UserPoolId": env.pool_id, "Username": "admin-target@example.com"}


# --- which operations need a signature ------------------------------------------------------------------
def test_the_public_operations_are_the_ones_the_service_model_marks_unauthenticated() -> None:
    public = sorted(op for op in USER_POOL_OPERATIONS if not requires_signature(_TARGET + op))
    assert public == ["AssociateSoftwareToken", "ChangePassword", "CompleteWebAuthnRegistration", "ConfirmDevice",
                      "ConfirmForgotPassword", "ConfirmSignUp", "DeleteUser", "DeleteUserAttributes",
                      "DeleteWebAuthnCredential", "ForgetDevice", "ForgotPassword", "GetDevice",
                      "GetTokensFromRefreshToken", "GetUser", "GetUserAttributeVerificationCode", "GlobalSignOut",
                      "InitiateAuth", "ListDevices", "ListWebAuthnCredentials", "ResendConfirmationCode",
                      "RespondToAuthChallenge", "RevokeToken", "SetUserMFAPreference", "SignUp",
                      "StartWebAuthnRegistration", "UpdateDeviceStatus", "UpdateUserAttributes", "VerifySoftwareToken",
                      "VerifyUserAttribute"]
    assert all(requires_signature(_TARGET + op) for op in USER_POOL_OPERATIONS if op.startswith("Admin"))
    assert requires_signature(_TARGET + "ListUsers") and requires_signature(_TARGET + "CreateGroup")
    identity = "AWSCognitoIdentityService."
    assert sorted(op for op in IDENTITY_OPERATIONS if not requires_signature(identity + op)) == [
        "GetCredentialsForIdentity", "GetId", "GetOpenIdToken"]
    assert requires_signature(identity + "DescribeIdentityPool")
    assert requires_signature("TrentService.Decrypt") and requires_signature("TrentService.GenerateDataKey")
    assert not requires_signature("AWSCognitoIdentityProviderService.NoSuchOperation")


# --- refused ---------------------------------------------------------------------------------------------
def test_an_unsigned_admin_call_is_refused_before_it_runs(env: Env) -> None:
    response = _raw(env, "AdminDeleteUser", _get_user_body(env))
    assert _error(response) == (400, "MissingAuthenticationTokenException", "Request is missing Authentication Token")
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException:"
    with pytest.raises(ClientError, match=r"\(MissingAuthenticationTokenException\).*Request is missing Authentication"):
        _client(env, config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1})).list_users(
            UserPoolId=env.pool_id)
    assert env.idp.admin_get_user(**_get_user_body(env))["UserStatus"] == "CONFIRMED"  # nothing was deleted


@pytest.mark.parametrize(("authorization", "name", "message"), [
    ("Bearer abc", "MissingAuthenticationTokenException", "Request is missing Authentication Token"),
    ("AWS4-HMAC-SHA256 garbage", "IncompleteSignatureException",
     "'garbage' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 garbage'."),
    ("AWS4-HMAC-SHA256 Credential=AKIAX/20250101/us-east-1/cognito-idp/aws4_request", "IncompleteSignatureException",
     "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
     "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
     "Authorization=AWS4-HMAC-SHA256 Credential=AKIAX/20250101/us-east-1/cognito-idp/aws4_request"),
    ("AWS4-ECDSA-P256-SHA256 Credential=x", "IncompleteSignatureException",
     "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'"),
])
def test_a_malformed_authorization_header_gets_aws_error(env: Env, authorization: str, name: str, message: str) -> None:
    assert _error(_raw(env, "AdminGetUser", _get_user_body(env), {"Authorization": authorization})) == (400, name, message)


def test_a_garbage_signature_is_refused(env: Env) -> None:
    headers = _signed(env, "AdminGetUser", _get_user_body(env))
    headers["Authorization"] = re.sub(r"Signature=\w+", "Signature=" + "0" * 64, headers["Authorization"])
    assert _error(_raw(env, "AdminGetUser", _get_user_body(env), headers)) == (
        400, "InvalidSignatureException", SIGNATURE_MISMATCH)


def test_a_changed_body_no_longer_matches_its_signature(env: Env) -> None:
    headers = _signed(env, "AdminGetUser", _get_user_body(env))
    other = {**_get_user_body(env), "Username": "someone-else@example.com"}
    assert _error(_raw(env, "AdminGetUser", other, headers))[1:] == ("InvalidSignatureException", SIGNATURE_MISMATCH)


def test_other_credentials_are_refused(env: Env) -> None:
    with pytest.raises(ClientError, match=r"\(UnrecognizedClientException\).*The security token included in the "
                                          r"request is invalid\."):
        _client(env, aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").admin_get_user(**_get_user_body(env))
    with pytest.raises(ClientError, match=r"\(InvalidSignatureException\).*: " + re.escape(SIGNATURE_MISMATCH)):
        _client(env, aws_secret_access_key="not-the-secret").admin_get_user(**_get_user_body(env))
    with pytest.raises(ClientError, match=r"\(UnrecognizedClientException\).*The security token included"):
        _client(env, aws_session_token="a-session-token").admin_get_user(**_get_user_body(env))  # none is issued


def test_a_signature_older_or_newer_than_five_minutes_is_refused(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    real = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: real - datetime.timedelta(minutes=6))
    headers = _signed(env, "AdminGetUser", _get_user_body(env))
    status, name, message = _error(_raw(env, "AdminGetUser", _get_user_body(env), headers))
    assert (status, name) == (400, "InvalidSignatureException")
    assert re.fullmatch(r"Signature expired: (\d{8}T\d{6}Z) is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)",
                        message), message
    assert message.split()[2] == headers["X-Amz-Date"]
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: real + datetime.timedelta(minutes=6))
    headers = _signed(env, "AdminGetUser", _get_user_body(env))
    assert re.fullmatch(r"Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z "
                        r"\(\d{8}T\d{6}Z \+ 5 min\.\)", _error(_raw(env, "AdminGetUser", _get_user_body(env), headers))[2])
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: real - datetime.timedelta(minutes=4))
    assert _raw(env, "AdminGetUser", _get_user_body(env), _signed(env, "AdminGetUser", _get_user_body(env))).status_code == 200


def test_the_signature_must_be_scoped_to_the_engine_region_and_the_service(env: Env) -> None:
    with pytest.raises(ClientError, match=r"\(InvalidSignatureException\).*: " + re.escape(
            "Credential should be scoped to a valid region, not 'eu-west-1'. ")):
        _client(env, region_name="eu-west-1").admin_get_user(**_get_user_body(env))
    body = json.dumps(_get_user_body(env)).encode()
    # signed for the identity pool service, sent to the user pool one
    credentials = env.engine.credentials
    headers = signed_headers(credentials, env.engine.endpoint, "AWSCognitoIdentityService.DescribeIdentityPool", body)
    headers["X-Amz-Target"] = _TARGET + "AdminGetUser"
    response = httpx.post(env.engine.endpoint + "/", content=body, headers=headers)
    assert _error(response) == (400, "InvalidSignatureException",
                                "Credential should be scoped to correct service: 'cognito-idp'. ")


# --- accepted ----------------------------------------------------------------------------------------------
def test_boto3_with_the_engine_credentials_is_accepted(env: Env) -> None:
    idp = _client(env)
    assert idp.admin_get_user(**_get_user_body(env))["Username"]
    assert [u["Username"] for u in idp.list_users(UserPoolId=env.pool_id)["Users"]]
    assert idp.describe_user_pool(UserPoolId=env.pool_id)["UserPool"]["Id"] == env.pool_id
    identity = boto3.client("cognito-identity", endpoint_url=env.engine.endpoint, config=_NO_RETRY,
                            **env.engine.credentials.boto3_kwargs())
    assert identity.describe_identity_pool(IdentityPoolId=env.identity_pool_id)["IdentityPoolId"] == env.identity_pool_id
    unsigned = boto3.client("cognito-identity", endpoint_url=env.engine.endpoint, region_name="us-east-1",
                            config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError, match=r"\(MissingAuthenticationTokenException\)"):
        unsigned.describe_identity_pool(IdentityPoolId=env.identity_pool_id)


def test_public_operations_need_no_signature(env: Env) -> None:
    unsigned = _client(env, config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    unsigned.sign_up(ClientId=env.client_id, Username="public@example.com", Password="Passw0rd!",
                     UserAttributes=[{"Name": "email", "Value": "public@example.com"}])
    unsigned.confirm_sign_up(ClientId=env.client_id, Username="public@example.com",
                             ConfirmationCode=env.code("public@example.com"))
    response = _raw(env, "InitiateAuth", {"ClientId": env.client_id, "AuthFlow": "USER_SRP_AUTH",
                                          "AuthParameters": {"USERNAME": "public@example.com", "SRP_A": "ab" * 96}})
    assert response.status_code == 200 and response.json()["ChallengeName"] == "PASSWORD_VERIFIER"
    # and a signature with other keys does not matter to them, as on AWS
    other = _client(env, aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x" * 40)
    assert other.forgot_password(ClientId=env.client_id, Username="public@example.com")["CodeDeliveryDetails"]


# --- browsers --------------------------------------------------------------------------------------------------
def test_browsers_may_read_public_operations_from_any_origin_and_never_admin_ones(env: Env) -> None:
    origin = {"Origin": "https://any-app.example"}
    public = _raw(env, "SignUp", {"ClientId": env.client_id, "Username": "x"}, origin)
    assert public.headers["access-control-allow-origin"] == "*"
    signed = _raw(env, "AdminGetUser", _get_user_body(env), {**origin, **_signed(env, "AdminGetUser", _get_user_body(env))})
    assert signed.status_code == 200
    assert not any(name.startswith("access-control-") for name in signed.headers)
    refused = _raw(env, "ListUsers", {"UserPoolId": env.pool_id}, origin)
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


def test_preflights_are_answered_for_unsigned_requests_only(env: Env) -> None:
    def preflight(headers: str) -> httpx.Response:
        return httpx.options(env.engine.endpoint + "/", headers={
            "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": headers})

    amplify = preflight("cache-control,content-type,x-amz-target,x-amz-user-agent")  # what aws-amplify sends
    assert amplify.status_code == 204 and amplify.headers["access-control-allow-origin"] == "*"
    assert amplify.headers["access-control-allow-headers"] == "cache-control,content-type,x-amz-target,x-amz-user-agent"
    signed = preflight("authorization,content-type,x-amz-date,x-amz-target")  # an SDK signing an admin call
    assert signed.status_code == 403 and "access-control-allow-origin" not in signed.headers
    assert "IAM-authorized (signed) operations are for servers and scripts" in signed.text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "attacker.localhost:{port}",
                                  "127.0.0.1.evil.example", "localhost.evil.example:{port}", ""])
def test_requests_for_another_host_are_refused(env: Env, host: str) -> None:
    host = host.format(port=env.engine.port)
    for response in (_raw(env, "SignUp", {"ClientId": env.client_id, "Username": "x"}, {"Host": host}),
                     httpx.get(f"{env.engine.endpoint}/{env.pool_id}/.well-known/jwks.json", headers={"Host": host})):
        assert response.status_code == 403
        assert response.headers["x-amzn-errortype"] == "ForbiddenException:"
        assert response.json() == {"__type": "ForbiddenException", "message": (
            f"Host '{host}' is not this engine's address; the local engine answers only requests addressed to "
            "127.0.0.1, [::1], localhost (protection against DNS rebinding). "
            "Use the endpoint in amplify_outputs.json (custom.local_engine).")}


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "127.0.0.1",
                                  "localhost:9400", "[::1]:{port}"])
def test_requests_for_this_machine_are_answered_whatever_the_port(env: Env, host: str) -> None:
    # a forwarded port (a container's -p 9400:9325, an SSH tunnel) shows another port, never another name
    response = httpx.get(f"{env.engine.endpoint}/{env.pool_id}/.well-known/jwks.json",
                         headers={"Host": host.format(port=env.engine.port)})
    assert response.status_code == 200 and response.json()["keys"]


def test_localhost_is_the_engine_too(env: Env) -> None:
    response = httpx.get(f"http://localhost:{env.engine.port}/{env.pool_id}/.well-known/jwks.json")
    assert response.status_code == 200 and response.json()["keys"]


# --- the credentials ---------------------------------------------------------------------------------------------
def test_the_local_credentials_are_made_once_per_state_folder_and_kept_private(tmp_path) -> None:
    first = LocalEngine(tmp_path)
    made = first.credentials
    first.stop()
    path = tmp_path / CREDENTIALS_FILE
    assert made.path == path and path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text()) == made.boto3_kwargs() == {
        "aws_access_key_id": made.access_key_id, "aws_secret_access_key": made.secret_access_key,
        "region_name": "us-east-1"}
    assert re.fullmatch(r"AKIALOCAL[A-Z0-9]{11}", made.access_key_id) and len(made.secret_access_key) == 40
    again = LocalEngine(tmp_path)
    assert again.credentials == made == read_credentials(tmp_path)
    again.stop()
    elsewhere = LocalEngine(tmp_path, region="eu-west-1")  # the same keys, signed for the region it serves
    assert (elsewhere.credentials.access_key_id, elsewhere.credentials.region) == (made.access_key_id, "eu-west-1")
    elsewhere.stop()
    other = LocalEngine(tmp_path / "other")
    assert other.credentials.access_key_id != made.access_key_id
    other.stop()


def test_an_unreadable_credentials_file_says_how_to_fix_it(tmp_path) -> None:
    (tmp_path / CREDENTIALS_FILE).write_text("{not json")
    with pytest.raises(AmpyUserError, match=r"credentials file .*credentials\.json is not valid") as caught:
        LocalEngine(tmp_path)
    assert "the engine makes a new key pair when it starts" in caught.value.resolution


# --- equal work for unknown users (the timing itself is measured in benchmarks/timing.py) -------------------------
@in_process
def test_a_wrong_password_costs_the_same_computation_for_unknown_and_existing_users(
    engine_and_clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pycognito.aws_srp import AWSSRP

    from amplify_py.local import srp

    env = make_env(engine_and_clock, "equal-work", "email_default",
                   ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    env.confirmed_user("known@example.com")
    calls: list[str] = []
    for name in ("password_matches", "verify_proof"):
        real = getattr(srp, name)
        monkeypatch.setattr(srp, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    answers = []
    for user in ("known@example.com", "nobody@example.com"):
        with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*Incorrect username or password\.") as caught:
            env.password_sign_in(user, "Wr0ng-password!")
        answers.append(str(caught.value))
        with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*Incorrect username or password\."):
            AWSSRP(username=user, password="Wr0ng-password!", pool_id=env.pool_id, client_id=env.client_id,
                   client=env.idp).authenticate_user()
    assert answers[0] == answers[1]
    # the unknown user's checks run on a dummy verifier; each is asked twice (before the write lock, then under
    # it, where srp.remembering_checks answers without computing again)
    assert calls == ["password_matches", "password_matches", "verify_proof", "verify_proof"] * 2
