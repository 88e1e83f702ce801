"""What the local console reads and changes, in the engine's terms (the HTTP face is ``http/console.py``).

Reads go through the engine's own layers (the store, ``model``, ``rules.directory``) under the store lock,
so a page shows one consistent moment. Write actions are Cognito's own Admin* operations run through the
registry, so they follow Cognito's rules (confirming a user runs its post confirmation trigger, disabling
one revokes its refresh tokens) and appear in the recent requests like any other call. The one exception
is resetting MFA, which Cognito's API cannot do in one call: it turns every factor off and forgets the
authenticator app, so the user sets MFA up again.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, resource_not_found, user_not_found
from amplify_py.local.model.pool import POOL, Client, Group, Pool
from amplify_py.local.model.user import MfaSettings, User
from amplify_py.local.operations import registry
from amplify_py.local.rules import directory

__all__ = ["PoolSummary", "UserRow", "UserDetail", "ActionError", "ACTIONS", "pools", "pool_summary", "users",
           "user_detail", "recent_messages", "run_action", "OUTBOX_LIMIT"]

OUTBOX_LIMIT = 200  # the newest messages the outbox page shows


@dataclass(frozen=True)
class PoolSummary:
    pool: Pool
    user_count: int
    clients: list[Client]
    groups: list[Group]

    @property
    def name(self) -> str:
        return str(self.pool.props.get("UserPoolName") or self.pool.logical_id)

    @property
    def triggers(self) -> list[str]:
        """The pool's configured Lambda triggers, by Cognito's LambdaConfig names."""
        config = self.pool.raw_lambda_config
        names = [name for name, value in config.items() if value and name != "PreTokenGenerationConfig"]
        if "PreTokenGeneration" not in names and (config.get("PreTokenGenerationConfig") or {}).get("LambdaArn"):
            names.append("PreTokenGeneration")
        return sorted(names)


@dataclass(frozen=True)
class UserRow:
    user: User
    groups: list[str]


@dataclass(frozen=True)
class UserDetail:
    summary: PoolSummary
    user: User
    groups: list[str]
    passkeys: int

    @property
    def other_groups(self) -> list[Group]:
        """The pool's groups the user is not in (what "add to group" offers)."""
        return [g for g in self.summary.groups if g.name not in self.groups]


class ActionError(Exception):
    """A write action refused: ``field`` is the form field it is about (None: the action as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- reads ---------------------------------------------------------------------------------
def _summary(ctx: EngineContext, pool: Pool) -> PoolSummary:
    groups = sorted(ctx.groups(pool).values(), key=lambda g: (g.precedence is None, g.precedence or 0, g.name))
    return PoolSummary(pool, ctx.store.count_users(pool.id), ctx.clients(pool), groups)


def pools(ctx: EngineContext) -> list[PoolSummary]:
    """Every deployed user pool, by deployment and name."""
    with ctx.store.lock:
        found = [Pool(r.physical_id, r.deployment, r.logical_id, r.config) for r in ctx.store.resources_of_type(POOL)]
        return sorted((_summary(ctx, p) for p in found), key=lambda s: (s.pool.deployment, s.name, s.pool.id))


def pool_summary(ctx: EngineContext, pool_id: str) -> PoolSummary:
    with ctx.store.lock:
        return _summary(ctx, ctx.pool(pool_id))


def users(ctx: EngineContext, pool_id: str, *, offset: int, limit: int) -> tuple[PoolSummary, list[UserRow]]:
    """One page of the pool's users (oldest first) with their groups."""
    with ctx.store.lock:
        summary = _summary(ctx, ctx.pool(pool_id))
        page = [User.from_record(r) for r in ctx.store.list_users(pool_id)[offset:offset + limit]]
        return summary, [UserRow(u, sorted(ctx.store.groups_of(pool_id, u.username))) for u in page]


def user_detail(ctx: EngineContext, pool_id: str, username: str) -> UserDetail:
    """The user by its stored user name (what the console's links carry)."""
    with ctx.store.lock:
        summary = _summary(ctx, ctx.pool(pool_id))
        user = directory.get_user(ctx, summary.pool, username)
        if user is None:
            raise user_not_found(f"User {username} does not exist in pool {pool_id}.")
        return UserDetail(summary, user, sorted(ctx.store.groups_of(pool_id, user.username)),
                          len(ctx.store.webauthn_credentials(pool_id, user.username)))


def recent_messages(ctx: EngineContext, limit: int = OUTBOX_LIMIT) -> list[dict[str, Any]]:
    """The newest ``limit`` messages of the outbox file, newest first (a long outbox is read line by line)."""
    path = ctx.outbox.path
    if not path.exists():
        return []
    with path.open(encoding="utf-8", errors="replace") as fh:
        lines = deque((line for line in fh if line.strip()), maxlen=limit)
    messages = []
    for line in reversed(lines):
        try:
            messages.append(json.loads(line))
        except ValueError:  # a line cut short by a crash: skip it, keep the rest
            continue
    return messages


# --- write actions -------------------------------------------------------------------------
def _required(form: Mapping[str, str], field: str, message: str) -> str:
    value = form.get(field, "")
    if not value:
        raise ActionError(message, field)
    return value


def _delete(form: Mapping[str, str]) -> dict[str, Any]:
    if form.get("confirm_delete") != "yes":
        raise ActionError("Tick the box to confirm: deleting a user cannot be undone.", "confirm_delete")
    return {}


def _password(form: Mapping[str, str]) -> dict[str, Any]:
    return {"Password": _required(form, "password", "Enter the new password."),
            "Permanent": form.get("permanent") == "yes"}


def _group(form: Mapping[str, str]) -> dict[str, Any]:
    return {"GroupName": _required(form, "group", "Choose a group.")}


@dataclass(frozen=True)
class _Action:
    operation: str | None  # the Admin* operation; None: the console's own (reset MFA)
    done: str  # what the page says afterwards
    body: Callable[[Mapping[str, str]], dict[str, Any]] = lambda _form: {}
    field: str | None = None  # the form field Cognito's refusal is about


ACTIONS: dict[str, _Action] = {
    "confirm": _Action("AdminConfirmSignUp", "User confirmed."),
    "disable": _Action("AdminDisableUser", "User disabled; its refresh tokens are revoked."),
    "enable": _Action("AdminEnableUser", "User enabled."),
    "delete": _Action("AdminDeleteUser", "User deleted.", _delete),
    "set-password": _Action("AdminSetUserPassword", "Password set.", _password, "password"),
    "add-to-group": _Action("AdminAddUserToGroup", "Added to the group.", _group, "group"),
    "remove-from-group": _Action("AdminRemoveUserFromGroup", "Removed from the group.", _group),
    "reset-mfa": _Action(None, "MFA reset: every factor is off and the authenticator app is forgotten."),
}


def run_action(ctx: EngineContext, pool_id: str, action: str, username: str, form: Mapping[str, str]) -> str:
    """Run ``action`` on the user; what to tell the user, or :class:`ActionError` (Cognito's refusal included)."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise resource_not_found(f"The console has no action {action}.")
    ctx.pool(pool_id)  # a pool that is gone is the page's 404, not a form error
    body = {"UserPoolId": pool_id, "Username": username, **spec.body(form)}
    try:
        if spec.operation is None:
            _reset_mfa(ctx, pool_id, username)
        else:
            registry.dispatch(ctx, registry.USER_POOL_TARGET + spec.operation, body)
    except CognitoError as exc:
        raise ActionError(f"{exc.name}: {exc.message}", spec.field) from exc
    return spec.done


def _reset_mfa(ctx: EngineContext, pool_id: str, username: str) -> None:
    with ctx.store.lock:
        pool = ctx.pool(pool_id)
        user = directory.get_user(ctx, pool, username)
        if user is None:
            raise user_not_found()
        user.mfa = MfaSettings()
        user.totp_secret = user.totp_pending = None
        user.totp_last_step = -1
        directory.save_user(ctx, pool, user)
