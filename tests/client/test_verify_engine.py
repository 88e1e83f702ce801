"""amplify_py.verify against the local engine: tokens from a real sign-in, verified as a backend would.

A user signs up and in with amplify_py.auth (SRP); the verifier is built from the same
amplify_outputs.json (so it trusts the engine's issuer and downloads its JWKS over
HTTP) and accepts the access and ID tokens, directly and through a FastAPI and a Flask
app; the same tokens are refused where they should be.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import time
from pathlib import Path
from typing import Any

import boto3
import flask
import httpx
import pytest
from engine_backend import Backend
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from amplify_py.auth import confirm_sign_up, fetch_auth_session, sign_in, sign_out, sign_up
from amplify_py.verify import (
    CognitoJwtInvalidClientIdError,
    CognitoJwtInvalidGroupError,
    CognitoJwtInvalidTokenUseError,
    CognitoJwtVerifier,
    JwtExpiredError,
    JwtInvalidIssuerError,
    JwtInvalidSignatureError,
    KidNotFoundInJwksError,
    NonRetryableFetchError,
)
from amplify_py.verify.fastapi import CognitoAuth
from amplify_py.verify.flask import require_token

PASSWORD = "Sup3r-secret!"


def _tokens(backend: Backend, email: str, groups: tuple[str, ...] = ()) -> tuple[str, str]:
    """Sign a new user up and in (after adding them to ``groups``); their access and ID tokens."""
    sign_up(username=email, password=PASSWORD, options={"user_attributes": {"email": email}})
    confirm_sign_up(username=email, confirmation_code=backend.last_code(email))
    idp = boto3.client("cognito-idp", endpoint_url=backend.engine.endpoint, **backend.engine.credentials.boto3_kwargs())
    for group in groups:
        idp.admin_add_user_to_group(UserPoolId=backend.outputs["auth"]["user_pool_id"], Username=email, GroupName=group)
    assert sign_in(username=email, password=PASSWORD).is_signed_in
    tokens = fetch_auth_session().tokens
    sign_out()
    return str(tokens.access_token), str(tokens.id_token)


def _tampered(token: str, **changes: Any) -> str:
    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(changes)
    return f"{head}.{base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b'=').decode()}.{sig}"


def test_engine_tokens_verify(deploy, tmp_path: Path) -> None:
    backend = deploy("email_default")
    access, id_token = _tokens(backend, "api@example.com")
    outputs_file = tmp_path / "amplify_outputs.json"
    outputs_file.write_text(json.dumps(backend.outputs))

    access_verifier = CognitoJwtVerifier.from_outputs(outputs_file, token_use="access")
    pool_id = backend.outputs["auth"]["user_pool_id"]
    assert access_verifier.issuer == f"{backend.engine.endpoint}/{pool_id}"
    claims = access_verifier.verify(access)
    assert (claims["token_use"], claims["client_id"], claims["iss"]) == (
        "access", backend.outputs["auth"]["user_pool_client_id"], access_verifier.issuer)
    assert asyncio.run(access_verifier.verify_async(access)) == claims

    id_verifier = CognitoJwtVerifier.from_outputs(backend.outputs, token_use="id")
    id_claims = asyncio.run(id_verifier.verify_async(id_token))
    assert (id_claims["email"], id_claims["sub"], id_claims["aud"]) == (
        "api@example.com", claims["sub"], backend.outputs["auth"]["user_pool_client_id"])
    # the JWKS the verifier downloaded is the engine's, at <issuer>/.well-known/jwks.json
    served = httpx.get(access_verifier.jwks_uri).json()
    assert access_verifier.jwks_cache.cached_jwks(access_verifier.jwks_uri) == served
    assert [(k["kty"], k["alg"], k["use"]) for k in served["keys"]] == [("RSA", "RS256", "sig")]


def test_engine_tokens_are_refused_where_they_should_be(deploy) -> None:
    backend = deploy("email_default")
    access, id_token = _tokens(backend, "no@example.com")
    verifier = CognitoJwtVerifier.from_outputs(backend.outputs, token_use="access")

    with pytest.raises(CognitoJwtInvalidTokenUseError, match=r"Token use not allowed: id\. Expected: access"):
        verifier.verify(id_token)
    with pytest.raises(CognitoJwtInvalidTokenUseError, match=r"Token use not allowed: access\. Expected: id"):
        CognitoJwtVerifier.from_outputs(backend.outputs, token_use="id").verify(access)
    with pytest.raises(CognitoJwtInvalidClientIdError, match=r"Client ID not allowed: \w+\. Expected: another-client"):
        CognitoJwtVerifier.from_outputs(backend.outputs, token_use="access", client_id="another-client").verify(access)
    with pytest.raises(JwtInvalidSignatureError, match="Invalid signature"):
        verifier.verify(_tampered(access, username="admin"))
    with pytest.raises(JwtExpiredError, match="Token expired at"):  # an hour and a bit later
        CognitoJwtVerifier.from_outputs(backend.outputs, token_use="access", clock=lambda: time.time() + 3610).verify(access)

    # another pool on the same engine: a different issuer, refused before any key is fetched
    other = deploy("email_default")
    other_access, _ = _tokens(other, "other@example.com")
    with pytest.raises(JwtInvalidIssuerError, match=r"Issuer not allowed: http://127\.0\.0\.1:\d+/us-east-1_\w+\. Expected"):
        verifier.verify(other_access)
    # ... and with the right iss written over it, its key is not this pool's (each pool has its own, as on Cognito)
    with pytest.raises(KidNotFoundInJwksError, match=r"JWK for kid \"[^\"]+\" not found in the JWKS at .*/"
                       + backend.outputs["auth"]["user_pool_id"]):
        verifier.verify(_tampered(other_access, iss=verifier.issuer, client_id=backend.outputs["auth"]["user_pool_client_id"]))

    # the same outputs without custom.local_engine describe Cognito: the engine's tokens have the wrong issuer
    cognito_outputs = copy.deepcopy(backend.outputs)
    del cognito_outputs["custom"]
    cognito = CognitoJwtVerifier.from_outputs(cognito_outputs, token_use="access")
    cognito.cache_jwks(httpx.get(verifier.jwks_uri).json())  # even with the engine's keys
    with pytest.raises(JwtInvalidIssuerError, match=r"Expected: https://cognito-idp\.us-east-1\.amazonaws\.com/") as caught:
        cognito.verify(access)
    assert "a token from the local engine sent to a verifier for Cognito" in caught.value.resolution


def test_a_pool_the_engine_does_not_know(deploy) -> None:
    backend = deploy("email_default")
    access, _ = _tokens(backend, "gone@example.com")
    outputs = copy.deepcopy(backend.outputs)
    outputs["auth"]["user_pool_id"] = "us-east-1_NoSuchPool"
    verifier = CognitoJwtVerifier.from_outputs(outputs, token_use="access")
    with pytest.raises(NonRetryableFetchError, match=r"/us-east-1_NoSuchPool/\.well-known/jwks\.json: Status code is 404"):
        verifier.verify(_tampered(access, iss=verifier.issuer))
    # a verifier whose cached keys lack the token's key downloads the JWKS again
    stale = CognitoJwtVerifier.from_outputs(backend.outputs, token_use="access")
    stale.cache_jwks({"keys": []})
    assert stale.verify(access)["username"]
    head = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": "nope"}).encode()).rstrip(b"=").decode()
    with pytest.raises(KidNotFoundInJwksError, match='JWK for kid "nope" not found'):
        stale.verify(head + access[access.index("."):])


def test_groups_from_the_engine(deploy) -> None:
    backend = deploy("groups")
    admin_access, admin_id = _tokens(backend, "admin@example.com", groups=("ADMINS", "EDITORS"))
    plain_access, _ = _tokens(backend, "plain@example.com")
    admins_only = CognitoJwtVerifier.from_outputs(backend.outputs, token_use="access", groups="ADMINS")
    assert admins_only.verify(admin_access)["cognito:groups"] == ["ADMINS", "EDITORS"]
    ids = CognitoJwtVerifier.from_outputs(backend.outputs, token_use="id", groups=["EDITORS"])
    assert ids.verify(admin_id)["cognito:groups"] == ["ADMINS", "EDITORS"]
    with pytest.raises(CognitoJwtInvalidGroupError, match=r"Missing Cognito group\. Expected: ADMINS"):
        admins_only.verify(plain_access)


def _fastapi(outputs: dict) -> TestClient:
    access = CognitoJwtVerifier.from_outputs(outputs, token_use="access")
    identity = CognitoJwtVerifier.from_outputs(outputs, token_use="id")
    app = FastAPI()

    @app.get("/me")
    async def me(claims: dict = Depends(CognitoAuth(access))) -> dict:
        return {"sub": claims["sub"], "groups": claims.get("cognito:groups", [])}

    @app.get("/profile")
    def profile(claims: dict = Depends(CognitoAuth(identity))) -> dict:
        return {"email": claims["email"]}

    @app.get("/admin")
    async def admin(claims: dict = Depends(CognitoAuth(access, groups="ADMINS"))) -> dict:
        return {"admin": claims["sub"]}

    return TestClient(app)


def _flask(outputs: dict) -> Any:
    access = CognitoJwtVerifier.from_outputs(outputs, token_use="access")
    identity = CognitoJwtVerifier.from_outputs(outputs, token_use="id")
    app = flask.Flask(__name__)

    @app.get("/me")
    @require_token(access)
    def me():
        return {"sub": flask.g.claims["sub"], "groups": flask.g.claims.get("cognito:groups", [])}

    @app.get("/profile")
    @require_token(identity)
    def profile():
        return {"email": flask.g.claims["email"]}

    @app.get("/admin")
    @require_token(access, groups="ADMINS")
    def admin():
        return {"admin": flask.g.claims["sub"]}

    return app.test_client()


@pytest.mark.parametrize("framework", ["fastapi", "flask"])
def test_web_apps_accept_and_refuse_engine_tokens(framework: str, deploy) -> None:
    backend = deploy("groups")
    admin_access, admin_id = _tokens(backend, "boss@example.com", groups=("ADMINS",))
    plain_access, plain_id = _tokens(backend, "staff@example.com")
    client = _fastapi(backend.outputs) if framework == "fastapi" else _flask(backend.outputs)

    def get(path: str, token: str | None = None) -> tuple[int, Any, str | None]:
        response = client.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})
        is_json = response.headers.get("content-type", "").startswith("application/json")
        body = (response.json() if callable(response.json) else response.json) if is_json else None
        return response.status_code, body, response.headers.get("WWW-Authenticate")

    admin_sub = CognitoJwtVerifier.from_outputs(backend.outputs, token_use="access").verify(admin_access)["sub"]
    assert get("/me", admin_access) == (200, {"sub": admin_sub, "groups": ["ADMINS"]}, None)
    assert get("/profile", plain_id) == (200, {"email": "staff@example.com"}, None)
    assert get("/admin", admin_access) == (200, {"admin": admin_sub}, None)

    status, _, header = get("/me")
    assert (status, header) == (401, "Bearer")
    status, _, header = get("/me", admin_id)
    assert (status, header) == (
        401, 'Bearer error="invalid_token", error_description="Token use not allowed: id. Expected: access"')
    status, _, header = get("/profile", plain_access)
    assert (status, header) == (
        401, 'Bearer error="invalid_token", error_description="Token use not allowed: access. Expected: id"')
    status, _, header = get("/me", _tampered(plain_access, **{"cognito:groups": ["ADMINS"]}))
    assert (status, header) == (401, 'Bearer error="invalid_token", error_description="Invalid signature"')
    status, _, header = get("/admin", plain_access)
    assert (status, header) == (
        403, 'Bearer error="insufficient_scope", error_description="Missing Cognito group. Expected: ADMINS"')
