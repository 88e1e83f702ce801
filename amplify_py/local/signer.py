"""RS256 tokens with Cognito's claims, each pool signing with a key of its own.

As on Cognito, a pool's keys are its own: each pool gets an RSA key the first time it signs a token or
publishes its JWKS (``/<pool_id>/.well-known/jwks.json``), kept in the store's meta table. A token is
checked with the key of the pool its ``iss`` names, so a token of pool A never verifies as pool B's. The
identity pool's OpenID tokens have a key of their own (``OPENID_KEY``).

State folders from before per-pool keys had one key shared by every pool. ``retire_shared_key`` gives
each of those pools its own key from then on; the shared key only verifies the tokens it already signed,
for the pools that existed then, until the longest token lifetime (one day) has passed, and those pools
list it in their JWKS until then so outside verifiers accept the same tokens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from amplify_py.local.errors import not_authorized
from amplify_py.local.store import Store

__all__ = ["Signer", "UnsignedToken", "OPENID_KEY", "RETIRED_KEY_SECONDS", "hash_refresh_token", "new_jti",
           "new_refresh_token"]

OPENID_KEY = "identity"
RETIRED_KEY_SECONDS = 24 * 3600  # Cognito's longest ID/access token validity: every token it signed expires by then
_KEY_META = "signing_key:"
_SHARED_META = "signing_key"  # the one key of a state folder from before per-pool keys
_RETIRED_META = "signing_key_retired"


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UnsignedToken:
    """A token's claims and the key that signs them, signed by ``Signer.seal`` once the operation's transaction
    has committed."""

    __slots__ = ("owner", "claims")

    def __init__(self, owner: str, claims: dict) -> None:
        self.owner = owner
        self.claims = claims


@dataclass(frozen=True)
class _Key:
    private: Any
    public: Any
    kid: str

    @classmethod
    def from_pem(cls, pem: str) -> "_Key":
        private = serialization.load_pem_private_key(pem.encode(), password=None)
        public = private.public_key()
        der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return cls(private, public, base64.b64encode(hashlib.sha256(der).digest()).decode())

    def jwk(self) -> dict[str, str]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.public, as_dict=True)
        return {"alg": "RS256", "e": jwk["e"], "kid": self.kid, "kty": "RSA", "n": jwk["n"], "use": "sig"}


@dataclass(frozen=True)
class _RetiredKey:
    key: _Key
    pools: frozenset[str]
    until: float

    def serves(self, pool_id: str, now: float) -> bool:
        return pool_id in self.pools and now < self.until


def _new_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


class Signer:
    """Signs and checks tokens with per-pool keys (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._keys: dict[str, _Key] = {}
        self._retired = self._load_retired()
        self._deferring = threading.local()

    # --- keys -------------------------------------------------------------------
    def _key(self, owner: str, *, create: bool) -> _Key | None:
        """The key of ``owner`` (a pool id or OPENID_KEY); made and stored on first use when ``create``."""
        key = self._keys.get(owner)
        if key is not None:
            return key
        with self._store.lock:
            pem = self._store.get_meta(_KEY_META + owner)
            if pem is None:
                if not create:  # a token naming an unknown pool must not make keys
                    return None
                # Another engine process may make one at the same moment: the first written is everyone's.
                self._store.add_meta(_KEY_META + owner, _new_pem())
                pem = self._store.get_meta(_KEY_META + owner)
                assert pem is not None
        key = self._keys[owner] = _Key.from_pem(pem)
        return key

    def _own_key(self, owner: str) -> _Key:
        key = self._key(owner, create=True)
        assert key is not None  # create=True always returns one
        return key

    def retire_shared_key(self, pool_ids: list[str], now: float) -> None:
        """Move a state folder from one shared key to per-pool keys (see the module docstring)."""
        pem = self._store.get_meta(_SHARED_META)
        if pem is None:
            return
        with self._store.lock:
            self._store.set_meta(_RETIRED_META, json.dumps(
                {"pem": pem, "pools": sorted(pool_ids), "until": now + RETIRED_KEY_SECONDS}))
            self._store.delete_meta(_SHARED_META)
        self._retired = self._load_retired()

    def _load_retired(self) -> _RetiredKey | None:
        saved = self._store.get_meta(_RETIRED_META)
        if saved is None:
            return None
        data = json.loads(saved)
        return _RetiredKey(_Key.from_pem(data["pem"]), frozenset(data["pools"]), float(data["until"]))

    # --- what the engine asks ------------------------------------------------------
    def jwks(self, pool_id: str, *, now: float) -> dict:
        """The pool's JWKS: its own key (and, for a while after an upgrade, the retired shared key)."""
        keys = [self._own_key(pool_id).jwk()]
        if self._retired is not None and self._retired.serves(pool_id, now):
            keys.append(self._retired.key.jwk())
        return {"keys": keys}

    def sign(self, owner: str, claims: dict) -> str:
        """A token signed with the key of ``owner`` (the pool whose ``iss`` it carries, or OPENID_KEY)."""
        key = self._own_key(owner)
        return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid})

    def sign_later(self, owner: str, claims: dict) -> "UnsignedToken | str":
        """A token to sign after the operation commits: the RSA work (most of a sign-in's CPU) then runs
        without the database's write lock, so several engine processes sign in parallel. Outside
        ``deferring`` (callers that do not seal: managed login, the console) it is signed at once."""
        return UnsignedToken(owner, claims) if getattr(self._deferring, "on", False) else self.sign(owner, claims)

    @contextmanager
    def deferring(self) -> Iterator[None]:
        """While inside, ``sign_later`` defers (this thread only); the caller seals the result after."""
        self._deferring.on = True
        try:
            yield
        finally:
            self._deferring.on = False

    def seal(self, result: Any) -> Any:
        """``result`` with every ``UnsignedToken`` in it signed (dicts and lists are changed in place)."""
        if isinstance(result, dict):
            for key, value in result.items():
                if isinstance(value, UnsignedToken):
                    result[key] = self.sign(value.owner, value.claims)
                elif isinstance(value, (dict, list)):
                    self.seal(value)
        elif isinstance(result, list):
            for index, value in enumerate(result):
                result[index] = (self.sign(value.owner, value.claims) if isinstance(value, UnsignedToken)
                                 else self.seal(value))
        return result

    def decode(self, token: str, *, now: float, token_use: str, expired_message: str, invalid_message: str) -> dict:
        """Verify the signature with the key of the pool the token's ``iss`` names, and its use and expiry
        against the engine's clock; Cognito's messages on failure."""
        try:
            kid, issuer = _unverified_kid_and_issuer(token)
        except (ValueError, TypeError, AttributeError, RecursionError) as exc:
            raise not_authorized(invalid_message) from exc
        pool_id = str(issuer or "").rsplit("/", 1)[-1]
        key = self._key(pool_id, create=False) if pool_id and pool_id != OPENID_KEY else None
        retired = self._retired
        if (key is None or kid != key.kid) and retired is not None and retired.serves(pool_id, now) \
                and kid == retired.key.kid:
            key = retired.key
        if key is None or kid != key.kid:
            raise not_authorized(invalid_message)
        try:
            claims = jwt.decode(token, key.public, algorithms=["RS256"],
                                options={"verify_exp": False, "verify_aud": False, "verify_iat": False})
        except jwt.PyJWTError as exc:
            raise not_authorized(invalid_message) from exc
        if claims.get("token_use") != token_use:
            raise not_authorized(invalid_message)
        if float(claims.get("exp", 0)) <= now:
            raise not_authorized(expired_message)
        return claims


def _unverified_kid_and_issuer(token: str) -> tuple[Any, Any]:
    """The header's ``kid`` and the payload's ``iss``, read without any check: only to pick the key. The one
    ``jwt.decode`` after it checks the token strictly (pyjwt checks every character of every segment, which made
    reading a token three times through it a third of GetUser's time)."""
    header_segment, payload_segment = token.split(".")[:2]
    header, payload = (json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
                       for segment in (header_segment, payload_segment))
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ValueError("a token's header and payload are JSON objects")
    return header.get("kid"), payload.get("iss")


def new_refresh_token() -> str:
    """Opaque, like Cognito's (a JWE the client never reads)."""
    return "local." + base64.urlsafe_b64encode(secrets.token_bytes(96)).decode().rstrip("=")


def new_jti() -> str:
    return str(uuid.uuid4())
