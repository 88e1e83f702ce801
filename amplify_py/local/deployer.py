"""Deploying a template to the engine: its Cognito resources become stored pools, clients and groups, its
KMS keys local keys (256 bits of material each, kept across redeploys; a pool whose ``KMSKeyID`` is the ARN of
a key outside the template, ``kms_key_arn=``, gets a local key under that ARN, since the real one is out of
reach).

``deploy`` reads the Cognito resources of a synthesized CloudFormation template, gives each a physical id
the way Cognito shapes them, and keeps that id across redeploys unless the change cannot be made in place
(then the resource is replaced: a new physical id, and a replaced pool loses its users).

A redeploy never deletes users or identities silently: ``plan`` says, before anything changes, which
resources a template would replace or delete and how many users and identities live in them, and
``deploy`` refuses (:class:`ReplacementRefused`, carrying that plan) unless the caller allows it. A
replacement that deletes nothing (an empty pool, an app client) goes ahead and is reported in the result.

Which changes replace a resource:

* the ``createOnlyProperties`` of each type's CloudFormation registry schema (client: ``GenerateSecret``,
  ``UserPoolId``; group: ``UserPoolId``, ``GroupName``; domain: ``UserPoolId``, ``Domain``; identity
  provider: ``UserPoolId``, ``ProviderName``, ``ProviderType``; role attachment: ``IdentityPoolId``);
* for the user pool, whose registry schema has none, the settings Cognito cannot change after creation
  ("Settings you can't change" in the Cognito developer guide): ``UsernameAttributes``,
  ``AliasAttributes``, ``UsernameConfiguration``, a removed or changed ``Schema`` attribute, and a new
  required one. On AWS such an update fails (``Existing schema attributes cannot be modified or
  deleted``) and ampx offers to recreate the sandbox; locally the pool is replaced once the caller allows it.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from amplify_py.local.model.kms import KMS_KEY
from amplify_py.local.model.pool import (
    CLIENT,
    DOMAIN,
    GROUP,
    IDENTITY_POOL,
    IDP,
    POOL,
    RESOURCE_SERVER,
    RESOURCE_TYPES,
    ROLE_ATTACHMENT,
    STANDARD_ATTRIBUTES,
)
from amplify_py.local.resolve import Resolver
from amplify_py.local.store import ResourceRow, Store

__all__ = [
    "DeployPlan",
    "DeployResult",
    "PropertyChange",
    "ReplacementRefused",
    "ResourceChange",
    "delete",
    "deploy",
    "new_physical_id",
    "plan",
]

_CREATE_ONLY: dict[str, tuple[str, ...]] = {
    CLIENT: ("GenerateSecret", "UserPoolId"),
    GROUP: ("UserPoolId", "GroupName"),
    DOMAIN: ("UserPoolId", "Domain"),
    IDP: ("UserPoolId", "ProviderName", "ProviderType"),
    RESOURCE_SERVER: ("UserPoolId", "Identifier"),
    ROLE_ATTACHMENT: ("IdentityPoolId",),
    KMS_KEY: ("KeySpec", "KeyUsage", "MultiRegion"),
}
# Keys first: a pool's LambdaConfig.KMSKeyID and a function's environment name their ARN.
_DEPLOYED_TYPES = (KMS_KEY, *RESOURCE_TYPES)
_IMPORTED_KEY = ".KMSKeyID"  # logical id suffix of the local key for a pool's imported KMSKeyID
_POOL_FIXED = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")
_NEW_ID = "(a new id)"  # what a plan shows for an id the deploy would generate


@dataclass(frozen=True)
class PropertyChange:
    """A property whose change cannot be made in place: its name, the deployed value and the new one."""

    name: str
    old: Any
    new: Any

    def describe(self) -> str:
        if self.new is None:
            return f"{self.name} removed (was {_show(self.old)})"
        if self.old is None:
            return f"{self.name} added ({_show(self.new)})"
        return f"{self.name} changed from {_show(self.old)} to {_show(self.new)}"


@dataclass(frozen=True)
class ResourceChange:
    """A deployed resource that a template replaces (``action="replace"``) or deletes (it left the template)."""

    logical_id: str
    resource_type: str
    physical_id: str
    action: str
    properties: tuple[PropertyChange, ...] = ()
    users: int = 0
    identities: int = 0
    new_physical_id: str | None = None

    @property
    def loses_data(self) -> bool:
        """Whether it takes users or identities with it."""
        return bool(self.users or self.identities)

    def lost(self) -> str:
        """``3 users`` / ``1 identity`` / ``no users``: what goes with it."""
        parts = [_count(self.users, "user")] if self.users else []
        parts += [_count(self.identities, "identity", "identities")] if self.identities else []
        return " and ".join(parts) or ("no identities" if self.resource_type == IDENTITY_POOL else "no users")

    def describe(self) -> str:
        head = f"{self.logical_id} ({self.resource_type} {self.physical_id})"
        if self.action == "delete":
            return f"{head} is no longer in the template"
        return f"{head}: " + "; ".join(change.describe() for change in self.properties)


@dataclass(frozen=True)
class DeployPlan:
    """What deploying a template would replace or delete, found before anything changes."""

    deployment_id: str
    changes: tuple[ResourceChange, ...] = ()

    @property
    def data_loss(self) -> tuple[ResourceChange, ...]:
        """The changes that delete users or identities: a deploy needs the caller's consent for these."""
        return tuple(change for change in self.changes if change.loses_data)

    def summary(self) -> str:
        """One sentence: ``would replace 1 resource and delete 3 users``."""
        lost = self.data_loss
        users, identities = sum(c.users for c in lost), sum(c.identities for c in lost)
        deleted = [_count(users, "user")] if users else []
        deleted += [_count(identities, "identity", "identities")] if identities else []
        replaced = sum(1 for c in lost if c.action == "replace")
        removed = len(lost) - replaced
        verbs = ([f"replace {_count(replaced, 'resource')}"] if replaced else []) + (
            [f"remove {_count(removed, 'resource')}"] if removed else [])
        return f"would {' and '.join(verbs)}, deleting {' and '.join(deleted)}"

    def describe(self) -> str:
        """Every change, one line each, with what it deletes."""
        lines = []
        for change in self.changes:
            verb = "replace" if change.action == "replace" else "delete"
            holds = f"; it holds {change.lost()}" if change.resource_type in (POOL, IDENTITY_POOL) else ""
            lines.append(f"  - {verb} {change.describe()}{holds}")
        return "\n".join(lines)


class ReplacementRefused(Exception):
    """A deploy that would delete users or identities, refused because the caller did not allow it."""

    def __init__(self, deploy_plan: DeployPlan) -> None:
        self.plan = deploy_plan
        super().__init__(f"Deploying {deploy_plan.deployment_id} {deploy_plan.summary()}:\n{deploy_plan.describe()}")


@dataclass(frozen=True)
class DeployResult:
    """What a deploy produced: ``{logical_id: physical_id}`` for every Cognito resource, and the region.

    ``replaced`` names the resources that got a new physical id; ``changes`` says what was replaced or
    deleted and what went with it.
    """

    deployment_id: str
    physical_ids: dict[str, str]
    region: str
    replaced: list[str] = field(default_factory=list)
    changes: tuple[ResourceChange, ...] = ()


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
    if rtype == KMS_KEY:
        return str(uuid.uuid4())
    return f"local-{uuid.uuid4()}"


def _fixed(value: Any) -> Any:
    """A value as compared for replacement: lists of names in any order are the same setting."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return sorted(value)
    return value


def _replacing_changes(rtype: str, old: dict, new: dict) -> tuple[PropertyChange, ...]:
    """The property changes that make ``rtype`` be replaced (none: an in-place update)."""
    if rtype == POOL:
        changes = [PropertyChange(k, old.get(k), new.get(k)) for k in _POOL_FIXED
                   if _fixed(old.get(k)) != _fixed(new.get(k))]
        return tuple(changes) + _schema_changes(old.get("Schema") or [], new.get("Schema") or [])
    keys = _CREATE_ONLY.get(rtype, ())
    if rtype == CLIENT:  # GenerateSecret defaults to false
        old, new = {**old, "GenerateSecret": bool(old.get("GenerateSecret"))}, {
            **new, "GenerateSecret": bool(new.get("GenerateSecret"))}
    return tuple(PropertyChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k))


def _schema_changes(old: list[dict], new: list[dict]) -> tuple[PropertyChange, ...]:
    """Adding an optional attribute is in place; removing or changing one, or adding a required one, is not."""
    before = {a.get("Name"): a for a in old}
    after = {a.get("Name"): a for a in new}
    changes = [PropertyChange(f"Schema attribute {_attribute(name)}", attr, after.get(name))
               for name, attr in before.items() if after.get(name) != attr]
    changes += [PropertyChange(f"Schema attribute {_attribute(name)} (required)", None, attr)
                for name, attr in after.items() if name not in before and attr.get("Required")]
    return tuple(changes)


def _attribute(name: Any) -> str:
    return str(name) if name in STANDARD_ATTRIBUTES else f"custom:{name}"


def _show(value: Any) -> str:
    if value == _NEW_ID:
        return _NEW_ID
    if isinstance(value, dict) and "Name" in value:  # a schema attribute: its name is said already
        value = {k: v for k, v in value.items() if k != "Name"}
    return json.dumps(value, sort_keys=True, default=str)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


@dataclass
class _Step:
    """One template resource: its resolved properties and the row it keeps or replaces."""

    logical_id: str
    rtype: str
    raw: dict
    props: dict
    physical_id: str
    previous: ResourceRow | None
    change: ResourceChange | None


def _loss(store: Store, row: ResourceRow, action: str, properties: tuple[PropertyChange, ...] = (),
          new_id: str | None = None) -> ResourceChange:
    users = store.count_users(row.physical_id) if row.type == POOL else 0
    identities = store.count_identities(row.physical_id) if row.type == IDENTITY_POOL else 0
    return ResourceChange(row.logical_id, row.type, row.physical_id, action, properties, users, identities, new_id)


def _steps(store: Store, deployment_id: str, template: dict, region: str,
           fresh_id: Callable[[str, dict], str]) -> tuple[list[_Step], list[ResourceChange]]:
    """What deploying ``template`` does, resource by resource (reads the store, writes nothing)."""
    existing = {row.logical_id: row for row in store.resources(deployment_id)}
    assigned: dict[str, str] = {}
    resolver = Resolver(template, region, deployment_id, assigned.get)
    resources = template.get("Resources") or {}
    ordered = sorted(
        ((lid, r) for lid, r in resources.items() if r.get("Type") in _DEPLOYED_TYPES),
        key=lambda item: _DEPLOYED_TYPES.index(item[1]["Type"]),
    )
    steps = []
    for logical_id, resource in ordered:
        rtype = resource["Type"]
        raw = resource.get("Properties") or {}
        props = resolver.resolve(raw)
        previous = existing.get(logical_id)
        if previous is not None and previous.type == rtype:
            properties = _replacing_changes(rtype, previous.config["props"], props)
        else:
            properties = (PropertyChange("Type", previous.type, rtype),) if previous is not None else ()
        if previous is not None and not properties:
            physical_id, change = previous.physical_id, None
        else:
            physical_id = fresh_id(rtype, props)
            change = _loss(store, previous, "replace", properties, physical_id) if previous is not None else None
        assigned[logical_id] = physical_id
        steps.append(_Step(logical_id, rtype, raw, props, physical_id, previous, change))
    removed = [_loss(store, row, "delete") for logical_id, row in existing.items()
               if logical_id not in assigned and not _imported_key_of(logical_id, assigned)]
    return steps, removed


def _imported_key_of(logical_id: str, assigned: dict[str, str]) -> bool:
    """Whether ``logical_id`` is the local stand-in for the imported sender key of a pool still deployed
    (``deploy`` keeps or renews it after the pool)."""
    return logical_id.endswith(_IMPORTED_KEY) and logical_id[:-len(_IMPORTED_KEY)] in assigned


def plan(store: Store, deployment_id: str, template: dict, region: str) -> DeployPlan:
    """What deploying ``template`` would replace or delete, and how many users and identities that takes."""

    def planned_id(rtype: str, props: dict) -> str:
        return _NEW_ID if rtype in (POOL, CLIENT, IDENTITY_POOL) else new_physical_id(rtype, region, props)

    steps, removed = _steps(store, deployment_id, template, region, planned_id)
    return DeployPlan(deployment_id, tuple(s.change for s in steps if s.change is not None) + tuple(removed))


def deploy(store: Store, deployment_id: str, template: dict, region: str, now: float, *,
           allow_replacement: bool = False) -> DeployResult:
    """Create or update the deployment's Cognito resources from a template dict.

    Raises :class:`ReplacementRefused` (and changes nothing) when the template would delete users or
    identities, unless ``allow_replacement``.
    """
    with store.transaction():
        if not allow_replacement:
            planned = plan(store, deployment_id, template, region)
            if planned.data_loss:
                raise ReplacementRefused(planned)
        steps, removed = _steps(store, deployment_id, template, region,
                                lambda rtype, props: new_physical_id(rtype, region, props))
        resolver = Resolver(template, region, deployment_id, {s.logical_id: s.physical_id for s in steps}.get)
        for step in steps:
            config: dict[str, Any] = {"props": step.props}
            if step.rtype == POOL:
                config["raw_lambda_config"] = step.raw.get("LambdaConfig") or {}
            if step.change is None and step.previous is not None:
                config["created"] = step.previous.config.get("created", now)
                for kept in ("secret", "material"):
                    if kept in step.previous.config:
                        config[kept] = step.previous.config[kept]
            else:
                if step.previous is not None:
                    _remove(store, step.previous.type, step.previous.physical_id)
                config["created"] = now
                if step.rtype == CLIENT and step.props.get("GenerateSecret"):
                    config["secret"] = _alnum(51, string.ascii_lowercase + string.digits)
                if step.rtype == KMS_KEY:
                    config["material"] = _key_material()
            if step.rtype == KMS_KEY:
                config["arn"] = resolver.get_att(step.logical_id, "Arn")
            store.put_resource(deployment_id, step.logical_id, step.rtype, step.physical_id, config)
            if step.rtype == POOL:
                _import_sender_key(store, deployment_id, step.logical_id, step.props, now)
        for change in removed:
            _remove(store, change.resource_type, change.physical_id)
            store.delete_resource(deployment_id, change.logical_id)
    replaced = [s.change for s in steps if s.change is not None]
    return DeployResult(deployment_id, {s.logical_id: s.physical_id for s in steps}, region,
                        [c.logical_id for c in replaced], tuple(replaced) + tuple(removed))


def _key_material() -> str:
    """A symmetric KMS key's material: 256 random bits (stored base64)."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _import_sender_key(store: Store, deployment_id: str, pool_logical_id: str, props: dict, now: float) -> None:
    """A local key for a pool's KMSKeyID when that is the ARN of a key the template does not declare."""
    arn = (props.get("LambdaConfig") or {}).get("KMSKeyID")
    logical_id = pool_logical_id + _IMPORTED_KEY
    rows = store.resources(deployment_id)
    own = any(row.type == KMS_KEY and row.config.get("arn") == arn and not row.logical_id.endswith(_IMPORTED_KEY)
              for row in rows)
    if own or not isinstance(arn, str) or not arn.startswith("arn:") or ":key/" not in arn:
        store.delete_resource(deployment_id, logical_id)  # no imported key (any more)
        return
    previous = next((row for row in rows if row.logical_id == logical_id), None)
    if previous is not None and previous.config.get("arn") == arn:
        config = previous.config
    else:
        config = {"props": {"Description": "local stand-in for an imported key"}, "arn": arn,
                  "material": _key_material(), "created": now}
    store.put_resource(deployment_id, logical_id, KMS_KEY, arn.rsplit("/", 1)[1], config)


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
