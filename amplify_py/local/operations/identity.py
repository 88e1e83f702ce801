"""The identity pool operations a client needs for ``fetch_auth_session``.

GetId, GetCredentialsForIdentity and GetOpenIdToken, checking the login's ID
token (signature, expiry, issuer pool and audience client) against the pool's
CognitoIdentityProviders. Credentials are local and say so (``ASIALOCAL...``).
"""

from __future__ import annotations

import secrets
import string
import uuid
from typing import Any

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, not_authorized, resource_not_found
from amplify_py.local.model.pool import ROLE_ATTACHMENT
from amplify_py.local.signer import OPENID_KEY

__all__ = ["OPERATIONS"]

_CREDENTIAL_SECONDS = 3600


def _identity_pool(ctx: EngineContext, pool_id: str | None) -> dict:
    props = ctx.identity_pool(pool_id)
    if props is None:
        raise resource_not_found(f"IdentityPool '{pool_id}' not found.")
    return props


def _roles(ctx: EngineContext, identity_pool_id: str) -> dict:
    for row in ctx.store.resources_of_type(ROLE_ATTACHMENT):
        if row.config["props"].get("IdentityPoolId") == identity_pool_id:
            return row.config["props"]
    return {}


def _login_subject(ctx: EngineContext, props: dict, logins: dict[str, str]) -> tuple[str, dict] | None:
    """Validate the (single) Cognito login; returns (subject key, ID token claims)."""
    if not logins:
        return None
    providers = props.get("CognitoIdentityProviders") or []
    for key, token in logins.items():
        claims = ctx.signer.decode(token, now=ctx.now(), token_use="id",
                                    expired_message="Invalid login token. Token expired: the ID token has expired.",
                                    invalid_message="Invalid login token. Not a valid OpenId Connect identity token.")
        pool_id = str(claims.get("iss", "")).rsplit("/", 1)[-1]
        for provider in providers:
            name = str(provider.get("ProviderName", ""))
            if not name.endswith("/" + pool_id):
                continue
            own_key = ctx.issuer(ctx.pool(pool_id)).split("://", 1)[-1]
            if key not in (name, own_key):
                continue
            if provider.get("ClientId") and provider["ClientId"] != claims.get("aud"):
                raise not_authorized("Invalid login token. Incorrect token audience.")
            return f"{name}:{claims['sub']}", claims
        raise not_authorized(f"Invalid login token. Issuer doesn't match providerName")
    return None


def get_id(ctx: EngineContext, body: dict) -> dict:
    identity_pool_id = body.get("IdentityPoolId")
    props = _identity_pool(ctx, identity_pool_id)
    login = _login_subject(ctx, props, body.get("Logins") or {})
    if login is None:
        if not props.get("AllowUnauthenticatedIdentities"):
            raise not_authorized("Unauthenticated access is not supported for this identity pool.")
        identity_id = f"{ctx.region}:{uuid.uuid4()}"
        ctx.store.put_identity(identity_id, identity_pool_id, None)
        return {"IdentityId": identity_id}
    subject, _claims = login
    identity_id = ctx.store.find_identity(identity_pool_id, subject)
    if identity_id is None:
        identity_id = f"{ctx.region}:{uuid.uuid4()}"
        ctx.store.put_identity(identity_id, identity_pool_id, subject)
    return {"IdentityId": identity_id}


def _resolve_identity(ctx: EngineContext, body: dict) -> tuple[str, dict, str, dict | None]:
    identity_id = body.get("IdentityId") or ""
    found = ctx.store.get_identity(identity_id)
    if not found:
        raise resource_not_found(f"Identity '{identity_id}' not found.")
    identity_pool_id, subject = found.identity_pool_id, found.subject
    props = _identity_pool(ctx, identity_pool_id)
    login = _login_subject(ctx, props, body.get("Logins") or {})
    if login is None:
        if subject is not None:
            raise not_authorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
        if not props.get("AllowUnauthenticatedIdentities"):
            raise not_authorized("Unauthenticated access is not supported for this identity pool.")
        return identity_id, props, identity_pool_id, None
    if subject is None:  # an unauthenticated identity being linked to its first login
        ctx.store.put_identity(identity_id, identity_pool_id, login[0])
    elif subject != login[0]:
        raise not_authorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
    return identity_id, props, identity_pool_id, login[1]


def get_credentials_for_identity(ctx: EngineContext, body: dict) -> dict:
    identity_id, _props, identity_pool_id, claims = _resolve_identity(ctx, body)
    roles = (_roles(ctx, identity_pool_id).get("Roles") or {})
    role = roles.get("authenticated" if claims else "unauthenticated")
    if claims and claims.get("cognito:preferred_role"):
        role = claims["cognito:preferred_role"]
    if body.get("CustomRoleArn") and claims and body["CustomRoleArn"] in (claims.get("cognito:roles") or []):
        role = body["CustomRoleArn"]
    if not role:
        raise CognitoError("InvalidIdentityPoolConfigurationException",
                           "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
    alphabet = string.ascii_uppercase + string.digits
    credentials: dict[str, Any] = {
        "AccessKeyId": "ASIALOCAL" + "".join(secrets.choice(alphabet) for _ in range(11)),
        "SecretKey": "local/" + secrets.token_urlsafe(30),
        "SessionToken": "local-session." + secrets.token_urlsafe(96),
        "Expiration": int(ctx.now()) + _CREDENTIAL_SECONDS,
    }
    return {"IdentityId": identity_id, "Credentials": credentials}


def get_open_id_token(ctx: EngineContext, body: dict) -> dict:
    identity_id, _props, identity_pool_id, claims = _resolve_identity(ctx, body)
    now = int(ctx.now())
    token = ctx.signer.sign(OPENID_KEY, {
        "iss": f"{ctx.endpoint}/identity", "sub": identity_id, "aud": identity_pool_id,
        "amr": ["authenticated", claims["iss"]] if claims else ["unauthenticated"],
        "token_use": "openid", "iat": now, "exp": now + 600, "jti": str(uuid.uuid4()),
    })
    return {"IdentityId": identity_id, "Token": token}


def describe_identity_pool(ctx: EngineContext, body: dict) -> dict:
    props = _identity_pool(ctx, body.get("IdentityPoolId"))
    return {"IdentityPoolId": body["IdentityPoolId"], "IdentityPoolName": props.get("IdentityPoolName", ""),
            "AllowUnauthenticatedIdentities": bool(props.get("AllowUnauthenticatedIdentities")),
            "CognitoIdentityProviders": props.get("CognitoIdentityProviders") or []}


OPERATIONS = {
    "GetId": get_id,
    "GetCredentialsForIdentity": get_credentials_for_identity,
    "GetOpenIdToken": get_open_id_token,
    "DescribeIdentityPool": describe_identity_pool,
}
