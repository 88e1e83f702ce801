"""Changing and deleting a user's attributes as Cognito does: email and phone changes wait for verification
where the pool says so, aliases stay unique, only admins set the verified flags."""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, invalid_parameter
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.user import User
from amplify_py.local.rules import codes, directory
from amplify_py.local.rules.attributes import IMMUTABLE, SCHEMA_PREFIX, validate_attributes
from amplify_py.local.rules.messages import MessageKind, send_verification

__all__ = ["update_attributes", "delete_attributes", "check_alias_free"]


def check_alias_free(ctx: EngineContext, pool: Pool, user: User, name: str, value: str) -> None:
    """An email or phone that signs users in may belong to one user only."""
    if name not in pool.username_attributes + pool.alias_attributes:
        return
    other = directory.find_user(ctx, pool, value)
    if other and other.username != user.username:
        raise CognitoError("AliasExistsException", f"An account with the given {name} already exists.")


def update_attributes(ctx: EngineContext, pool: Pool, user: User, items: list[dict] | None, *, admin: bool,
                      client_id: str | None, client_metadata: dict | None) -> list[dict]:
    """Apply the changes and send verification codes where needed; returns CodeDeliveryDetailsList."""
    values = validate_attributes(pool, items, creating=False, existing=user.attributes)
    deliveries = []
    for name, value in values.items():
        if name in ("email", "phone_number"):
            if value == user.attributes.get(name):
                continue
            check_alias_free(ctx, pool, user, name, value)
            if name in pool.auto_verified and not admin:  # a code will be sent: the hourly limit, before any change
                codes.count_attempt(ctx, pool, user, codes.attribute_purpose(name))
            if admin and values.get(f"{name}_verified") == "true":
                user.attributes[name] = value
                user.pending.pop(name, None)
                continue
            if name in pool.verify_before_update and user.verified(name):
                user.pending[name] = value
            else:
                user.attributes[name] = value
                user.attributes[f"{name}_verified"] = "false"
            if name in pool.auto_verified and not admin:
                directory.save_user(ctx, pool, user)
                deliveries.append(send_verification(
                    ctx, pool, user, codes.attribute_purpose(name), MessageKind.UPDATE_ATTRIBUTE, codes.ATTRIBUTE_TTL,
                    attribute=name, client_id=client_id, client_metadata=client_metadata))
                directory.reload_user(ctx, pool, user)  # a custom message trigger may have changed the user meanwhile
        elif name in ("email_verified", "phone_number_verified"):
            if not admin:
                raise invalid_parameter(f"{SCHEMA_PREFIX}{name}: {IMMUTABLE}")
            user.attributes[name] = value
        else:
            user.attributes[name] = value
    directory.save_user(ctx, pool, user)
    return deliveries


def delete_attributes(ctx: EngineContext, pool: Pool, user: User, names: list[str]) -> None:
    schema = pool.schema()
    for name in names:
        attr = schema.get(name)
        if attr is None:
            raise invalid_parameter(f"{SCHEMA_PREFIX}Type for attribute {{{name}}} could not be determined")
        if attr.required or name == "sub" or name in pool.username_attributes:
            raise invalid_parameter(f"{SCHEMA_PREFIX}{name}: The attribute is required")
        if not attr.mutable:
            raise invalid_parameter(f"{SCHEMA_PREFIX}{name}: {IMMUTABLE}")
        user.attributes.pop(name, None)
        if name in ("email", "phone_number"):
            user.attributes.pop(f"{name}_verified", None)
            user.pending.pop(name, None)
    directory.save_user(ctx, pool, user)
