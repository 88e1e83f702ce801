"""Deploying a template to the engine: its Cognito resources become stored pools, clients and groups.

``deploy`` reads the Cognito resources of a synthesized CloudFormation template, gives each a physical id
the way Cognito shapes them, and keeps that id across redeploys unless CloudFormation itself would replace
the resource (replacing a pool deletes its users, as on AWS).
"""

from __future__ import annotations

import secrets
import string
import uuid
from dataclasses import dataclass, field
from typing import Any

from amplify_py.local.model.pool import (
    CLIENT,
    DOMAIN,
    GROUP,
    IDENTITY_POOL,
    IDP,
    POOL,
    RESOURCE_SERVER,
    RESOURCE_TYPES,
)
from amplify_py.local.resolve import Resolver
from amplify_py.local.store import Store

__all__ = ["DeployResult", "deploy", "delete", "new_physical_id"]

# Properties whose change makes CloudFormation replace the user pool.
_POOL_REPLACEMENT_KEYS = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")
_CLIENT_REPLACEMENT_KEYS = ("GenerateSecret", "UserPoolId")


@dataclass(frozen=True)
class DeployResult:
    """What a deploy produced: ``{logical_id: physical_id}`` for every Cognito resource, and the region."""

    deployment_id: str
    physical_ids: dict[str, str]
    region: str
    replaced: list[str] = field(default_factory=list)


def _alnum(n: int, alphabet: str) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def new_physical_id(rtype: str, region: str, props: dict) -> str:
    if rtype == POOL:
        return f"{region}_{_alnum(9, string.ascii_letters + string.digits)}"
    if rtype == CLIENT:
        return _alnum(26, string.ascii_lowercase + string.digits)
    if rtype == IDENTITY_POOL:
        return f"{region}:{uuid.uuid4()}"
    if rtype == GROUP:
        return str(props.get("GroupName") or "")
    if rtype == DOMAIN:
        return str(props.get("Domain") or "")
    if rtype == IDP:
        return str(props.get("ProviderName") or "")
    if rtype == RESOURCE_SERVER:
        return str(props.get("Identifier") or "")
    return f"local-{uuid.uuid4()}"


def _needs_replacement(rtype: str, old: dict, new: dict) -> bool:
    if rtype == POOL:
        if any(old.get(k) != new.get(k) for k in _POOL_REPLACEMENT_KEYS):
            return True
        old_schema = {a["Name"]: a for a in old.get("Schema") or []}
        new_schema = {a["Name"]: a for a in new.get("Schema") or []}
        # Adding attributes is an in-place update; removing or changing one replaces the pool.
        return any(name not in new_schema or new_schema[name] != attr for name, attr in old_schema.items())
    if rtype == CLIENT:
        return any(old.get(k) != new.get(k) for k in _CLIENT_REPLACEMENT_KEYS)
    if rtype in (GROUP, DOMAIN, IDP, RESOURCE_SERVER):
        return new_physical_id(rtype, "", old) != new_physical_id(rtype, "", new) or old.get("UserPoolId") != new.get(
            "UserPoolId"
        )
    return False


def deploy(store: Store, deployment_id: str, template: dict, region: str, now: float) -> DeployResult:
    """Create or update the deployment's Cognito resources from a template dict."""
    resources = template.get("Resources") or {}
    existing = {row.logical_id: row for row in store.resources(deployment_id)}
    assigned: dict[str, str] = {}
    replaced: list[str] = []

    def physical(logical_id: str) -> str | None:
        return assigned.get(logical_id)

    resolver = Resolver(template, region, deployment_id, physical)
    ordered = sorted(
        ((lid, r) for lid, r in resources.items() if r.get("Type") in RESOURCE_TYPES),
        key=lambda item: RESOURCE_TYPES.index(item[1]["Type"]),
    )
    with store.transaction():
        for logical_id, resource in ordered:
            rtype = resource["Type"]
            raw = resource.get("Properties") or {}
            props = resolver.resolve(raw)
            config: dict[str, Any] = {"props": props}
            if rtype == POOL:
                config["raw_lambda_config"] = raw.get("LambdaConfig") or {}
            previous = existing.get(logical_id)
            if previous and previous.type == rtype and not _needs_replacement(rtype, previous.config["props"], props):
                physical_id = previous.physical_id
                config["created"] = previous.config.get("created", now)
                if "secret" in previous.config:
                    config["secret"] = previous.config["secret"]
            else:
                if previous:
                    _remove(store, previous.type, previous.physical_id)
                    replaced.append(logical_id)
                physical_id = new_physical_id(rtype, region, props)
                config["created"] = now
                if rtype == CLIENT and props.get("GenerateSecret"):
                    config["secret"] = _alnum(51, string.ascii_lowercase + string.digits)
            assigned[logical_id] = physical_id
            store.put_resource(deployment_id, logical_id, rtype, physical_id, config)
        for logical_id, row in existing.items():
            if logical_id not in assigned:
                _remove(store, row.type, row.physical_id)
                store.delete_resource(deployment_id, logical_id)
    return DeployResult(deployment_id, dict(assigned), region, replaced)


def _remove(store: Store, rtype: str, physical_id: str) -> None:
    if rtype == POOL:
        store.purge_pool(physical_id)
    elif rtype == IDENTITY_POOL:
        store.purge_identity_pool(physical_id)


def delete(store: Store, deployment_id: str) -> None:
    """Remove a deployment's pools and every user, code, session and token in them."""
    with store.transaction():
        for row in store.resources(deployment_id):
            _remove(store, row.type, row.physical_id)
            store.delete_resource(deployment_id, row.logical_id)
