"""The signed-in user's own account: GetUser, UpdateUserAttributes, DeleteUserAttributes,
GetUserAttributeVerificationCode, VerifyUserAttribute, DeleteUser."""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import invalid_parameter
from amplify_py.local.rules import codes, directory, tokens
from amplify_py.local.rules.attribute_updates import check_alias_free, delete_attributes, update_attributes
from amplify_py.local.rules.messages import MessageKind, send_verification

__all__ = ["OPERATIONS"]


def get_user(ctx: EngineContext, body: dict) -> dict:
    _pool, user, _claims = tokens.authenticate(ctx, body.get("AccessToken"))
    return {"Username": user.username, "UserAttributes": user.attribute_list(), **user.mfa_settings()}


def update_user_attributes(ctx: EngineContext, body: dict) -> dict:
    pool, user, claims = tokens.authenticate(ctx, body.get("AccessToken"))
    deliveries = update_attributes(ctx, pool, user, body.get("UserAttributes"), admin=False,
                                   client_id=claims.get("client_id"), client_metadata=body.get("ClientMetadata"))
    return {"CodeDeliveryDetailsList": deliveries} if deliveries else {}


def delete_user_attributes(ctx: EngineContext, body: dict) -> dict:
    pool, user, _claims = tokens.authenticate(ctx, body.get("AccessToken"))
    delete_attributes(ctx, pool, user, body.get("UserAttributeNames") or [])
    return {}


def get_user_attribute_verification_code(ctx: EngineContext, body: dict) -> dict:
    pool, user, claims = tokens.authenticate(ctx, body.get("AccessToken"))
    name = body.get("AttributeName")
    if name not in ("email", "phone_number"):
        raise invalid_parameter("Invalid attribute name; only email and phone_number can be verified.")
    if not (user.pending.get(name) or user.attributes.get(name)):
        raise invalid_parameter(f"No {name} attribute exists for the user.")
    codes.count_attempt(ctx, pool, user, codes.attribute_purpose(name))
    delivery = send_verification(ctx, pool, user, codes.attribute_purpose(name), MessageKind.VERIFY_ATTRIBUTE,
                                 codes.ATTRIBUTE_TTL, attribute=name, client_id=claims.get("client_id"),
                                 client_metadata=body.get("ClientMetadata"))
    return {"CodeDeliveryDetails": delivery}


def verify_user_attribute(ctx: EngineContext, body: dict) -> dict:
    pool, user, _claims = tokens.authenticate(ctx, body.get("AccessToken"))
    name = body.get("AttributeName") or ""
    codes.count_attempt(ctx, pool, user, codes.attribute_purpose(name))
    codes.check(ctx, pool, user.username, codes.attribute_purpose(name), body.get("Code", ""))
    pending = user.pending.pop(name, None)
    if pending is not None:
        check_alias_free(ctx, pool, user, name, pending)
        user.attributes[name] = pending
    user.attributes[f"{name}_verified"] = "true"
    directory.save_user(ctx, pool, user)
    return {}


def delete_user(ctx: EngineContext, body: dict) -> dict:
    pool, user, _claims = tokens.authenticate(ctx, body.get("AccessToken"))
    ctx.store.delete_user(pool.id, user.username)
    return {}


OPERATIONS = {
    "GetUser": get_user,
    "UpdateUserAttributes": update_user_attributes,
    "DeleteUserAttributes": delete_user_attributes,
    "GetUserAttributeVerificationCode": get_user_attribute_verification_code,
    "VerifyUserAttribute": verify_user_attribute,
    "DeleteUser": delete_user,
}
