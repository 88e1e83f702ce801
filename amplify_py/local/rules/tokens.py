"""Tokens: issuing Cognito's ID, access and refresh tokens (PreTokenGeneration included), checking an access
token, refreshing, revoking."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import not_authorized, user_not_found
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.user import User
from amplify_py.local.rules import devices, directory, triggers
from amplify_py.local.rules.trigger_events import TokenCustomisation
from amplify_py.local.signer import hash_refresh_token, new_jti, new_refresh_token

__all__ = ["issue", "issue_for_client", "authenticate", "refresh", "DISABLED"]

DISABLED = "User is disabled."
_USER_ADMIN_SCOPE = "aws.cognito.signin.user.admin"


def issue(ctx: EngineContext, pool: Pool, client: Client, user: User, *, auth_time: float | None = None,
          origin_jti: str | None = None, event_id: str | None = None, refresh: bool = True,
          source: str = "TokenGeneration_Authentication", client_metadata: dict | None = None,
          device_key: str | None = None, scopes: Sequence[str] | None = None,
          nonce: str | None = None) -> dict[str, Any]:
    """Cognito's AuthenticationResult for ``user`` signed in through ``client`` (on ``device_key``, when the
    pool tracks devices: the access token names it and the refresh token is bound to it).

    ``scopes``: tokens from the OAuth endpoints carry the granted scopes (API sign-ins carry only
    aws.cognito.signin.user.admin); their ID token exists only with ``openid``, carries the request's ``nonce``
    and the access token's ``at_hash``, and refreshing keeps the scopes."""
    now = int(ctx.now())
    auth_time = int(auth_time or now)
    event_id = event_id or str(uuid.uuid4())
    origin_jti = origin_jti or new_jti()
    pool_groups = ctx.groups(pool)
    groups = sorted(ctx.store.groups_of(pool.id, user.username),
                    key=lambda g: (_precedence(pool_groups, g), g))
    common = {"sub": user.sub, "iss": ctx.issuer(pool), "origin_jti": origin_jti, "event_id": event_id,
              "auth_time": auth_time, "iat": now}
    scope = _USER_ADMIN_SCOPE if scopes is None else " ".join(scopes)
    access = {**common, "client_id": client.id, "token_use": "access", "scope": scope,
              "exp": now + client.validity_seconds("AccessToken"), "jti": new_jti(), "username": user.username}
    if device_key:
        access["device_key"] = device_key
    id_claims: dict[str, Any] = {**common, "aud": client.id, "token_use": "id", "cognito:username": user.username,
                                 "exp": now + client.validity_seconds("IdToken"), "jti": new_jti()}
    for name, value in user.attributes.items():
        if name == "sub":
            continue
        # Only the two standard verification flags are booleans; custom attributes are always strings.
        id_claims[name] = value == "true" if name in ("email_verified", "phone_number_verified") else value
    if "identities" in id_claims:  # federated users: the attribute is a JSON list, the claim the list itself
        id_claims["identities"] = _json_or_text(id_claims["identities"])
    if nonce:
        id_claims["nonce"] = nonce
    if groups:
        access["cognito:groups"] = groups
        id_claims["cognito:groups"] = groups
        roles = [pool_groups[g].role_arn for g in groups if g in pool_groups and pool_groups[g].role_arn]
        if roles:
            id_claims["cognito:roles"] = roles
            id_claims["cognito:preferred_role"] = roles[0]
    token_scopes = access["scope"].split()
    custom = triggers.pre_token_generation(
        ctx, pool, user, client.id, source, groups=groups, iam_roles=id_claims.get("cognito:roles", []),
        preferred_role=id_claims.get("cognito:preferred_role"), scopes=token_scopes, client_metadata=client_metadata)
    if custom is not None:
        _customise(custom, id_claims, access, token_scopes, triggers.token_generation_version(pool))
    # Signed after the operation commits (Signer.seal), except where at_hash needs the signed access token.
    access_token = ctx.signer.sign_later(pool.id, access) if scopes is None else ctx.signer.sign(pool.id, access)
    result: dict[str, Any] = {
        "AccessToken": access_token,
        "ExpiresIn": client.validity_seconds("AccessToken"),
        "TokenType": "Bearer",
    }
    if scopes is None:
        result["IdToken"] = ctx.signer.sign_later(pool.id, id_claims)
    elif "openid" in scopes:
        id_claims["at_hash"] = _at_hash(str(access_token))
        result["IdToken"] = ctx.signer.sign(pool.id, id_claims)
    if refresh:
        token = new_refresh_token()
        ctx.store.put_refresh(hash_refresh_token(token), pool.id, client.id, user.username, origin_jti,
                              now + client.validity_seconds("RefreshToken"), auth_time=auth_time, event_id=event_id,
                              device_key=device_key, scopes=None if scopes is None else list(scopes))
        result["RefreshToken"] = token
    return result


def issue_for_client(ctx: EngineContext, pool: Pool, client: Client, scopes: Sequence[str]) -> dict[str, Any]:
    """client_credentials: an access token for the app itself (``sub`` is the client id; no user, no ID or
    refresh token)."""
    now = int(ctx.now())
    claims = {"sub": client.id, "token_use": "access", "scope": " ".join(scopes), "auth_time": now,
              "iss": ctx.issuer(pool), "exp": now + client.validity_seconds("AccessToken"), "iat": now,
              "version": 2, "jti": new_jti(), "client_id": client.id}
    return {"AccessToken": ctx.signer.sign(pool.id, claims), "ExpiresIn": client.validity_seconds("AccessToken"),
            "TokenType": "Bearer"}


def _at_hash(access_token: str) -> str:
    """OIDC's at_hash for RS256: the left half of the token's SHA-256, base64url without padding."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).decode().rstrip("=")


def _json_or_text(value: Any) -> Any:
    try:
        return json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _precedence(groups: dict, name: str) -> int:
    group = groups.get(name)
    return group.precedence if group is not None and group.precedence is not None else 1 << 30


def authenticate(ctx: EngineContext, access_token: str | None) -> tuple[Pool, User, dict]:
    """Verify an access token (signature, expiry, revocation) and return its pool, user and claims."""
    claims = ctx.signer.decode(access_token or "", now=ctx.now(), token_use="access",
                               expired_message="Access Token has expired", invalid_message="Invalid Access Token")
    pool = ctx.pool(str(claims.get("iss", "")).rsplit("/", 1)[-1])
    if ctx.store.origin_revoked(claims.get("origin_jti", "")) is not False:
        raise not_authorized("Access Token has been revoked")
    user = directory.get_user(ctx, pool, claims.get("username", ""))
    if user is None:
        raise user_not_found()
    if not user.enabled:
        raise not_authorized(DISABLED)
    return pool, user, claims


def refresh(ctx: EngineContext, pool: Pool, client: Client, token: str | None, *,
            device_key: str | None = None) -> dict[str, Any]:
    """New ID and access tokens for a live refresh token (the refresh token itself is kept). A token issued
    on a tracked device refreshes only with that device's key (DEVICE_KEY / DeviceKey)."""
    row = ctx.store.get_refresh(hash_refresh_token(token or ""))
    if row is None or row.client_id != client.id:
        raise not_authorized("Invalid Refresh Token")
    if row.device_key and pool.tracks_devices and not devices.bound_device_is_live(
            ctx, pool, row.username, row.device_key, device_key):
        raise not_authorized("Invalid Refresh Token")
    if row.revoked:
        raise not_authorized("Refresh Token has been revoked")
    if row.expires <= ctx.now():
        raise not_authorized("Refresh Token has expired")
    user = directory.get_user(ctx, pool, row.username)
    if user is None:
        raise not_authorized("User does not exist.")
    if not user.enabled:
        raise not_authorized(DISABLED)
    return issue(ctx, pool, client, user, auth_time=row.auth_time, origin_jti=row.origin_jti, event_id=row.event_id,
                 refresh=False, source="TokenGeneration_RefreshTokens", device_key=row.device_key, scopes=row.scopes)


def _customise(custom: TokenCustomisation, id_claims: dict, access: dict, scopes: list[str], version: str) -> None:
    """Apply a pre token generation response as Cognito does (claims, groups, roles; V2+: access token, scopes)."""
    id_claims.update(custom.id_token_claims_to_add_or_override)
    for name in custom.id_token_claims_to_suppress:
        id_claims.pop(name, None)
    if custom.groups_to_override is not None:
        groups = list(custom.groups_to_override)
        for claims in (id_claims, access):
            if groups:
                claims["cognito:groups"] = groups
            else:
                claims.pop("cognito:groups", None)
    if custom.iam_roles_to_override is not None:
        if custom.iam_roles_to_override:
            id_claims["cognito:roles"] = list(custom.iam_roles_to_override)
        else:
            id_claims.pop("cognito:roles", None)
    if custom.preferred_role is not None:
        id_claims["cognito:preferred_role"] = custom.preferred_role
    if version == "1":
        return
    access.update(custom.access_token_claims_to_add_or_override)
    for name in custom.access_token_claims_to_suppress:
        access.pop(name, None)
    kept = [s for s in scopes if s not in custom.access_token_scopes_to_suppress]
    kept += [s for s in custom.access_token_scopes_to_add if s not in kept]
    access["scope"] = " ".join(kept)
