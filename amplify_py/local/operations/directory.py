"""Reading the directory: ListUsers, DescribeUserPool, DescribeUserPoolClient, ListUserPoolClients."""

from __future__ import annotations

import re
from typing import Any

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import invalid_parameter, resource_not_found
from amplify_py.local.model.user import User

__all__ = ["OPERATIONS"]

_FILTER = re.compile(r'([\w:]+)\s*(\^?=)\s*"(.*)"')
_PAGE = 60
_TOKEN_DIGITS = 18  # any offset a listing can reach; a longer token is not one of ours


def _filter_value(user: User, name: str) -> str:
    """The value ListUsers' Filter compares for attribute ``name``."""
    if name == "username":
        return user.username
    if name == "cognito:user_status":
        return str(user.status)
    if name == "status":
        return "Enabled" if user.enabled else "Disabled"
    return user.attributes.get(name, "")


def list_users(ctx: EngineContext, body: dict) -> dict:
    pool = ctx.pool(body.get("UserPoolId"))
    users = [User.from_record(r) for r in ctx.store.list_users(pool.id)]
    flt = (body.get("Filter") or "").strip()
    if flt:
        match = _FILTER.fullmatch(flt)
        if not match:
            raise invalid_parameter("Error while parsing filter.")
        name, op, value = match.groups()
        users = [u for u in users if (_filter_value(u, name) == value if op == "="
                                      else _filter_value(u, name).startswith(value))]
    token = body.get("PaginationToken")
    # ours are offsets into the listing: short ASCII digits (int() would refuse a 5,000-digit one)
    if token is not None and not (token.isdigit() and token.isascii() and len(token) <= _TOKEN_DIGITS):
        raise invalid_parameter(f"Paging marker {token} is invalid for request.")
    start = int(token or 0)
    limit = body.get("Limit") or _PAGE  # the shape check keeps it within 0..60; 0 means the default
    wanted = body.get("AttributesToGet")
    if wanted is not None:
        known = pool.schema()
        if any(name not in known or name == "sub" for name in wanted):  # sub is always returned, never requested
            raise invalid_parameter("One or more requested attributes do not exist.")
    page = users[start:start + limit]
    out: dict[str, Any] = {"Users": [_only(u.to_user_type(), wanted) for u in page]}
    if start + limit < len(users):
        out["PaginationToken"] = str(start + limit)
    return out


def _only(user_type: dict, names: list[str] | None) -> dict:
    """A ListUsers entry with just the requested attributes (all when ``AttributesToGet`` is absent)."""
    if names is not None:
        keep = {*names, "sub"}
        user_type["Attributes"] = [a for a in user_type.get("Attributes", []) if a["Name"] in keep]
    return user_type


def describe_user_pool(ctx: EngineContext, body: dict) -> dict:
    pool = ctx.pool(body.get("UserPoolId"))
    out = pool.describe()
    out["EstimatedNumberOfUsers"] = ctx.store.count_users(pool.id)
    return {"UserPool": out}


def describe_user_pool_client(ctx: EngineContext, body: dict) -> dict:
    pool, client = ctx.client(body.get("ClientId"))
    if body.get("UserPoolId") != pool.id:
        raise resource_not_found(f"User pool client {client.id} does not exist.")
    return {"UserPoolClient": client.describe()}


def list_user_pool_clients(ctx: EngineContext, body: dict) -> dict:
    pool = ctx.pool(body.get("UserPoolId"))
    return {"UserPoolClients": [{"ClientId": c.id, "UserPoolId": pool.id,
                                 "ClientName": c.props.get("ClientName") or c.logical_id} for c in ctx.clients(pool)]}


OPERATIONS = {
    "ListUsers": list_users,
    "DescribeUserPool": describe_user_pool,
    "DescribeUserPoolClient": describe_user_pool_client,
    "ListUserPoolClients": list_user_pool_clients,
}
