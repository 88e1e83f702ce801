"""RS256 tokens with Cognito's claims, signed by a key kept in the state dir.

The key is generated once per state directory and published as a JWKS at
``/<pool_id>/.well-known/jwks.json``; ``iss`` is the engine's URL plus the
pool id, so any verifier that follows ``iss`` finds the keys.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from amplify_py.local.errors import not_authorized
from amplify_py.local.store import Store

__all__ = ["Signer", "hash_refresh_token"]


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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

    def jwks(self) -> dict:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self._public, as_dict=True)
        return {"keys": [{"alg": "RS256", "e": jwk["e"], "kid": self.kid, "kty": "RSA", "n": jwk["n"], "use": "sig"}]}

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

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
