"""Cognito's OAuth 2.0 rules: registered URLs, scopes, PKCE, and how a client proves itself at the token and
revocation endpoints.

Each raises ``OAuthError`` with the RFC 6749 name Cognito answers with (the caller decides whether it goes
back as JSON or on the client's redirect URI).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, OAuthError
from amplify_py.local.model.pool import Client, Pool

__all__ = ["SYSTEM_SCOPES", "oauth_client", "grant_user_scopes", "grant_client_scopes", "check_pkce_request",
           "pkce_matches", "authenticate_client", "custom_scopes"]

SYSTEM_SCOPES = ("phone", "email", "openid", "profile", "aws.cognito.signin.user.admin")
_NEED_OPENID = ("phone", "email", "profile")  # Cognito: only with openid, they shape the OIDC claims


def oauth_client(ctx: EngineContext, client_id: str | None) -> tuple[Pool, Client] | None:
    """The pool and client for ``client_id``; None when no such client exists."""
    try:
        return ctx.client(client_id)
    except CognitoError:
        return None


def custom_scopes(ctx: EngineContext, pool: Pool) -> set[str]:
    """``<identifier>/<scope>`` for every resource server of the pool."""
    return {scope for server in ctx.resource_servers(pool) for scope in server.scopes}


def grant_user_scopes(ctx: EngineContext, pool: Pool, client: Client, requested: Sequence[str]) -> list[str]:
    """The scopes a user's tokens get: those requested (all the client's when none are), each allowed for the
    client; phone, email and profile only together with openid."""
    allowed = [s for s in client.oauth_scopes if s in SYSTEM_SCOPES or s in custom_scopes(ctx, pool)]
    if not requested:
        return allowed
    if any(scope not in allowed for scope in requested):
        raise OAuthError("invalid_scope")
    if "openid" not in requested and any(scope in _NEED_OPENID for scope in requested):
        raise OAuthError("invalid_scope")
    return list(requested)


def grant_client_scopes(ctx: EngineContext, pool: Pool, client: Client, requested: Sequence[str]) -> list[str]:
    """client_credentials: only resource-server scopes; none requested means all the client has."""
    allowed = [s for s in client.oauth_scopes if s in custom_scopes(ctx, pool)]
    chosen = list(requested) or allowed
    if not chosen or any(scope not in allowed for scope in chosen):
        raise OAuthError("invalid_scope")
    return chosen


def check_pkce_request(challenge: str | None, method: str | None) -> None:
    """Cognito supports the S256 method only (RFC 7636's plain is refused), and a challenge needs its method."""
    if challenge is None and method is None:
        return
    if not challenge or method != "S256":
        raise OAuthError("invalid_request")


def pkce_matches(challenge: str, verifier: str | None) -> bool:
    """BASE64URL(SHA256(code_verifier)) == code_challenge."""
    if not verifier:
        return False
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return hmac.compare_digest(computed, challenge)


def _basic(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_client") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client")
    return client_id, secret


def authenticate_client(ctx: EngineContext, form: Mapping[str, str], authorization: str | None, *,
                        status: int = 400) -> tuple[Pool, Client]:
    """The client a token or revocation request comes from. A client with a secret proves it with HTTP Basic
    (client_secret_basic) or ``client_secret`` in the body (client_secret_post); a public client sends its
    ``client_id`` and no secret."""
    basic = _basic(authorization)
    client_id = basic[0] if basic else form.get("client_id")
    secret = basic[1] if basic else form.get("client_secret")
    if basic and form.get("client_id") and form["client_id"] != basic[0]:
        raise OAuthError("invalid_client", status=status)
    found = oauth_client(ctx, client_id)
    if found is None:
        raise OAuthError("invalid_client", status=status)
    pool, client = found
    if client.secret:
        if not secret or not hmac.compare_digest(secret, client.secret):
            raise OAuthError("invalid_client", status=status)
    elif secret:
        raise OAuthError("invalid_client", status=status)
    return pool, client
