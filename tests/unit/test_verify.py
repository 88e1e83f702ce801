"""amplify_py.verify with keys made here, served from a JWKS this test controls (httpx.MockTransport).

The table holds one bad token per way a token can be wrong; each is refused by
``verify`` and ``verify_async``, by the FastAPI dependency and by the Flask decorator,
with the right error, message and HTTP answer.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import RSAAlgorithm

from amplify_py.errors import AmpyUserError
from amplify_py.verify import errors as verify_errors
from amplify_py.verify import (
    CognitoJwtInvalidClientIdError,
    CognitoJwtInvalidGroupError,
    CognitoJwtInvalidTokenUseError,
    CognitoJwtVerifier,
    FetchError,
    JwkInvalidKtyError,
    JwkInvalidUseError,
    JwksCache,
    JwksValidationError,
    JwkValidationError,
    JwtExpiredError,
    JwtInvalidClaimError,
    JwtInvalidIssuedAtError,
    JwtInvalidIssuerError,
    JwtInvalidScopeError,
    JwtInvalidSignatureAlgorithmError,
    JwtInvalidSignatureError,
    JwtNotBeforeError,
    JwtParseError,
    JwtRejectedError,
    JwtVerificationError,
    JwtWithoutValidKidError,
    KidNotFoundInJwksError,
    NonRetryableFetchError,
    ParameterValidationError,
    WaitPeriodNotYetEndedJwkError,
)
from amplify_py.verify._http import bearer_token, challenge

POOL = "us-east-1_TestPool1"
CLIENT = "clientabc123"
ENDPOINT = "http://127.0.0.1:9325"
ISSUER = f"{ENDPOINT}/{POOL}"
JWKS_URI = f"{ISSUER}/.well-known/jwks.json"
NOW = 1_800_000_000  # 2027-01-15T08:00:00Z


# --- keys and tokens ------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _part(obj: Any) -> str:
    return _b64(json.dumps(obj, separators=(",", ":")).encode())


@dataclass
class Key:
    kid: str
    private: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwk(self, **extra: Any) -> dict:
        public = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {"alg": "RS256", "e": public["e"], "kid": self.kid, "kty": "RSA", "n": public["n"], "use": "sig", **extra}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass
class Keys:
    pool: Key
    rotated: Key
    attacker: Key


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(pool=Key("pool-key-1"), rotated=Key("pool-key-2"), attacker=Key("attacker"))


DROP: Any = object()  # a claim or header member to leave out


def access_claims(**changes: Any) -> dict:
    claims = {"sub": "0b5c3f1e-1111-4a5b-9c1d-000000000001", "iss": ISSUER, "client_id": CLIENT,
              "origin_jti": str(uuid.uuid4()), "event_id": str(uuid.uuid4()), "token_use": "access",
              "scope": "aws.cognito.signin.user.admin", "auth_time": NOW - 10, "iat": NOW - 10,
              "exp": NOW + 3590, "jti": str(uuid.uuid4()), "username": "0b5c3f1e-1111-4a5b-9c1d-000000000001"}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not DROP}


def id_claims(**changes: Any) -> dict:
    claims = access_claims(token_use="id", client_id=DROP, scope=DROP, username=DROP, aud=CLIENT,
                           **{"cognito:username": "0b5c3f1e-1111-4a5b-9c1d-000000000001", "email": "a@example.com",
                              "email_verified": True})
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not DROP}


def sign(key: Key, claims: dict, *, kid: Any = "", alg: str = "RS256", **header: Any) -> str:
    """An RS* token; kid defaults to the signing key's (pass DROP to leave it out)."""
    head = {"kid": key.kid if kid == "" else kid, **header}
    head = {k: v for k, v in head.items() if v is not DROP}
    return pyjwt.encode(claims, key.private, algorithm=alg, headers=head)


def raw_token(header: dict, payload: Any, signature: bytes = b"sig") -> str:
    return f"{_part(header)}.{_part(payload)}.{_b64(signature)}"


def hs256_with_public_key(key: Key, claims: dict) -> str:
    """The classic forgery: an HMAC 'signed' with the RSA public key that the JWKS publishes."""
    head = _part({"alg": "HS256", "kid": key.kid, "typ": "JWT"})
    body = _part(claims)
    mac = hmac.new(key.public_pem(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(mac)}"


def duplicate_claim_token(key: Key) -> str:
    """A payload with iss twice: parsers that keep the first and the last would read different issuers."""
    body = json.dumps(access_claims())[:-1] + ', "iss": "https://evil.example/x"}'
    return f"{_part({'alg': 'RS256', 'kid': key.kid})}.{_b64(body.encode())}.c2ln"


def tamper(token: str, **changes: Any) -> str:
    """The same signature over a payload changed after signing."""
    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(changes)
    return f"{head}.{_part(payload)}.{sig}"


# --- the JWKS endpoint -----------------------------------------------------------------------------

class JwksServer:
    """A JWKS endpoint: counts requests, can be rotated, can fail."""

    def __init__(self, jwks: dict) -> None:
        self.jwks = jwks
        self.requests: list[str] = []
        self.status = 200
        self.body: bytes | None = None
        self.connect_failures = 0
        self.delay = 0.0
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(str(request.url))
        if self.connect_failures:
            self.connect_failures -= 1
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if self.delay:
            time.sleep(self.delay)
        if self.body is not None:
            return httpx.Response(self.status, content=self.body)
        return httpx.Response(self.status, json=self.jwks)


class ManualClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def odd_jwks(keys: Keys) -> list[dict]:
    """JWKs the verifier must refuse to use (selected by kid from tokens signed with the pool key)."""
    base = keys.pool.jwk()
    curve = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    return [
        {**base, "kid": "enc-key", "use": "enc"},
        {"kty": "EC", "crv": "P-256", "kid": "ec-key", "x": _b64(curve.x.to_bytes(32, "big")),
         "y": _b64(curve.y.to_bytes(32, "big")), "use": "sig"},
        {**base, "kid": "rs512-key", "alg": "RS512"},
        {k: v for k, v in base.items() if k != "n"} | {"kid": "no-n-key"},
    ]


@pytest.fixture
def server(keys: Keys) -> JwksServer:
    return JwksServer({"keys": [keys.pool.jwk(), *odd_jwks(keys)]})


@pytest.fixture
def penalty_clock() -> ManualClock:
    return ManualClock(1000.0)


@pytest.fixture
def make_verifier(server: JwksServer, penalty_clock: ManualClock) -> Callable[..., CognitoJwtVerifier]:
    def make(**options: Any) -> CognitoJwtVerifier:
        settings: dict[str, Any] = {"client_id": CLIENT, "token_use": "access", "user_pool_endpoint": ENDPOINT}
        settings.update(options)
        settings.setdefault("jwks_cache", JwksCache(transport=server.transport, clock=penalty_clock))
        return CognitoJwtVerifier(POOL, clock=lambda: NOW, **settings)

    return make


def unanchored(pattern: str) -> str:
    """str() of a project error is "[Name] message\nResolution: ...": the message pattern, anchored inside it."""
    if pattern.startswith("^"):
        pattern = r"\] " + pattern[1:]
    if pattern.endswith("$"):
        pattern = pattern[:-1] + r"\n"
    return pattern


def run_verify(verifier: CognitoJwtVerifier, token: str, mode: str, **overrides: Any) -> dict:
    if mode == "sync":
        return verifier.verify(token, **overrides)
    return asyncio.run(verifier.verify_async(token, **overrides))


# --- the table -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bad:
    id: str
    token: Callable[[Keys], str]
    error: type[JwtRejectedError]
    match: str
    verifier: dict = field(default_factory=dict)
    fetches: int = 1  # JWKS downloads on a cold cache (0: refused before any key is looked at)


def _iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


BAD = [
    # forged and tampered
    Bad("forged: attacker's key under the pool's kid", lambda k: sign(k.attacker, access_claims(), kid=k.pool.kid),
        JwtInvalidSignatureError, r"^Invalid signature$"),
    Bad("tampered payload: a group added after signing",
        lambda k: tamper(sign(k.pool, access_claims()), **{"cognito:groups": ["ADMINS"]}),
        JwtInvalidSignatureError, r"^Invalid signature$"),
    Bad("tampered payload: exp extended after signing",
        lambda k: tamper(sign(k.pool, access_claims(exp=NOW - 60)), exp=NOW + 86400),
        JwtInvalidSignatureError, r"^Invalid signature$"),
    Bad("truncated signature", lambda k: sign(k.pool, access_claims())[:-10],
        JwtInvalidSignatureError, r"^Invalid signature$"),
    # algorithms
    Bad("alg none without a signature", lambda k: raw_token({"alg": "none", "kid": k.pool.kid}, access_claims())[:-4],
        JwtParseError, r"does not consist of exactly 3 parts", fetches=0),
    Bad("alg none with a signature part", lambda k: raw_token({"alg": "none", "kid": k.pool.kid}, access_claims()),
        JwtInvalidSignatureAlgorithmError, r"^JWT signature algorithm not allowed: none\. Expected: RS256$", fetches=0),
    Bad("HS256 signed with the pool's public key as secret", lambda k: hs256_with_public_key(k.pool, access_claims()),
        JwtInvalidSignatureAlgorithmError, r"^JWT signature algorithm not allowed: HS256\. Expected: RS256$", fetches=0),
    Bad("RS512", lambda k: sign(k.pool, access_claims(), alg="RS512"),
        JwtInvalidSignatureAlgorithmError, r"not allowed: RS512\. Expected: RS256$", fetches=0),
    Bad("no alg", lambda k: raw_token({"kid": k.pool.kid}, access_claims()),
        JwtInvalidSignatureAlgorithmError, r"^Missing JWT signature algorithm\. Expected: RS256$", fetches=0),
    # keys
    Bad("unknown kid", lambda k: sign(k.attacker, access_claims()),
        KidNotFoundInJwksError, r'^JWK for kid "attacker" not found in the JWKS at http://127\.0\.0\.1:9325/'),
    Bad("no kid", lambda k: sign(k.pool, access_claims(), kid=DROP),
        JwtWithoutValidKidError, r"^JWT header does not have valid kid claim$", fetches=0),
    Bad("JWK with use enc", lambda k: sign(k.pool, access_claims(), kid="enc-key"),
        JwkInvalidUseError, r"^JWK use not allowed: enc\. Expected: sig$"),
    Bad("JWK of kty EC", lambda k: sign(k.pool, access_claims(), kid="ec-key"),
        JwkInvalidKtyError, r"^JWK kty not allowed: EC\. Expected: RSA$"),
    Bad("JWK whose alg is RS512", lambda k: sign(k.pool, access_claims(), kid="rs512-key"),
        JwtInvalidSignatureAlgorithmError, r"not allowed: RS256\. Expected: RS512 \(the alg of JWK rs512-key\)$"),
    Bad("JWK without modulus", lambda k: sign(k.pool, access_claims(), kid="no-n-key"),
        JwkValidationError, r"^Missing modulus \(n\)$"),
    # time
    Bad("expired", lambda k: sign(k.pool, access_claims(iat=NOW - 3700, exp=NOW - 100)),
        JwtExpiredError, rf"^Token expired at {_iso(NOW - 100)}$"),
    Bad("expired exactly at the end of the grace period", lambda k: sign(k.pool, access_claims(exp=NOW - 5)),
        JwtExpiredError, rf"^Token expired at {_iso(NOW - 5)}$"),
    Bad("no exp", lambda k: sign(k.pool, access_claims(exp=DROP)),
        JwtInvalidClaimError, r"^Missing Expiration \(exp\)"),
    Bad("not before a time still to come", lambda k: sign(k.pool, access_claims(nbf=NOW + 60)),
        JwtNotBeforeError, rf"^Token can't be used before {_iso(NOW + 60)}$"),
    Bad("issued in the future", lambda k: sign(k.pool, access_claims(iat=NOW + 60)),
        JwtInvalidIssuedAtError, rf"^Token issued in the future: iat is {_iso(NOW + 60)}$"),
    Bad("no iat", lambda k: sign(k.pool, access_claims(iat=DROP)),
        JwtInvalidIssuedAtError, r"^Missing Issued at \(iat\)"),
    # issuer
    Bad("wrong issuer: another pool", lambda k: sign(k.pool, access_claims(iss=f"{ENDPOINT}/us-east-1_Other")),
        JwtInvalidIssuerError, rf"^Issuer not allowed: {ENDPOINT}/us-east-1_Other\. Expected: {ISSUER}$", fetches=0),
    Bad("wrong issuer: Cognito's, for the same pool",
        lambda k: sign(k.pool, access_claims(iss=f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}")),
        JwtInvalidIssuerError, r"^Issuer not allowed: https://cognito-idp\.us-east-1\.amazonaws\.com/", fetches=0),
    Bad("no issuer", lambda k: sign(k.pool, access_claims(iss=DROP)),
        JwtInvalidIssuerError, rf"^Missing Issuer\. Expected: {ISSUER}$", fetches=0),
    # audience / client
    Bad("wrong client_id", lambda k: sign(k.pool, access_claims(client_id="someoneelse")),
        CognitoJwtInvalidClientIdError, rf"^Client ID not allowed: someoneelse\. Expected: {CLIENT}$"),
    Bad("access token without client_id", lambda k: sign(k.pool, access_claims(client_id=DROP, aud=CLIENT)),
        CognitoJwtInvalidClientIdError, rf"^Missing Client ID\. Expected: {CLIENT}$"),
    Bad("wrong aud on an ID token", lambda k: sign(k.pool, id_claims(aud="someoneelse")),
        CognitoJwtInvalidClientIdError, r'^Client ID \("audience"\) not allowed: someoneelse\.',
        verifier={"token_use": "id"}),
    Bad("ID token with aud as a list", lambda k: sign(k.pool, id_claims(aud=[CLIENT])),
        CognitoJwtInvalidClientIdError, r'^Client ID \("audience"\) is not of type string$',
        verifier={"token_use": "id"}),
    # token use
    Bad("ID token to an access-token verifier", lambda k: sign(k.pool, id_claims()),
        CognitoJwtInvalidTokenUseError, r"^Token use not allowed: id\. Expected: access$"),
    Bad("access token to an ID-token verifier", lambda k: sign(k.pool, access_claims()),
        CognitoJwtInvalidTokenUseError, r"^Token use not allowed: access\. Expected: id$", verifier={"token_use": "id"}),
    Bad("token_use refresh", lambda k: sign(k.pool, access_claims(token_use="refresh")),
        CognitoJwtInvalidTokenUseError, r"^Token use not allowed: refresh\. Expected one of: id, access$",
        verifier={"token_use": None}),
    Bad("no token_use", lambda k: sign(k.pool, access_claims(token_use=DROP)),
        CognitoJwtInvalidTokenUseError, r"^Missing Token use\. Expected one of: id, access$"),
    # malformed
    Bad("not a JWT", lambda k: "not-a-jwt", JwtParseError, r"exactly 3 parts", fetches=0),
    Bad("base64 padding", lambda k: sign(k.pool, access_claims()) + "==", JwtParseError, r"exactly 3 parts", fetches=0),
    Bad("header is not JSON", lambda k: f"{_b64(b'{nope')}.{_part(access_claims())}.c2ln",
        JwtParseError, r"^Invalid JWT\. Header is not a valid JSON object", fetches=0),
    Bad("payload is an array", lambda k: raw_token({"alg": "RS256", "kid": k.pool.kid}, [1, 2]),
        JwtParseError, r"^JWT payload is not an object$", fetches=0),
    Bad("exp is a string", lambda k: sign(k.pool, access_claims(exp=str(NOW + 100))),
        JwtParseError, r"^JWT payload exp claim is not a number$", fetches=0),
    Bad("exp is a boolean", lambda k: sign(k.pool, access_claims(exp=True)),
        JwtParseError, r"^JWT payload exp claim is not a number$", fetches=0),
    Bad("the same claim twice", lambda k: duplicate_claim_token(k.pool),
        JwtParseError, r"duplicate member 'iss'", fetches=0),
    Bad("critical header extension", lambda k: sign(k.pool, access_claims(), crit=["exp"]),
        JwtParseError, r"^JWT header has crit extensions", fetches=0),
    Bad("groups is a string", lambda k: sign(k.pool, access_claims(**{"cognito:groups": "ADMINS"})),
        JwtParseError, r"cognito:groups claim is not an array of strings", fetches=0),
    # authorization
    Bad("no groups, ADMINS required", lambda k: sign(k.pool, access_claims()),
        CognitoJwtInvalidGroupError, r"^Missing Cognito group\. Expected: ADMINS$", verifier={"groups": "ADMINS"}),
    Bad("other groups, ADMINS required", lambda k: sign(k.pool, access_claims(**{"cognito:groups": ["EDITORS"]})),
        CognitoJwtInvalidGroupError, r"^Cognito group not allowed: EDITORS\. Expected: ADMINS$",
        verifier={"groups": ["ADMINS"]}),
    Bad("no scope claim, a scope required", lambda k: sign(k.pool, access_claims(scope=DROP)),
        JwtInvalidScopeError, r"^Missing Scope\. Expected: api/read$", verifier={"scopes": "api/read"}),
    Bad("other scopes", lambda k: sign(k.pool, access_claims()),
        JwtInvalidScopeError, r"^Scope not allowed: aws\.cognito\.signin\.user\.admin\. Expected one of: api/read, api/write$",
        verifier={"scopes": ["api/read", "api/write"]}),
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_every_bad_token_is_refused(bad: Bad, mode: str, keys: Keys, server: JwksServer, make_verifier) -> None:
    verifier = make_verifier(**bad.verifier)
    token = bad.token(keys)
    with pytest.raises(bad.error, match=unanchored(bad.match)) as caught:
        run_verify(verifier, token, mode)
    error = caught.value
    assert re.search(bad.match, error.message)
    assert type(error) is bad.error
    assert isinstance(error, JwtRejectedError) and isinstance(error, AmpyUserError)
    assert error.name == bad.error.__name__ and error.resolution
    assert len(server.requests) == bad.fetches
    expected_code = "insufficient_scope" if bad.error in (CognitoJwtInvalidGroupError, JwtInvalidScopeError) else "invalid_token"
    assert error.oauth_error == expected_code


def test_the_table_covers_every_check() -> None:
    covered = {bad.error for bad in BAD}
    rejected = {cls for cls in vars(verify_errors).values()
                if isinstance(cls, type) and issubclass(cls, JwtRejectedError)}
    not_raised_by_the_verifier = {JwtRejectedError, WaitPeriodNotYetEndedJwkError}  # the latter: the flood test
    assert rejected - covered - not_raised_by_the_verifier == set()


# --- good tokens -----------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["sync", "async"])
def test_good_access_and_id_tokens_give_their_claims(mode: str, keys: Keys, server: JwksServer, make_verifier) -> None:
    claims = access_claims(**{"cognito:groups": ["EDITORS"]})
    assert run_verify(make_verifier(), sign(keys.pool, claims), mode) == claims
    id_token_claims = id_claims()
    assert run_verify(make_verifier(token_use="id"), sign(keys.pool, id_token_claims), mode) == id_token_claims
    either = make_verifier(token_use=None)
    assert run_verify(either, sign(keys.pool, claims), mode)["token_use"] == "access"
    assert run_verify(either, sign(keys.pool, id_token_claims), mode)["token_use"] == "id"


def test_the_jwks_is_downloaded_once_and_kept(keys: Keys, server: JwksServer, make_verifier) -> None:
    verifier = make_verifier()
    for _ in range(5):
        verifier.verify(sign(keys.pool, access_claims()))
    asyncio.run(verifier.verify_async(sign(keys.pool, access_claims())))
    assert server.requests == [JWKS_URI]


def test_clients_groups_and_scopes_accept_any_one_of_a_list(keys: Keys, make_verifier) -> None:
    token = sign(keys.pool, access_claims(scope="api/read openid", **{"cognito:groups": ["EDITORS", "READERS"]}))
    verifier = make_verifier(client_id=["other", CLIENT], groups=["ADMINS", "EDITORS"], scopes=["api/write", "api/read"])
    assert verifier.verify(token)["cognito:groups"] == ["EDITORS", "READERS"]
    assert make_verifier(client_id=None).verify(sign(keys.pool, access_claims(client_id="any")))["client_id"] == "any"


def test_grace_seconds_allow_a_little_clock_skew(keys: Keys, make_verifier) -> None:
    skewed = sign(keys.pool, access_claims(iat=NOW + 4, exp=NOW - 4, nbf=NOW + 4))
    assert make_verifier().verify(skewed)["exp"] == NOW - 4  # default: 5 s
    with pytest.raises(JwtExpiredError, match=unanchored(rf"^Token expired at {_iso(NOW - 4)}$")):
        make_verifier(grace_seconds=0).verify(skewed)
    at_exp = sign(keys.pool, access_claims(exp=NOW))
    with pytest.raises(JwtExpiredError, match="Token expired"):  # RFC 7519: valid only before exp
        make_verifier(grace_seconds=0).verify(at_exp)


def test_settings_can_be_overridden_per_call(keys: Keys, make_verifier) -> None:
    verifier = make_verifier()
    token = sign(keys.pool, access_claims(**{"cognito:groups": ["EDITORS"]}))
    assert verifier.verify(token)["client_id"] == CLIENT
    with pytest.raises(CognitoJwtInvalidGroupError, match=unanchored(r"^Cognito group not allowed: EDITORS\. Expected: ADMINS$")):
        verifier.verify(token, groups="ADMINS")
    with pytest.raises(CognitoJwtInvalidTokenUseError, match=unanchored(r"Expected: id$")):
        asyncio.run(verifier.verify_async(token, token_use="id"))
    assert make_verifier(groups="ADMINS").verify(token, groups=None)["sub"]
    with pytest.raises(ParameterValidationError, match=unanchored(r"^scopes can only be checked on access tokens")):
        verifier.verify(token, token_use="id", scopes="x")


def test_a_verifier_error_message_tells_the_developer_what_to_do(keys: Keys, make_verifier) -> None:
    with pytest.raises(CognitoJwtInvalidTokenUseError) as caught:
        make_verifier().verify(sign(keys.pool, id_claims()))
    assert caught.value.resolution.startswith("This is an ID token, but the verifier accepts an access token only: send tokens.access_token")
    with pytest.raises(JwtInvalidIssuerError) as caught:
        make_verifier().verify(sign(keys.pool, access_claims(iss=f"http://127.0.0.1:9999/{POOL}")))
    assert "issued by http://127.0.0.1:9999 while this verifier trusts http://127.0.0.1:9325" in caught.value.resolution
    assert "another port?" in caught.value.resolution
    cognito = make_verifier(user_pool_endpoint=None)
    with pytest.raises(JwtInvalidIssuerError) as caught:
        cognito.verify(sign(keys.pool, access_claims()))
    assert "a token from the local engine sent to a verifier for Cognito" in caught.value.resolution
    assert str(caught.value).startswith(f"[JwtInvalidIssuerError] Issuer not allowed: {ISSUER}. Expected: https://cognito-idp.")


# --- custom checks and raw JWTs --------------------------------------------------------------------

def test_custom_check_sees_header_payload_and_jwk_and_can_refuse(keys: Keys, make_verifier) -> None:
    seen: list[tuple[str, str, str]] = []

    def only_verified_emails(*, header: dict, payload: dict, jwk: dict) -> None:
        seen.append((header["kid"], payload["token_use"], jwk["kid"]))
        if payload.get("email_verified") is not True:
            raise JwtInvalidClaimError("Email not verified", payload.get("email_verified"), "true")

    verifier = make_verifier(token_use="id", custom_jwt_check=only_verified_emails)
    assert verifier.verify(sign(keys.pool, id_claims()))["email"] == "a@example.com"
    with pytest.raises(JwtInvalidClaimError, match=unanchored(r"^Email not verified$")) as caught:
        verifier.verify(sign(keys.pool, id_claims(email_verified=False)))
    assert caught.value.raw_jwt is None and caught.value.actual is False
    assert seen == [("pool-key-1", "id", "pool-key-1")] * 2


def test_custom_check_errors_of_your_own_pass_through(keys: Keys, make_verifier) -> None:
    def boom(**_: Any) -> None:
        raise LookupError("user is banned")

    with pytest.raises(LookupError, match=r"^user is banned$"):
        make_verifier(custom_jwt_check=boom).verify(sign(keys.pool, access_claims()))


def test_async_custom_check_needs_verify_async(keys: Keys, make_verifier) -> None:
    calls: list[str] = []

    async def lookup(*, header: dict, payload: dict, jwk: dict) -> None:
        await asyncio.sleep(0)
        calls.append(payload["sub"])

    verifier = make_verifier(custom_jwt_check=lookup)
    token = sign(keys.pool, access_claims())
    assert asyncio.run(verifier.verify_async(token))["sub"] == calls[0]
    with pytest.raises(ParameterValidationError, match=unanchored(r"^custom_jwt_check must be synchronous with verify\(\)")):
        verifier.verify(token)
    assert len(calls) == 1


def test_include_raw_jwt_in_errors_only_after_the_signature_is_valid(keys: Keys, make_verifier) -> None:
    expired = sign(keys.pool, access_claims(exp=NOW - 100))
    with pytest.raises(JwtExpiredError, match="Token expired") as caught:
        make_verifier().verify(expired)
    assert caught.value.raw_jwt is None
    peeking = make_verifier(include_raw_jwt_in_errors=True)
    with pytest.raises(JwtExpiredError, match="Token expired") as caught:
        peeking.verify(expired)
    assert caught.value.raw_jwt.payload["exp"] == NOW - 100 and caught.value.raw_jwt.header["kid"] == "pool-key-1"
    with pytest.raises(CognitoJwtInvalidGroupError, match="Missing Cognito group") as caught:
        asyncio.run(peeking.verify_async(sign(keys.pool, access_claims()), groups="ADMINS"))
    assert caught.value.raw_jwt.payload["client_id"] == CLIENT
    with pytest.raises(JwtInvalidIssuerError, match="Issuer not allowed") as caught:  # refused before the signature
        peeking.verify(sign(keys.pool, access_claims(iss="https://evil.example/x")))
    assert caught.value.raw_jwt is None


# --- key rotation and the JWKS endpoint ------------------------------------------------------------

def test_a_new_kid_triggers_one_download(keys: Keys, server: JwksServer, make_verifier) -> None:
    verifier = make_verifier()
    verifier.verify(sign(keys.pool, access_claims()))
    server.jwks = {"keys": [keys.pool.jwk(), keys.rotated.jwk()]}  # Cognito publishes a new key
    for _ in range(3):
        assert verifier.verify(sign(keys.rotated, access_claims()))["sub"]
    assert verifier.verify(sign(keys.pool, access_claims()))["sub"]
    assert server.requests == [JWKS_URI, JWKS_URI]


def test_a_flood_of_unknown_kids_does_not_hammer_the_endpoint(
    keys: Keys, server: JwksServer, make_verifier, penalty_clock: ManualClock
) -> None:
    verifier = make_verifier()
    verifier.verify(sign(keys.pool, access_claims()))
    with pytest.raises(KidNotFoundInJwksError, match=unanchored(r'^JWK for kid "forged-0" not found')):
        verifier.verify(sign(keys.attacker, access_claims(), kid="forged-0"))
    for i in range(1, 50):
        with pytest.raises(WaitPeriodNotYetEndedJwkError, match=unanchored(rf'^JWK for kid "forged-{i}" is not in the cached JWKS.*still waiting for back off period to end$')):
            run_verify(verifier, sign(keys.attacker, access_claims(), kid=f"forged-{i}"), "sync" if i % 2 else "async")
    assert verifier.verify(sign(keys.pool, access_claims()))["sub"]  # known keys keep working
    assert len(server.requests) == 2

    penalty_clock.now += 9
    with pytest.raises(WaitPeriodNotYetEndedJwkError, match="still waiting"):
        verifier.verify(sign(keys.attacker, access_claims()))
    penalty_clock.now += 1  # the 10 s wait period is over: one more download
    server.jwks = {"keys": [keys.pool.jwk(), keys.rotated.jwk()]}
    assert verifier.verify(sign(keys.rotated, access_claims()))["sub"]
    with pytest.raises(KidNotFoundInJwksError, match="not found"):  # a miss right after a hit: allowed to look once
        verifier.verify(sign(keys.attacker, access_claims(), kid="forged-again"))
    assert len(server.requests) == 4


def test_concurrent_coroutines_share_one_download(keys: Keys, server: JwksServer, make_verifier) -> None:
    verifier = make_verifier()
    tokens = [sign(keys.pool, access_claims(jti=str(i))) for i in range(20)]

    async def all_at_once() -> list[dict]:
        return await asyncio.gather(*(verifier.verify_async(t) for t in tokens))

    assert [c["jti"] for c in asyncio.run(all_at_once())] == [str(i) for i in range(20)]
    assert server.requests == [JWKS_URI]


def test_concurrent_threads_share_one_download(keys: Keys, server: JwksServer, make_verifier) -> None:
    verifier = make_verifier()
    server.delay = 0.05  # keep the first download in flight while the other threads arrive
    results: list[str] = []
    tokens = [sign(keys.pool, access_claims(jti=str(i))) for i in range(8)]
    threads = [threading.Thread(target=lambda t=t: results.append(verifier.verify(t)["jti"])) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted(str(i) for i in range(8))
    assert server.requests == [JWKS_URI]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_jwks_download_failures(mode: str, keys: Keys, server: JwksServer, make_verifier) -> None:
    token = sign(keys.pool, access_claims())
    server.status = 404
    with pytest.raises(NonRetryableFetchError, match=unanchored(rf"^Failed to fetch {JWKS_URI}: Status code is 404, expected 200$")) as caught:
        run_verify(make_verifier(), token, mode)
    assert not isinstance(caught.value, JwtRejectedError) and "pool is deployed" in caught.value.resolution
    assert len(server.requests) == 1  # no retry on an answer

    server.status, server.connect_failures = 200, 2
    server.requests.clear()
    with pytest.raises(FetchError, match=unanchored(rf"^Failed to fetch {JWKS_URI}: \[Errno 111\] Connection refused$")):
        run_verify(make_verifier(), token, mode)
    assert len(server.requests) == 2  # one immediate retry

    server.connect_failures = 1
    server.requests.clear()
    assert run_verify(make_verifier(), token, mode)["sub"]
    assert len(server.requests) == 2

    for body, message in [(b"<html>", r"could not be parsed as JSON"), (b'{"keys": {}}', r"keys at .* should be an array"),
                          (b"[]", r"should be an object"), (b'{"keys": [{"kid": "x"}]}', r"JWK #0 at .*: kty should be a string"),
                          (b'{"keys": [{"kty": "RSA", "n": 5}]}', r"JWK #0 at .*: n should be a string"),
                          (b'{"other": 1}', r"does not include keys")]:
        server.body = body
        with pytest.raises(JwksValidationError, match=unanchored(message)):
            run_verify(make_verifier(), token, mode)


def test_cache_jwks_and_hydrate(keys: Keys, server: JwksServer, make_verifier) -> None:
    offline = make_verifier()
    offline.cache_jwks({"keys": [keys.pool.jwk()]})
    assert offline.verify(sign(keys.pool, access_claims()))["sub"]
    assert server.requests == []
    offline.hydrate()
    asyncio.run(offline.hydrate_async())
    assert server.requests == [JWKS_URI, JWKS_URI]  # hydrate always downloads
    with pytest.raises(JwksValidationError, match="should be an array"):
        offline.cache_jwks({"keys": "nope"})


def test_verifiers_can_share_a_cache(keys: Keys, server: JwksServer, make_verifier) -> None:
    shared = JwksCache(transport=server.transport)
    access, identity = make_verifier(jwks_cache=shared), make_verifier(token_use="id", jwks_cache=shared)
    access.verify(sign(keys.pool, access_claims()))
    identity.verify(sign(keys.pool, id_claims()))
    assert server.requests == [JWKS_URI] and shared.cached_jwks(JWKS_URI)["keys"][0]["kid"] == "pool-key-1"


# --- building verifiers ----------------------------------------------------------------------------

def test_issuer_and_jwks_uri_for_cognito_and_the_local_engine() -> None:
    cognito = CognitoJwtVerifier("eu-west-1_AbC123", client_id="c", token_use="access")
    assert cognito.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    assert cognito.jwks_uri == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json"
    assert cognito.region == "eu-west-1"
    gov = CognitoJwtVerifier("us-gov-west-1_x1", client_id="c", token_use="id", region="us-gov-west-1")
    assert gov.issuer == "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_x1"
    local = CognitoJwtVerifier(POOL, client_id="c", token_use="access", user_pool_endpoint="http://127.0.0.1:9325/")
    assert (local.issuer, local.jwks_uri) == (ISSUER, JWKS_URI)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"user_pool_id": "mypool"}, r"^Invalid Cognito User Pool ID: 'mypool'$"),
    ({"region": "eu-west-1"}, rf"^region 'eu-west-1' does not match user pool {POOL}, which is in us-east-1$"),
    ({"token_use": "refresh"}, r"^token_use must be 'access', 'id' or None \(either\), not 'refresh'$"),
    ({"token_use": "id", "scopes": ["api/read"]}, r"^scopes can only be checked on access tokens, but token_use is 'id'$"),
    ({"groups": []}, r"^groups must be a string or a non-empty list of strings, or None to skip the check; got \[\]$"),
    ({"client_id": ["a", 3]}, r"^client_id must be a string or a non-empty list"),
    ({"grace_seconds": -1}, r"^grace_seconds must be a number of seconds >= 0, not -1$"),
    ({"custom_jwt_check": "yes"}, r"^custom_jwt_check must be a function, not 'yes'$"),
    ({"user_pool_endpoint": "127.0.0.1:9325"}, r"^user_pool_endpoint must be an http\(s\) URL"),
])
def test_a_misconfigured_verifier_says_what_to_fix(kwargs: dict, message: str) -> None:
    settings = {"user_pool_id": POOL, "client_id": CLIENT, "token_use": "access", **kwargs}
    with pytest.raises(ParameterValidationError, match=unanchored(message)) as caught:
        CognitoJwtVerifier(settings.pop("user_pool_id"), **settings)
    assert isinstance(caught.value, JwtVerificationError) and not isinstance(caught.value, JwtRejectedError)
    assert caught.value.resolution


def test_client_id_and_token_use_must_be_given() -> None:
    with pytest.raises(TypeError, match="missing 2 required keyword-only arguments: 'client_id' and 'token_use'"):
        CognitoJwtVerifier(POOL)  # type: ignore[call-arg]


def _outputs(**custom: Any) -> dict:
    outputs: dict[str, Any] = {"auth": {"user_pool_id": POOL, "user_pool_client_id": CLIENT, "aws_region": "us-east-1"},
                               "version": "1.5"}
    if custom:
        outputs["custom"] = custom
    return outputs


def test_from_outputs_picks_the_local_engine_when_the_outputs_name_it(tmp_path: Path) -> None:
    local = CognitoJwtVerifier.from_outputs(_outputs(local_engine={"user_pool_endpoint": ENDPOINT}), token_use="access")
    assert (local.issuer, local.token_use) == (ISSUER, "access")
    cognito = CognitoJwtVerifier.from_outputs(_outputs(), token_use="id", groups="ADMINS")
    assert cognito.issuer == f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
    path = tmp_path / "amplify_outputs.json"
    path.write_text(json.dumps(_outputs(local_engine={"user_pool_endpoint": ENDPOINT + "/"})))
    assert CognitoJwtVerifier.from_outputs(path, token_use="access").issuer == ISSUER
    assert CognitoJwtVerifier.from_outputs(str(path), token_use="access", client_id=["a", "b"]).issuer == ISSUER


def test_from_outputs_uses_the_outputs_client(keys: Keys, server: JwksServer) -> None:
    verifier = CognitoJwtVerifier.from_outputs(_outputs(local_engine={"user_pool_endpoint": ENDPOINT}), token_use="access",
                                               jwks_cache=JwksCache(transport=server.transport), clock=lambda: NOW)
    assert verifier.verify(sign(keys.pool, access_claims()))["client_id"] == CLIENT
    with pytest.raises(CognitoJwtInvalidClientIdError, match="Client ID not allowed: other"):
        verifier.verify(sign(keys.pool, access_claims(client_id="other")))


@pytest.mark.parametrize(("content", "message"), [
    (None, r"amplify_outputs\.json does not exist$"),
    ("{not json", r"could not be read as JSON"),
    ("[]", r"is not a JSON object$"),
    ('{"version": "1.5"}', r"^amplify_outputs\.json has no auth\.user_pool_id$"),
    (json.dumps({"auth": {"user_pool_id": POOL}}), r"^amplify_outputs\.json has no auth\.user_pool_client_id$"),
    (json.dumps({"auth": {"user_pool_id": POOL, "user_pool_client_id": "c", "aws_region": "eu-west-1"}}),
     r"^region 'eu-west-1' does not match"),
])
def test_from_outputs_errors(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "amplify_outputs.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ParameterValidationError, match=unanchored(message)) as caught:
        CognitoJwtVerifier.from_outputs(path, token_use="access")
    assert caught.value.resolution


# --- RFC 6750 answers ------------------------------------------------------------------------------

def test_bearer_token_parsing() -> None:
    assert bearer_token("Bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer_token("bearer   abc ") == "abc"
    assert [bearer_token(v) for v in (None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwdw==", "Token abc")] == [None] * 6


def test_challenges() -> None:
    assert challenge(None) == challenge(None, realm=None)
    assert challenge(None).www_authenticate == "Bearer" and challenge(None).status == 401
    assert challenge(None, realm="api").www_authenticate == 'Bearer realm="api"'
    quoted = challenge(CognitoJwtInvalidClientIdError('Client ID ("audience") not allowed: x"\\\r\n\u00e9', "x", "c"))
    assert quoted.www_authenticate == (
        "Bearer error=\"invalid_token\", error_description=\"Client ID ('audience') not allowed: x'????\""
    )
    scope = challenge(JwtInvalidScopeError("Missing Scope. Expected one of: a, b", None, ["api/read", 'x"y']), realm="r")
    assert (scope.status, scope.error) == (403, "insufficient_scope")
    assert scope.www_authenticate == (
        'Bearer realm="r", error="insufficient_scope", error_description="Missing Scope. Expected one of: a, b", '
        'scope="api/read xy"'
    )
    long = challenge(JwtParseError("x" * 1000))
    assert len(long.description) == 300 and long.description.endswith("...")


# --- FastAPI and Flask -----------------------------------------------------------------------------

def _expected_answer(bad: Bad) -> tuple[int, str]:
    code = "insufficient_scope" if bad.error in (CognitoJwtInvalidGroupError, JwtInvalidScopeError) else "invalid_token"
    return (403 if code == "insufficient_scope" else 401), code


@pytest.fixture
def fastapi_app(make_verifier):
    from fastapi import Depends, FastAPI

    from amplify_py.verify.fastapi import CognitoAuth

    def build(**verifier_options: Any):
        verifier = make_verifier(**verifier_options)
        app = FastAPI()

        @app.get("/me")
        async def me(claims: dict = Depends(CognitoAuth(verifier, realm="tests"))) -> dict:
            return {"sub": claims["sub"], "token_use": claims["token_use"]}

        @app.get("/admin")
        def admin(claims: dict = Depends(CognitoAuth(verifier, groups="ADMINS"))) -> dict:
            return {"groups": claims["cognito:groups"]}

        @app.get("/maybe")
        async def maybe(claims: dict | None = Depends(CognitoAuth(verifier, auto_error=False))) -> dict:
            return {"signed_in": claims is not None}

        return app

    return build


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_fastapi_refuses_every_bad_token(bad: Bad, keys: Keys, fastapi_app) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(fastapi_app(**bad.verifier))
    response = client.get("/me", headers={"Authorization": f"Bearer {bad.token(keys)}"})
    status, code = _expected_answer(bad)
    assert response.status_code == status
    header = response.headers["WWW-Authenticate"]
    assert header.startswith(f'Bearer realm="tests", error="{code}", error_description="')
    detail = response.json()["detail"]
    assert f'error_description="{detail}"' in header
    assert re.search(bad.match.replace('"', "'"), detail)  # RFC 6750 allows no '"' in error_description


def test_fastapi_answers(keys: Keys, fastapi_app) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(fastapi_app())
    good = sign(keys.pool, access_claims())
    assert client.get("/me", headers={"Authorization": f"Bearer {good}"}).json() == {
        "sub": access_claims()["sub"], "token_use": "access"}
    missing = client.get("/me")
    assert (missing.status_code, missing.headers["WWW-Authenticate"], missing.json()) == (
        401, 'Bearer realm="tests"', {"detail": "Not authenticated"})
    basic = client.get("/admin", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert (basic.status_code, basic.headers["WWW-Authenticate"]) == (401, "Bearer")
    forbidden = client.get("/admin", headers={"Authorization": f"Bearer {good}"})
    assert forbidden.status_code == 403
    assert forbidden.headers["WWW-Authenticate"] == (
        'Bearer error="insufficient_scope", error_description="Missing Cognito group. Expected: ADMINS"')
    admin = sign(keys.pool, access_claims(**{"cognito:groups": ["ADMINS"]}))
    assert client.get("/admin", headers={"Authorization": f"Bearer {admin}"}).json() == {"groups": ["ADMINS"]}
    assert client.get("/maybe").json() == {"signed_in": False}
    assert client.get("/maybe", headers={"Authorization": f"Bearer {good}"}).json() == {"signed_in": True}
    assert client.get("/maybe", headers={"Authorization": "Bearer nope"}).status_code == 401
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["CognitoAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                      "description": f"A Cognito access token of user pool {POOL}"}


def test_fastapi_lets_an_unreachable_jwks_be_a_server_error(keys: Keys, server: JwksServer, fastapi_app) -> None:
    from fastapi.testclient import TestClient

    server.status = 503
    client = TestClient(fastapi_app())
    with pytest.raises(NonRetryableFetchError, match="Status code is 503, expected 200"):
        client.get("/me", headers={"Authorization": f"Bearer {sign(keys.pool, access_claims())}"})


def test_fastapi_refuses_bad_overrides_when_the_app_is_built(make_verifier) -> None:
    from amplify_py.verify.fastapi import CognitoAuth

    with pytest.raises(ParameterValidationError, match=unanchored("^groups must be a string")):
        CognitoAuth(make_verifier(), groups=[])


@pytest.fixture
def flask_app(make_verifier):
    import flask

    from amplify_py.verify.flask import BearerUnauthorized, require_token

    def build(**verifier_options: Any):
        verifier = make_verifier(**verifier_options)
        app = flask.Flask(__name__)

        @app.get("/me")
        @require_token(verifier, realm="tests")
        def me():
            return {"sub": flask.g.claims["sub"], "view": me.__name__}

        @app.get("/admin")
        @require_token(verifier, groups=["ADMINS"])
        def admin():
            return {"groups": flask.g.claims["cognito:groups"]}

        @app.get("/async")
        @require_token(verifier)
        async def async_view():
            await asyncio.sleep(0)
            return {"sub": flask.g.claims["sub"]}

        @app.errorhandler(BearerUnauthorized)
        def as_json(error: BearerUnauthorized):
            body = {"error": error.challenge.error, "error_description": error.description,
                    "kind": type(error.jwt_error).__name__ if error.jwt_error else None}
            return body, 401, {"WWW-Authenticate": error.challenge.www_authenticate}

        return app

    return build


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_flask_refuses_every_bad_token(bad: Bad, keys: Keys, flask_app) -> None:
    status, code = _expected_answer(bad)
    for path in ("/me", "/async"):
        client = flask_app(**bad.verifier).test_client()  # a fresh verifier: a cold JWKS cache, no wait period
        response = client.get(path, headers={"Authorization": f"Bearer {bad.token(keys)}"})
        assert response.status_code == status
        header = response.headers["WWW-Authenticate"]
        assert f'error="{code}", error_description="' in header
        if status == 401:
            assert response.json["kind"] == bad.error.__name__ and response.json["error"] == code
            assert f'error_description="{response.json["error_description"]}"' in header


def test_flask_answers(keys: Keys, flask_app) -> None:
    client = flask_app().test_client()
    good = sign(keys.pool, access_claims())
    assert client.get("/me", headers={"Authorization": f"Bearer {good}"}).json == {"sub": access_claims()["sub"], "view": "me"}
    assert client.get("/async", headers={"Authorization": f"Bearer {good}"}).json == {"sub": access_claims()["sub"]}
    missing = client.get("/me")
    assert (missing.status_code, missing.headers["WWW-Authenticate"], missing.json["error"]) == (401, 'Bearer realm="tests"', None)
    forbidden = client.get("/admin", headers={"Authorization": f"Bearer {good}"})
    assert forbidden.status_code == 403 and forbidden.headers.getlist("WWW-Authenticate") == [
        'Bearer error="insufficient_scope", error_description="Missing Cognito group. Expected: ADMINS"']
    assert b"Missing Cognito group. Expected: ADMINS" in forbidden.data  # werkzeug's page shows the description
    admin = sign(keys.pool, access_claims(**{"cognito:groups": ["ADMINS"]}))
    assert client.get("/admin", headers={"Authorization": f"Bearer {admin}"}).json == {"groups": ["ADMINS"]}


def test_flask_lets_an_unreachable_jwks_be_a_server_error(keys: Keys, server: JwksServer, make_verifier) -> None:
    import flask

    from amplify_py.verify.flask import require_token

    app = flask.Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.get("/me")
    @require_token(make_verifier())
    def me():
        return {}

    server.connect_failures = 2
    with pytest.raises(FetchError, match="Connection refused"):
        app.test_client().get("/me", headers={"Authorization": f"Bearer {sign(keys.pool, access_claims())}"})


def test_the_core_imports_no_web_framework() -> None:
    import subprocess
    import sys

    code = ("import sys, amplify_py.verify; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'flask', 'werkzeug', 'starlette')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"
