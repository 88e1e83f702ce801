"""App client authentication: SECRET_HASH for user operations, the client secret itself for token operations."""

from __future__ import annotations

import base64
import hashlib
import hmac

from amplify_py.local.errors import not_authorized
from amplify_py.local.model.pool import Client

__all__ = ["check_secret_hash", "check_client_secret", "secret_hash"]


def secret_hash(client: Client, username: str) -> str | None:
    """Base64(HMAC(secret, username + client_id)); None for a client without a secret. Managed login, which
    holds the secret itself, sends it with the user operations it makes on the user's behalf."""
    if not client.secret:
        return None
    return base64.b64encode(
        hmac.new(client.secret.encode(), (username + client.id).encode(), hashlib.sha256).digest()
    ).decode()


def check_secret_hash(client: Client, username: str, given: str | None) -> None:
    """Clients with a secret must send SECRET_HASH = Base64(HMAC(secret, username + client_id))."""
    expected = secret_hash(client, username)
    if expected is None:
        return
    if not given or not hmac.compare_digest(given, expected):
        raise not_authorized(f"Unable to verify secret hash for client {client.id}")


def check_client_secret(client: Client, given: str | None) -> None:
    """Token operations (RevokeToken, GetTokensFromRefreshToken) take the client secret itself."""
    if client.secret and not (given and hmac.compare_digest(given, client.secret)):
        raise not_authorized(f"Unable to verify secret hash for client {client.id}")
