"""Finding and saving users: user names, sign-in aliases, case sensitivity."""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, user_not_found
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.user import User, UserStatus
from amplify_py.local.user_store import SEARCHABLE

__all__ = ["username_key", "find_user", "get_user", "find_by_username", "save_user", "reload_user", "new_user",
           "user_for_client", "search_value", "index_older_users", "NOT_FOUND_FOR_CLIENT"]

NOT_FOUND_FOR_CLIENT = "Username/client id combination not found."


def username_key(pool: Pool, name: str) -> str:
    return name if pool.case_sensitive else name.lower()


def get_user(ctx: EngineContext, pool: Pool, username: str | None) -> User | None:
    """By the stored user name exactly (what sessions and tokens carry)."""
    record = ctx.store.get_user(pool.id, username or "")
    return User.from_record(record) if record is not None else None


def find_by_username(ctx: EngineContext, pool: Pool, name: str) -> User | None:
    """By user name only (no aliases), honouring the pool's case sensitivity."""
    record = ctx.store.find_user(pool.id, "username_key", username_key(pool, name))
    return User.from_record(record) if record is not None else None


def find_user(ctx: EngineContext, pool: Pool, name: str | None) -> User | None:
    """By user name, then by the sign-in attributes (username attributes, or verified aliases)."""
    if not name:
        return None
    user = find_by_username(ctx, pool, name)
    if user:
        return user
    for attr, column, key in (("email", "email_key", name.lower()), ("phone_number", "phone_key", name)):
        if attr not in pool.username_attributes and attr not in pool.alias_attributes:
            continue
        record = ctx.store.find_user(pool.id, column, key)
        found = User.from_record(record) if record else None
        # A sign-in attribute always signs in; an alias only once verified.
        if found and (attr in pool.username_attributes or found.verified(attr)):
            return found
    return None


def save_user(ctx: EngineContext, pool: Pool, user: User) -> None:
    user.modified = ctx.now()
    _write(ctx, pool.id, pool.case_sensitive, user)


def _write(ctx: EngineContext, pool_id: str, case_sensitive: bool, user: User) -> None:
    # A federated user never signs in by email or phone: only the native user with that address is found.
    native = user.status != UserStatus.EXTERNAL_PROVIDER
    email = user.attributes.get("email") if native else None
    ctx.store.put_user(pool_id, user.username, user.sub, user.to_record(),
                       username_key=user.username if case_sensitive else user.username.lower(),
                       email_key=email.lower() if email else None,
                       phone_key=user.attributes.get("phone_number") if native else None,
                       search={name: search_value(user, name) for name in SEARCHABLE})


def search_value(user: User, name: str) -> str:
    """The value ListUsers' Filter compares for attribute ``name`` ("" when the user has none)."""
    if name == "username":
        return user.username
    if name == "cognito:user_status":
        return str(user.status)
    if name == "status":
        return "Enabled" if user.enabled else "Disabled"
    return user.attributes.get(name, "")


def index_older_users(ctx: EngineContext) -> int:
    """Fill the searchable columns of users saved before they existed (their records are left as they were)."""
    done = 0
    while batch := ctx.store.unindexed_users():
        with ctx.store.transaction():
            for pool_id, record in batch:
                try:
                    case_sensitive = ctx.pool(pool_id).case_sensitive
                except CognitoError:  # a pool that is gone: its rows are purged with it
                    case_sensitive = True
                _write(ctx, pool_id, case_sensitive, User.from_record(record))
        done += len(batch)
    return done


def reload_user(ctx: EngineContext, pool: Pool, user: User) -> User:
    """Refresh ``user`` in place from the store (after a trigger, whose handler may have changed it)."""
    fresh = get_user(ctx, pool, user.username)
    if fresh is not None:
        user.__dict__.update(fresh.__dict__)
    return user


def new_user(ctx: EngineContext, username: str, attributes: dict[str, str], status: UserStatus) -> User:
    return User.new(username, attributes, status, ctx.now())


def user_for_client(ctx: EngineContext, pool: Pool, client: Client, username: str | None,
                    *, prevent_error: CognitoError | None = None) -> User:
    """The named user, or Cognito's answer for an unknown one (``prevent_error`` when existence errors are
    prevented and the operation has its own disguise)."""
    user = find_user(ctx, pool, username)
    if user is None:
        if client.prevent_user_existence_errors and prevent_error is not None:
            raise prevent_error
        raise user_not_found(NOT_FOUND_FOR_CLIENT)
    return user
