"""Each pool signs with a key of its own, published in its own JWKS, as on Cognito; a state folder from before
per-pool keys keeps its tokens valid until they expire."""

from __future__ import annotations

import base64
import hashlib
import json

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from amplify_py.local import LocalEngine
from amplify_py.local.signer import RETIRED_KEY_SECONDS
from tests.engine.conftest import Env, ManualClock, make_env, template


def _jwks(env: Env, pool_id: str | None = None) -> dict:
    return httpx.get(f"{env.engine.endpoint}/{pool_id or env.pool_id}/.well-known/jwks.json").json()


def test_each_pool_has_its_own_key_and_publishes_only_that(engine_and_clock) -> None:
    first = make_env(engine_and_clock, "keys-a", "email_default")
    second = make_env(engine_and_clock, "keys-b", "email_default")
    [key_a], [key_b] = _jwks(first)["keys"], _jwks(second)["keys"]
    assert key_a["kid"] != key_b["kid"] and key_a["n"] != key_b["n"]
    first.confirmed_user("alice@example.com")
    tokens = first.srp_sign_in("alice@example.com")["AuthenticationResult"]
    for token in (tokens["AccessToken"], tokens["IdToken"]):
        assert jwt.get_unverified_header(token)["kid"] == key_a["kid"]
        public = jwt.PyJWK(key_a).key
        assert jwt.decode(token, public, algorithms=["RS256"], options={"verify_aud": False})["iss"].endswith(first.pool_id)
    assert first.idp.get_user(AccessToken=tokens["AccessToken"])["Username"]


def test_a_token_of_one_pool_never_verifies_as_another_pools(engine_and_clock) -> None:
    first = make_env(engine_and_clock, "keys-c", "email_default")
    second = make_env(engine_and_clock, "keys-d", "email_default")
    second.confirmed_user("bob@example.com")
    access = second.srp_sign_in("bob@example.com")["AuthenticationResult"]["AccessToken"]
    claims = jwt.decode(access, options={"verify_signature": False})
    # pool A's key signing a token that names pool B (what a shared key would have let through)
    claims["iss"] = f"{first.engine.endpoint}/{second.pool_id}"
    forged = first.engine.context.signer.sign(first.pool_id, claims)
    with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*Invalid Access Token"):
        second.idp.get_user(AccessToken=forged)
    # and pool B's token with its issuer rewritten to pool A: A's key does not match
    head, _body, signature = access.split(".")
    claims["iss"] = f"{first.engine.endpoint}/{first.pool_id}"
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*Invalid Access Token"):
        first.idp.get_user(AccessToken=f"{head}.{body}.{signature}")


def _legacy_key() -> tuple[str, str]:
    """A key as the engine kept one before per-pool keys (one for the whole state folder) and its kid."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, base64.b64encode(hashlib.sha256(der).digest()).decode()


def test_an_older_state_folder_moves_to_per_pool_keys_without_breaking_signed_in_users(tmp_path) -> None:
    clock = ManualClock()
    old = LocalEngine(tmp_path, clock=clock).start()
    env = Env(old, clock, "legacy", template("email_default"))
    env.confirmed_user("carol@example.com")
    access = env.srp_sign_in("carol@example.com")["AuthenticationResult"]["AccessToken"]
    pem, kid = _legacy_key()  # the token as the old engine signed it, with the folder's one key
    legacy_token = jwt.encode(jwt.decode(access, options={"verify_signature": False}), pem, algorithm="RS256",
                              headers={"kid": kid})
    old.context.store.set_meta("signing_key", pem)
    old.context.store.delete_meta(f"signing_key:{env.pool_id}")
    old.stop()

    engine = LocalEngine(tmp_path, clock=clock).start()
    try:
        again = Env(engine, clock, "legacy", template("email_default"))
        newer = Env(engine, clock, "after-upgrade", template("email_default"))
        assert engine.context.store.get_meta("signing_key") is None
        assert again.idp.get_user(AccessToken=legacy_token)["Username"]  # still signed in
        kids = [key["kid"] for key in _jwks(again)["keys"]]
        assert len(kids) == 2 and kids[1] == kid  # its own new key first, the retired one beside it
        fresh = again.srp_sign_in("carol@example.com")["AuthenticationResult"]["AccessToken"]
        assert jwt.get_unverified_header(fresh)["kid"] == kids[0]  # new tokens: the pool's own key
        assert kid not in [key["kid"] for key in _jwks(newer)["keys"]]  # a pool made later never had the old key
        claims = jwt.decode(legacy_token, options={"verify_signature": False})
        claims["iss"] = f"{engine.endpoint}/{newer.pool_id}"
        with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*Invalid Access Token"):
            newer.idp.get_user(AccessToken=jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid}))
        clock.advance(RETIRED_KEY_SECONDS)  # every token the old key signed has expired by now
        assert [key["kid"] for key in _jwks(again)["keys"]] == kids[:1]
    finally:
        engine.stop()


def test_two_engine_processes_making_a_pools_key_at_once_agree_on_it(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers of a multi-process engine share one database: of two keys made at the same moment for one
    pool, the first written is the pool's key in both (each process then caches it)."""
    from amplify_py.local.signer import Signer
    from amplify_py.local.store import Store

    first, second = Store(tmp_path / "engine.sqlite3"), Store(tmp_path / "engine.sqlite3")
    try:
        late = Signer(second)
        real, looked = second.get_meta, []

        def read_before_the_first_wrote(key: str) -> str | None:
            if key.startswith("signing_key:") and not looked:
                looked.append(key)
                return None  # the second process found no key, and makes one too
            return real(key)

        monkeypatch.setattr(second, "get_meta", read_before_the_first_wrote)
        token_a = Signer(first).sign("us-east-1_Pool", {"iss": "http://x/us-east-1_Pool"})
        token_b = late.sign("us-east-1_Pool", {"iss": "http://x/us-east-1_Pool"})
        assert jwt.get_unverified_header(token_a)["kid"] == jwt.get_unverified_header(token_b)["kid"]
        assert late.jwks("us-east-1_Pool", now=0)["keys"][0]["kid"] == jwt.get_unverified_header(token_a)["kid"]
    finally:
        first.close()
        second.close()
