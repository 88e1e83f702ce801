"""Groups: ListGroups, GetGroup, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
ListUsersInGroup. Groups come from the template; membership is the engine's."""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import resource_not_found
from amplify_py.local.model.pool import Group, Pool
from amplify_py.local.operations._request import admin_user
from amplify_py.local.rules import directory

__all__ = ["OPERATIONS"]


def _group(ctx: EngineContext, pool: Pool, name: str | None) -> Group:
    group = ctx.groups(pool).get(name or "")
    if group is None:
        raise resource_not_found("Group not found.")
    return group


def admin_add_user_to_group(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    group = _group(ctx, pool, body.get("GroupName"))
    ctx.store.add_membership(pool.id, user.username, group.name)
    return {}


def admin_remove_user_from_group(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    group = _group(ctx, pool, body.get("GroupName"))
    ctx.store.remove_membership(pool.id, user.username, group.name)
    return {}


def admin_list_groups_for_user(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    groups = ctx.groups(pool)
    names = sorted(ctx.store.groups_of(pool.id, user.username))
    return {"Groups": [(groups.get(n) or Group(n, pool.id)).to_group_type() for n in names]}


def list_groups(ctx: EngineContext, body: dict) -> dict:
    pool = ctx.pool(body.get("UserPoolId"))
    return {"Groups": [g.to_group_type() for _n, g in sorted(ctx.groups(pool).items())]}


def get_group(ctx: EngineContext, body: dict) -> dict:
    pool = ctx.pool(body.get("UserPoolId"))
    return {"Group": _group(ctx, pool, body.get("GroupName")).to_group_type()}


def list_users_in_group(ctx: EngineContext, body: dict) -> dict:
    pool = ctx.pool(body.get("UserPoolId"))
    group = _group(ctx, pool, body.get("GroupName"))
    users = [directory.get_user(ctx, pool, n) for n in ctx.store.members_of(pool.id, group.name)]
    return {"Users": [u.to_user_type() for u in users if u]}


OPERATIONS = {
    "ListGroups": list_groups,
    "GetGroup": get_group,
    "AdminAddUserToGroup": admin_add_user_to_group,
    "AdminRemoveUserFromGroup": admin_remove_user_from_group,
    "AdminListGroupsForUser": admin_list_groups_for_user,
    "ListUsersInGroup": list_users_in_group,
}
