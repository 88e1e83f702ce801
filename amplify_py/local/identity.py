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

from amplify_py.local.core import Core
from amplify_py.local.errors import CognitoError, not_authorized, resource_not_found
from amplify_py.local.pools import IDENTITY_POOL, ROLE_ATTACHMENT

__all__ = ["OPERATIONS"]

_CREDENTIAL_SECONDS = 3600


def _identity_pool(core: Core, pool_id: str | None) -> tuple[str, dict]:
    found = core.store.resource_by_physical(IDENTITY_POOL, pool_id or "")
    if not found:
        raise resource_not_found(f"IdentityPool '{pool_id}' not found.")
    return found[0], found[2]["props"]


def _roles(core: Core, identity_pool_id: str) -> dict:
    for _dep, _lid, _physical, config in core.store.resources_of_type(ROLE_ATTACHMENT):
        if config["props"].get("IdentityPoolId") == identity_pool_id:
            return config["props"]
    return {}


def _login_subject(core: Core, props: dict, logins: dict[str, str]) -> tuple[str, dict] | None:
    """Validate the (single) Cognito login; returns (subject key, ID token claims)."""
    if not logins:
        return None
    providers = props.get("CognitoIdentityProviders") or []
    for key, token in logins.items():
        claims = core.signer.decode(token, now=core.now(), token_use="id",
                                    expired_message="Invalid login token. Token expired: the ID token has expired.",
                                    invalid_message="Invalid login token. Not a valid OpenId Connect identity token.")
        pool_id = str(claims.get("iss", "")).rsplit("/", 1)[-1]
        for provider in providers:
            name = str(provider.get("ProviderName", ""))
            if not name.endswith("/" + pool_id):
                continue
            own_key = core.issuer(core.pool(pool_id)).split("://", 1)[-1]
            if key not in (name, own_key):
                continue
            if provider.get("ClientId") and provider["ClientId"] != claims.get("aud"):
                raise not_authorized("Invalid login token. Incorrect token audience.")
            return f"{name}:{claims['sub']}", claims
        raise not_authorized(f"Invalid login token. Issuer doesn't match providerName")
    return None


def get_id(core: Core, body: dict) -> dict:
    identity_pool_id = body.get("IdentityPoolId")
    _dep, props = _identity_pool(core, identity_pool_id)
    login = _login_subject(core, props, body.get("Logins") or {})
    if login is None:
        if not props.get("AllowUnauthenticatedIdentities"):
            raise not_authorized("Unauthenticated access is not supported for this identity pool.")
        identity_id = f"{core.region}:{uuid.uuid4()}"
        core.store.put_identity(identity_id, identity_pool_id, None)
        return {"IdentityId": identity_id}
    subject, _claims = login
    identity_id = core.store.find_identity(identity_pool_id, subject)
    if identity_id is None:
        identity_id = f"{core.region}:{uuid.uuid4()}"
        core.store.put_identity(identity_id, identity_pool_id, subject)
    return {"IdentityId": identity_id}


def _resolve_identity(core: Core, body: dict) -> tuple[str, dict, str, dict | None]:
    identity_id = body.get("IdentityId") or ""
    found = core.store.get_identity(identity_id)
    if not found:
        raise resource_not_found(f"Identity '{identity_id}' not found.")
    identity_pool_id, subject = found
    _dep, props = _identity_pool(core, identity_pool_id)
    login = _login_subject(core, props, body.get("Logins") or {})
    if login is None:
        if subject is not None:
            raise not_authorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
        if not props.get("AllowUnauthenticatedIdentities"):
            raise not_authorized("Unauthenticated access is not supported for this identity pool.")
        return identity_id, props, identity_pool_id, None
    if subject is None:  # an unauthenticated identity being linked to its first login
        core.store.put_identity(identity_id, identity_pool_id, login[0])
    elif subject != login[0]:
        raise not_authorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
    return identity_id, props, identity_pool_id, login[1]


def get_credentials_for_identity(core: Core, body: dict) -> dict:
    identity_id, _props, identity_pool_id, claims = _resolve_identity(core, body)
    roles = (_roles(core, identity_pool_id).get("Roles") or {})
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
        "Expiration": int(core.now()) + _CREDENTIAL_SECONDS,
    }
    return {"IdentityId": identity_id, "Credentials": credentials}


def get_open_id_token(core: Core, body: dict) -> dict:
    identity_id, _props, identity_pool_id, claims = _resolve_identity(core, body)
    now = int(core.now())
    token = core.signer.sign({
        "iss": f"{core.endpoint}/identity", "sub": identity_id, "aud": identity_pool_id,
        "amr": ["authenticated", claims["iss"]] if claims else ["unauthenticated"],
        "token_use": "openid", "iat": now, "exp": now + 600, "jti": str(uuid.uuid4()),
    })
    return {"IdentityId": identity_id, "Token": token}


def describe_identity_pool(core: Core, body: dict) -> dict:
    _dep, props = _identity_pool(core, body.get("IdentityPoolId"))
    return {"IdentityPoolId": body["IdentityPoolId"], "IdentityPoolName": props.get("IdentityPoolName", ""),
            "AllowUnauthenticatedIdentities": bool(props.get("AllowUnauthenticatedIdentities")),
            "CognitoIdentityProviders": props.get("CognitoIdentityProviders") or []}


OPERATIONS = {
    "GetId": get_id,
    "GetCredentialsForIdentity": get_credentials_for_identity,
    "GetOpenIdToken": get_open_id_token,
    "DescribeIdentityPool": describe_identity_pool,
}
