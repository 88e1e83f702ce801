"""Administering users: AdminCreateUser, AdminGetUser, AdminDeleteUser, AdminConfirmSignUp,
AdminSetUserPassword, AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminEnableUser,
AdminDisableUser."""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, not_authorized, user_not_found
from amplify_py.local.model.user import UserStatus
from amplify_py.local.operations._request import admin_user, check_username
from amplify_py.local.operations.sign_up import username_attributes_for
from amplify_py.local.rules import directory, passwords, triggers
from amplify_py.local.rules.attribute_updates import delete_attributes, update_attributes
from amplify_py.local.rules.attributes import pairs, validate_attributes
from amplify_py.local.rules.messages import MessageKind, deliver_code

__all__ = ["OPERATIONS"]

_EXISTS = "User account already exists"


def admin_create_user(ctx: EngineContext, body: dict) -> dict:
    check_username(body)
    pool = ctx.pool(body.get("UserPoolId"))
    username = body.get("Username") or ""
    action = body.get("MessageAction")
    existing = directory.find_user(ctx, pool, username)
    if action == "RESEND":
        if existing is None:
            raise user_not_found()
        user = existing
        password = passwords.temporary_password(pool)
    else:
        if existing:
            raise CognitoError("UsernameExistsException", _EXISTS)
        attrs = validate_attributes(pool, body.get("UserAttributes"), creating=False)
        if pool.username_attributes:
            username_attributes_for(pool, username, attrs)
        attrs = validate_attributes(pool, [{"Name": k, "Value": v} for k, v in attrs.items()], creating=True)
        user = directory.new_user(ctx, username, attrs, UserStatus.FORCE_CHANGE_PASSWORD)
        if pool.username_attributes:
            user.username = user.sub
        password = body.get("TemporaryPassword") or passwords.temporary_password(pool)
        if body.get("TemporaryPassword"):
            passwords.check_policy(pool, password)
        triggers.pre_sign_up(ctx, pool, user, None, "PreSignUp_AdminCreateUser",
                             validation_data=pairs(body.get("ValidationData")),
                             client_metadata=body.get("ClientMetadata"))
        if directory.find_user(ctx, pool, username):  # created by a concurrent request while the trigger ran
            raise CognitoError("UsernameExistsException", _EXISTS)
    passwords.set_password(pool, user, password)
    directory.save_user(ctx, pool, user)
    if action != "SUPPRESS":
        for medium in body.get("DesiredDeliveryMediums") or ["SMS"]:
            attribute = "email" if medium == "EMAIL" else "phone_number"
            if user.attributes.get(attribute):
                deliver_code(ctx, pool, user, attribute, password, MessageKind.INVITATION,
                             client_metadata=body.get("ClientMetadata"))
    return {"User": user.to_user_type()}


def admin_get_user(ctx: EngineContext, body: dict) -> dict:
    _pool, user = admin_user(ctx, body)
    return {**user.to_user_type(attributes_key="UserAttributes"), **user.mfa_settings()}


def admin_delete_user(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    ctx.store.delete_user(pool.id, user.username)
    return {}


def admin_confirm_sign_up(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    if user.status != UserStatus.UNCONFIRMED:
        raise not_authorized(f"User cannot be confirmed. Current status is {user.status}")
    user.status = UserStatus.CONFIRMED
    directory.save_user(ctx, pool, user)
    triggers.post_confirmation(ctx, pool, user, None, "PostConfirmation_ConfirmSignUp", body.get("ClientMetadata"))
    return {}


def admin_set_user_password(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    passwords.check_policy(pool, body.get("Password"))
    passwords.set_password(pool, user, body["Password"])
    user.failed = 0
    if body.get("Permanent"):
        if user.status in (UserStatus.FORCE_CHANGE_PASSWORD, UserStatus.RESET_REQUIRED):
            user.status = UserStatus.CONFIRMED
    else:
        user.status = UserStatus.FORCE_CHANGE_PASSWORD
    directory.save_user(ctx, pool, user)
    return {}


def admin_update_user_attributes(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    update_attributes(ctx, pool, user, body.get("UserAttributes"), admin=True, client_id=None,
                      client_metadata=body.get("ClientMetadata"))
    return {}


def admin_delete_user_attributes(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    delete_attributes(ctx, pool, user, body.get("UserAttributeNames") or [])
    return {}


def admin_enable_user(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    user.enabled = True
    directory.save_user(ctx, pool, user)
    return {}


def admin_disable_user(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    user.enabled = False
    directory.save_user(ctx, pool, user)
    ctx.store.revoke_user_tokens(pool.id, user.username)
    return {}


OPERATIONS = {
    "AdminCreateUser": admin_create_user,
    "AdminGetUser": admin_get_user,
    "AdminDeleteUser": admin_delete_user,
    "AdminConfirmSignUp": admin_confirm_sign_up,
    "AdminSetUserPassword": admin_set_user_password,
    "AdminUpdateUserAttributes": admin_update_user_attributes,
    "AdminDeleteUserAttributes": admin_delete_user_attributes,
    "AdminEnableUser": admin_enable_user,
    "AdminDisableUser": admin_disable_user,
}
