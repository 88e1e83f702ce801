"""What already held under attack, pinned: no forged token is accepted by any operation that takes one,
revoked and signed-out tokens stay dead, and five wrong passwords lock the account whatever the flow.

The forgery table: ``alg: none``, HS256 keyed with the pool's public key (the key-confusion attack), tokens
signed by other keys (RSA with the pool's ``kid``, an embedded ``jwk``, EC), claims edited under the
original signature, an ID token where an access token belongs, tokens cut or padded, and an expired one.
Every one of them, at each of the eleven access-token operations, gets Cognito's NotAuthorizedException and
changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.engine.conftest import PASSWORD, Env, make_env

INVALID = "Invalid Access Token"


@pytest.fixture(scope="module")
def env(engine_and_clock) -> Env:
    return make_env(engine_and_clock, "forged", "email_default",
                    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                       "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


@pytest.fixture(scope="module")
def victim(env: Env) -> dict:
    """A user with a live session; the forgeries start from its genuine tokens."""
    env.confirmed_user("victim@example.com")
    env.confirmed_user("other@example.com")
    tokens = env.password_sign_in("victim@example.com")["AuthenticationResult"]
    other = env.password_sign_in("other@example.com")["AuthenticationResult"]
    return {"tokens": tokens, "other_sub": jwt.decode(other["AccessToken"], options={"verify_signature": False})["sub"]}


# --- building forgeries ------------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    pad = lambda text: base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))  # noqa: E731
    return json.loads(pad(header)), json.loads(pad(payload)), signature


def _join(header: dict, payload: dict, signature: str) -> str:
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(payload).encode()), signature])


def _hs256(header: dict, payload: dict, secret: bytes) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    return signing_input + "." + _b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


_OTHER_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_OTHER_EC = ec.generate_private_key(ec.SECP256R1())


def _public_pem(env: Env) -> bytes:
    jwks = _HTTP.get(f"{env.engine.endpoint}/{env.pool_id}/.well-known/jwks.json").json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


Forgery = Callable[[Env, str, dict], str]


def _edited(**changes: Any) -> Forgery:
    def forge(env: Env, token: str, victim: dict) -> str:
        header, payload, signature = _parts(token)
        payload.update({k: (victim["other_sub"] if v == "<other>" else v) for k, v in changes.items()})
        return _join(header, payload, signature)
    return forge


FORGERIES: dict[str, Forgery] = {
    "alg-none": lambda env, t, v: _join({**_parts(t)[0], "alg": "none"}, _parts(t)[1], ""),
    "alg-none-original-signature": lambda env, t, v: _join({**_parts(t)[0], "alg": "none"}, *_parts(t)[1:]),
    "alg-None-capitalised": lambda env, t, v: _join({**_parts(t)[0], "alg": "None"}, _parts(t)[1], ""),
    "hs256-with-the-public-key-pem": lambda env, t, v: _hs256({**_parts(t)[0], "alg": "HS256"}, _parts(t)[1],
                                                             _public_pem(env)),
    "hs256-with-the-kid": lambda env, t, v: _hs256({**_parts(t)[0], "alg": "HS256"}, _parts(t)[1],
                                                  _parts(t)[0]["kid"].encode()),
    "rs256-other-key-same-kid": lambda env, t, v: jwt.encode(_parts(t)[1], _OTHER_RSA, algorithm="RS256",
                                                             headers={"kid": _parts(t)[0]["kid"]}),
    "rs256-other-key-embedded-jwk": lambda env, t, v: jwt.encode(
        _parts(t)[1], _OTHER_RSA, algorithm="RS256",
        headers={"kid": _parts(t)[0]["kid"],
                 "jwk": json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(_OTHER_RSA.public_key()))}),
    "es256-other-key": lambda env, t, v: jwt.encode(_parts(t)[1], _OTHER_EC, algorithm="ES256",
                                                    headers={"kid": _parts(t)[0]["kid"]}),
    "edited-username": _edited(username="<other>", sub="<other>"),
    "edited-expiry": _edited(exp=4_102_444_800),
    "edited-scope": _edited(scope="aws.cognito.signin.user.admin openid profile"),
    "id-token-as-access-token": lambda env, t, v: v["tokens"]["IdToken"],
    "signature-cut": lambda env, t, v: t[: t.rindex(".") + 10],
    "extra-segment": lambda env, t, v: t + ".AAAA",
    "not-a-jwt": lambda env, t, v: "eyJhbGciOiJub25lIn0",
}

# Each operation that takes an access token, with the rest of a request it would accept.
OPERATIONS: dict[str, dict] = {
    "GetUser": {},
    "UpdateUserAttributes": {"UserAttributes": [{"Name": "name", "Value": "forged"}]},
    "DeleteUserAttributes": {"UserAttributeNames": ["name"]},
    "ChangePassword": {"PreviousPassword": PASSWORD, "ProposedPassword": "Forg3d-Passw0rd!"},
    "DeleteUser": {},
    "GlobalSignOut": {},
    "SetUserMFAPreference": {"SoftwareTokenMfaSettings": {"Enabled": False}},
    "AssociateSoftwareToken": {},
    "VerifySoftwareToken": {"UserCode": "123456"},
    "GetUserAttributeVerificationCode": {"AttributeName": "email"},
    "VerifyUserAttribute": {"AttributeName": "email", "Code": "123456"},
}


_HTTP = httpx.Client()  # one connection pool for the module (a client per call costs an SSL context each)


def _call(env: Env, operation: str, body: dict) -> tuple[int, dict]:
    response = _HTTP.post(env.engine.endpoint, json=body, headers={
        "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
        "Content-Type": "application/x-amz-json-1.1"})
    return response.status_code, response.json()


def _assert_untouched(env: Env, victim: dict) -> None:
    user = env.idp.get_user(AccessToken=victim["tokens"]["AccessToken"])  # the genuine session is still live
    assert {a["Name"] for a in user["UserAttributes"]} == {"sub", "email", "email_verified"}
    assert env.password_sign_in("victim@example.com")["AuthenticationResult"]  # same password, not locked


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_no_forged_access_token_is_accepted_anywhere(env: Env, victim: dict, forgery: str) -> None:
    forged = FORGERIES[forgery](env, victim["tokens"]["AccessToken"], victim)
    answers = {op: _call(env, op, {"AccessToken": forged, **extra}) for op, extra in OPERATIONS.items()}
    expected = (400, {"__type": "NotAuthorizedException", "message": INVALID})
    assert {op: answer for op, answer in answers.items() if answer != expected} == {}
    _assert_untouched(env, victim)


@pytest.mark.parametrize("forgery", ["alg-none", "hs256-with-the-public-key-pem", "rs256-other-key-same-kid",
                                     "edited-username", "edited-expiry"])
def test_no_forged_id_token_gets_an_identity(env: Env, victim: dict, forgery: str) -> None:
    forged = FORGERIES[forgery](env, victim["tokens"]["IdToken"], victim)
    issuer = f"{env.engine.endpoint}/{env.pool_id}".split("://", 1)[1]
    response = _HTTP.post(env.engine.endpoint, json={"IdentityPoolId": env.identity_pool_id, "Logins": {issuer: forged}},
                          headers={"X-Amz-Target": "AWSCognitoIdentityService.GetId",
                                   "Content-Type": "application/x-amz-json-1.1"})
    assert (response.status_code, response.json()) == (400, {
        "__type": "NotAuthorizedException",
        "message": "Invalid login token. Not a valid OpenId Connect identity token."})


@pytest.mark.parametrize("token", ["x", "a" * 2048, "eyJhbGciOiJub25lIn0.e30.", "<access-token>"])
def test_a_made_up_refresh_token_is_invalid(env: Env, victim: dict, token: str) -> None:
    token = victim["tokens"]["AccessToken"] if token == "<access-token>" else token
    body = {"ClientId": env.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": token}}
    assert _call(env, "InitiateAuth", body) == (400, {"__type": "NotAuthorizedException",
                                                     "message": "Invalid Refresh Token"})


# --- revoked and signed out -----------------------------------------------------------------------------------
def _assert_dead(env: Env, tokens: dict) -> None:
    with pytest.raises(ClientError, match="Access Token has been revoked"):
        env.idp.get_user(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError, match="Refresh Token has been revoked"):
        env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})


def test_an_admin_global_sign_out_kills_every_session_of_the_user_and_no_other(env: Env) -> None:
    env.confirmed_user("admin-out@example.com")
    env.confirmed_user("bystander@example.com")
    sessions = [env.password_sign_in("admin-out@example.com")["AuthenticationResult"] for _ in range(2)]
    bystander = env.password_sign_in("bystander@example.com")["AuthenticationResult"]
    env.idp.admin_user_global_sign_out(UserPoolId=env.pool_id, Username="admin-out@example.com")
    for tokens in sessions:
        _assert_dead(env, tokens)
    assert env.idp.get_user(AccessToken=bystander["AccessToken"])["Username"]
    fresh = env.password_sign_in("admin-out@example.com")["AuthenticationResult"]  # a new sign-in works again
    assert env.idp.get_user(AccessToken=fresh["AccessToken"])["Username"]


def test_a_revoked_refresh_token_kills_its_access_tokens_and_no_other_session(env: Env) -> None:
    env.confirmed_user("revoked@example.com")
    first = env.password_sign_in("revoked@example.com")["AuthenticationResult"]
    second = env.password_sign_in("revoked@example.com")["AuthenticationResult"]
    env.idp.revoke_token(Token=first["RefreshToken"], ClientId=env.client_id)
    _assert_dead(env, first)
    assert env.idp.get_user(AccessToken=second["AccessToken"])["Username"]


# --- lockout, whatever the flow -----------------------------------------------------------------------------------
def _password_flow(env: Env, email: str, password: str) -> Any:
    return env.password_sign_in(email, password)


def _admin_flow(env: Env, email: str, password: str) -> Any:
    return env.idp.admin_initiate_auth(UserPoolId=env.pool_id, ClientId=env.client_id,
                                       AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": email, "PASSWORD": password})


def _srp_flow(env: Env, email: str, password: str) -> Any:
    return env.srp_sign_in(email, password)


@pytest.mark.parametrize("flow", [_password_flow, _admin_flow, _srp_flow], ids=["user-password", "admin", "srp"])
def test_five_wrong_passwords_lock_the_account(env: Env, flow: Callable[[Env, str, str], Any]) -> None:
    email = f"lock-{flow.__name__.strip('_')}@example.com"
    env.confirmed_user(email)
    for _ in range(5):
        with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*Incorrect username or password\."):
            flow(env, email, "Wr0ng-password!")
    with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*Password attempts exceeded"):
        flow(env, email, PASSWORD)  # the right password, while locked
    env.clock.advance(1)  # the first lockout lasts one second
    assert flow(env, email, PASSWORD)["AuthenticationResult"]["AccessToken"]


def test_an_expired_access_token_is_refused_everywhere(env: Env, victim: dict) -> None:
    """Last in the module: it moves the clock past every token issued so far."""
    env.clock.advance(3601)
    expired = victim["tokens"]["AccessToken"]
    expected = (400, {"__type": "NotAuthorizedException", "message": "Access Token has expired"})
    answers = {op: _call(env, op, {"AccessToken": expired, **extra}) for op, extra in OPERATIONS.items()}
    assert {op: answer for op, answer in answers.items() if answer != expected} == {}
