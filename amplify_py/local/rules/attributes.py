"""User attributes checked against the pool's schema, with Cognito's messages."""

from __future__ import annotations

import re
from typing import Any

from amplify_py.local.errors import invalid_parameter
from amplify_py.local.model.pool import Pool, SchemaAttribute

__all__ = ["validate_attributes", "pairs", "SCHEMA_PREFIX", "IMMUTABLE"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+[0-9]{4,15}$")
SCHEMA_PREFIX = "Attributes did not conform to the schema: "
IMMUTABLE = "Attribute cannot be updated. (changing an immutable attribute)"


def pairs(items: list[dict] | None) -> dict[str, Any]:
    """A ``[{"Name", "Value"}]`` list (AttributeType, ValidationData) as a dict."""
    return {i["Name"]: i.get("Value") for i in items or [] if isinstance(i, dict)}


def validate_attributes(pool: Pool, items: list[dict] | None, *, creating: bool,
                        existing: dict[str, str] | None = None) -> dict[str, str]:
    """The given attributes as strings, or Cognito's InvalidParameterException for the first problem."""
    schema = pool.schema()
    values: dict[str, str] = {}
    for item in items or []:
        name, value = item.get("Name"), item.get("Value", "")
        attr = schema.get(name or "")
        if attr is None:
            raise invalid_parameter(f"{SCHEMA_PREFIX}Type for attribute {{{name}}} could not be determined")
        value = "" if value is None else str(value)
        if name == "sub" or (not attr.mutable and not creating and existing and name in existing):
            raise invalid_parameter(f"{SCHEMA_PREFIX}{name}: {IMMUTABLE}")
        _check_value(attr, value)
        values[name] = value
    if creating:
        missing = [a.name for a in schema.values() if a.required and a.name != "sub" and not values.get(a.name)]
        if missing:
            detail = "\n".join(f"{m}: The attribute is required" for m in missing)
            raise invalid_parameter(f"{SCHEMA_PREFIX}{detail}")
    return values


def _check_value(attr: SchemaAttribute, value: str) -> None:
    name = attr.name
    if len(value) > 2048:
        raise invalid_parameter(f"{SCHEMA_PREFIX}{name}: String must be no longer than 2048 characters")
    if name == "email" and value and not _EMAIL.match(value):
        raise invalid_parameter("Invalid email address format.")
    if name == "phone_number" and value and not _PHONE.match(value):
        raise invalid_parameter("Invalid phone number format.")
    if attr.data_type == "String":
        if attr.max_length is not None and len(value) > attr.max_length:
            raise invalid_parameter(f"{SCHEMA_PREFIX}{name}: String must be no longer than {attr.max_length} characters")
        if attr.min_length is not None and len(value) < attr.min_length:
            raise invalid_parameter(f"{SCHEMA_PREFIX}{name}: String must be no shorter than {attr.min_length} characters")
    elif attr.data_type == "Number":
        try:
            number = float(value)
        except ValueError as exc:
            raise invalid_parameter(f"{SCHEMA_PREFIX}{name}: Number must be a valid integer") from exc
        if attr.max_value is not None and number > attr.max_value:
            raise invalid_parameter(f"{SCHEMA_PREFIX}{name}: Number must be no greater than {int(attr.max_value)}")
        if attr.min_value is not None and number < attr.min_value:
            raise invalid_parameter(f"{SCHEMA_PREFIX}{name}: Number must be no less than {int(attr.min_value)}")
    elif attr.data_type == "Boolean" and value not in ("true", "false"):
        raise invalid_parameter(f"{SCHEMA_PREFIX}{name}: Boolean attribute must be true or false")
