"""Tokens: GetTokensFromRefreshToken, RevokeToken, GlobalSignOut, AdminUserGlobalSignOut."""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, invalid_parameter
from amplify_py.local.operations._request import admin_user
from amplify_py.local.rules import tokens
from amplify_py.local.rules.clients import check_client_secret
from amplify_py.local.signer import hash_refresh_token

__all__ = ["OPERATIONS"]


def get_tokens_from_refresh_token(ctx: EngineContext, body: dict) -> dict:
    pool, client = ctx.client(body.get("ClientId"))
    if "ALLOW_REFRESH_TOKEN_AUTH" not in client.auth_flows:
        raise invalid_parameter("REFRESH_TOKEN_AUTH flow not enabled for this client")
    check_client_secret(client, body.get("ClientSecret"))
    return {"AuthenticationResult": tokens.refresh(ctx, pool, client, body.get("RefreshToken"),
                                                   device_key=body.get("DeviceKey"))}


def revoke_token(ctx: EngineContext, body: dict) -> dict:
    _pool, client = ctx.client(body.get("ClientId"))
    token = body.get("Token") or ""
    check_client_secret(client, body.get("ClientSecret"))
    if token.count(".") == 2 and token.startswith("ey"):
        raise CognitoError("UnsupportedTokenTypeException", "The token type is not supported for revocation.")
    row = ctx.store.get_refresh(hash_refresh_token(token))
    if row is None:
        raise invalid_parameter("Invalid token")
    if row.client_id != client.id:
        raise CognitoError("UnauthorizedException", "The client is not authorized to revoke this token.")
    ctx.store.revoke_origin(row.origin_jti)
    return {}


def global_sign_out(ctx: EngineContext, body: dict) -> dict:
    pool, user, _claims = tokens.authenticate(ctx, body.get("AccessToken"))
    ctx.store.revoke_user_tokens(pool.id, user.username)
    return {}


def admin_user_global_sign_out(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    ctx.store.revoke_user_tokens(pool.id, user.username)
    return {}


OPERATIONS = {
    "GetTokensFromRefreshToken": get_tokens_from_refresh_token,
    "RevokeToken": revoke_token,
    "GlobalSignOut": global_sign_out,
    "AdminUserGlobalSignOut": admin_user_global_sign_out,
}
