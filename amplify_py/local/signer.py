"""RS256 tokens with Cognito's claims, signed by a key kept in the state dir.

The key is generated once per state directory and published as a JWKS at
``/<pool_id>/.well-known/jwks.json``; ``iss`` is the engine's URL plus the
pool id, so any verifier that follows ``iss`` finds the keys.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from amplify_py.local.errors import not_authorized
from amplify_py.local.store import Store

__all__ = ["Signer", "UnsignedToken", "hash_refresh_token"]


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UnsignedToken:
    """A token's claims, signed by ``Signer.seal`` once the operation's transaction has committed."""

    __slots__ = ("claims",)

    def __init__(self, claims: dict) -> None:
        self.claims = claims


class Signer:
    def __init__(self, store: Store) -> None:
        pem = store.get_meta("signing_key")
        if pem is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode()
            store.set_meta("signing_key", pem)
        self._key = serialization.load_pem_private_key(pem.encode(), password=None)
        self._public = self._key.public_key()
        der = self._public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = base64.b64encode(hashlib.sha256(der).digest()).decode()
        self._deferring = threading.local()

    def jwks(self) -> dict:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self._public, as_dict=True)
        return {"keys": [{"alg": "RS256", "e": jwk["e"], "kid": self.kid, "kty": "RSA", "n": jwk["n"], "use": "sig"}]}

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def sign_later(self, claims: dict) -> UnsignedToken | str:
        """A token to sign after the operation commits: the RSA work (most of a sign-in's CPU) then runs
        without the database's write lock, so several engine processes sign in parallel. Outside
        ``deferring`` (callers that do not seal: managed login, the console) it is signed at once."""
        return UnsignedToken(claims) if getattr(self._deferring, "on", False) else self.sign(claims)

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
                    result[key] = self.sign(value.claims)
                elif isinstance(value, (dict, list)):
                    self.seal(value)
        elif isinstance(result, list):
            for index, value in enumerate(result):
                result[index] = self.sign(value.claims) if isinstance(value, UnsignedToken) else self.seal(value)
        return result

    def decode(self, token: str, *, now: float, token_use: str, expired_message: str, invalid_message: str) -> dict:
        """Verify signature and expiry against the engine's clock; Cognito's messages on failure."""
        try:
            claims = jwt.decode(token, self._public, algorithms=["RS256"], options={"verify_exp": False,
                                                                                   "verify_aud": False,
                                                                                   "verify_iat": False})
        except jwt.PyJWTError as exc:
            raise not_authorized(invalid_message) from exc
        if claims.get("token_use") != token_use:
            raise not_authorized(invalid_message)
        if float(claims.get("exp", 0)) <= now:
            raise not_authorized(expired_message)
        return claims


def new_refresh_token() -> str:
    """Opaque, like Cognito's (a JWE the client never reads)."""
    return "local." + base64.urlsafe_b64encode(secrets.token_bytes(96)).decode().rstrip("=")


def new_jti() -> str:
    return str(uuid.uuid4())
