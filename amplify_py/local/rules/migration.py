"""Bringing in a user the pool does not know, from the UserMigration trigger's answer."""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.user import User, UserStatus
from amplify_py.local.rules import directory, passwords, triggers
from amplify_py.local.rules.attributes import pairs, validate_attributes

__all__ = ["migrate_user"]


def migrate_user(ctx: EngineContext, pool: Pool, client_id: str | None, username: str, source: str, body: dict,
                 *, password: str | None = None) -> User | None:
    """The migrated user, or None when no trigger runs or the old directory does not know the user.

    ``password`` (sign-in) is the password that worked in the old directory; without one (forgot password)
    the user must reset it."""
    outcome = triggers.user_migration(ctx, pool, username, client_id, source, password=password,
                                      validation_data=pairs(body.get("ValidationData")) or None,
                                      client_metadata=body.get("ClientMetadata"))
    if outcome is None:
        return None
    existing = directory.find_user(ctx, pool, username)
    if existing is not None:  # brought in by a concurrent request (or the handler) while the trigger ran
        return existing
    given = [{"Name": k, "Value": v} for k, v in outcome.user_attributes.items() if k != "sub"]
    attrs = validate_attributes(pool, given, creating=True)
    if pool.username_attributes:
        key = "email" if "@" in username else "phone_number"
        if key in pool.username_attributes and attrs.get(key, username) != username:
            raise CognitoError("UserLambdaValidationException",
                               f"UserMigration failed with error {key} must equal the user name.")
        attrs.setdefault(key, username)
    status = outcome.final_user_status or (UserStatus.CONFIRMED if password is not None else UserStatus.RESET_REQUIRED)
    user = directory.new_user(ctx, username, attrs, UserStatus(status))
    if pool.username_attributes:
        user.username = user.sub
    if password is not None:
        passwords.set_password(pool, user, password)
    directory.save_user(ctx, pool, user)
    return user
