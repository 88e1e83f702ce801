"""What several operation families read from a request the same way."""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import invalid_parameter, user_not_found
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.user import User
from amplify_py.local.rules import directory
from amplify_py.local.rules.clients import check_secret_hash

__all__ = ["check_username", "client_request", "admin_user", "USERNAME_MAX"]

USERNAME_MAX = 128


def check_username(body: dict) -> None:
    """The request shape's own check of Username (required, at most 128 characters), before anything else."""
    value = body.get("Username")
    prefix = "1 validation error detected: Value"
    if value is None:
        raise invalid_parameter(f"{prefix} null at 'username' failed to satisfy constraint: Member must not be null")
    if len(str(value)) > USERNAME_MAX:
        raise invalid_parameter(f"{prefix} at 'username' failed to satisfy constraint: "
                                f"Member must have length less than or equal to {USERNAME_MAX}")


def client_request(ctx: EngineContext, body: dict) -> tuple[Pool, Client, str]:
    """The pool, app client and user name of a user operation sent by an app (ConfirmSignUp, ForgotPassword,
    ...): Username checked, then the client, then its SECRET_HASH."""
    check_username(body)
    pool, client = ctx.client(body.get("ClientId"))
    username = body.get("Username") or ""
    check_secret_hash(client, username, body.get("SecretHash"))
    return pool, client, username


def admin_user(ctx: EngineContext, body: dict) -> tuple[Pool, User]:
    """The pool and user an Admin* operation names (UserPoolId, Username)."""
    pool = ctx.pool(body.get("UserPoolId"))
    user = directory.find_user(ctx, pool, body.get("Username"))
    if user is None:
        raise user_not_found()
    return pool, user
