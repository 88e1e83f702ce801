"""Reading the directory: ListUsers, DescribeUserPool, DescribeUserPoolClient, ListUserPoolClients."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import invalid_parameter, resource_not_found
from amplify_py.local.model.user import User
from amplify_py.local.rules.directory import search_value
from amplify_py.local.user_store import SEARCHABLE

__all__ = ["OPERATIONS"]

_FILTER = re.compile(r'([\w:]+)\s*(\^?=)\s*"(.*)"')
_PAGE = 60
_TOKEN_CHARS = 2048  # a key of ours (one or two values of at most 2048 bytes each, base64) is shorter


def list_users(ctx: EngineContext, body: dict) -> dict:
    pool = ctx.pool(body.get("UserPoolId"))
    name, prefix, value = _parse_filter(body.get("Filter"))
    after = _read_token(body.get("PaginationToken"))
    limit = body.get("Limit") or _PAGE  # the shape check keeps it within 0..60; 0 means the default
    wanted = body.get("AttributesToGet")
    if wanted is not None:
        known = pool.schema()
        if any(name not in known or name == "sub" for name in wanted):  # sub is always returned, never requested
            raise invalid_parameter("One or more requested attributes do not exist.")
    if name is None or name in SEARCHABLE:
        if after is not None and len(after) != (2 if prefix and name not in (None, "username") else 1):
            raise invalid_parameter(f"Paging marker {body.get('PaginationToken')} is invalid for request.")
        records, next_key = ctx.store.user_page(pool.id, limit=limit, after=after, name=name, value=value,
                                                prefix=prefix)
        users = [User.from_record(r) for r in records]
    else:  # not one of Cognito's searchable attributes: compared in Python, as the engine always did
        users, next_key = _scan(ctx, pool.id, name, value, prefix, after, limit)
    out: dict[str, Any] = {"Users": [_only(u.to_user_type(), wanted) for u in users]}
    if next_key is not None:
        out["PaginationToken"] = base64.urlsafe_b64encode(json.dumps(next_key).encode()).decode()
    return out


def _parse_filter(text: str | None) -> tuple[str | None, bool, str]:
    """(attribute name or None, prefix match?, value) of a ListUsers Filter."""
    flt = (text or "").strip()
    if not flt:
        return None, False, ""
    match = _FILTER.fullmatch(flt)
    if not match:
        raise invalid_parameter("Error while parsing filter.")
    name, op, value = match.groups()
    return name, op == "^=", value


def _read_token(token: str | None) -> list[str] | None:
    """The key a PaginationToken of ours carries (opaque to clients), or Cognito's error for any other."""
    if token is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode("ascii"))) if len(token) <= _TOKEN_CHARS * 3 else None
    except (ValueError, UnicodeError, RecursionError):
        key = None
    if not (isinstance(key, list) and key and all(isinstance(k, str) for k in key)):
        raise invalid_parameter(f"Paging marker {token} is invalid for request.")
    return key


def _scan(ctx: EngineContext, pool_id: str, name: str, value: str, prefix: bool, after: list[str] | None,
          limit: int) -> tuple[list[User], list[str] | None]:
    users = [User.from_record(r) for r in ctx.store.list_users(pool_id)]  # by user name
    users = [u for u in users if (after is None or u.username > after[0])
             and (search_value(u, name).startswith(value) if prefix else search_value(u, name) == value)]
    return users[:limit], ([users[limit - 1].username] if len(users) > limit else None)


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
