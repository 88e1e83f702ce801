"""The request, checked against Cognito's own service model before an operation runs.

Two passes, in Cognito's order. First the JSON types: a value of the wrong type
(a number for ``Username``, a string for ``UserAttributes``) is
``SerializationException``. Then the model's constraints (required members,
string and list lengths, enum values, number ranges), every violation collected
into Cognito's one ``InvalidParameterException``::

    2 validation errors detected: Value at 'password' failed to satisfy constraint: Member must have
    length less than or equal to 256; Value null at 'username' failed to satisfy constraint: Member must not be null

Member paths are lowerCamelCase (``userAttributes.1.member.name``, 1-based); a
member the model marks ``sensitive`` is named without its value. The shapes come
from botocore's copy of the service models (the ones boto3 validates against),
so the operations only ever see what Cognito promises them; unknown members are
ignored and ``null`` means absent. Regular-expression patterns are not checked:
the model's are Java regexes (``\\p{L}``) that Python's ``re`` cannot run.
"""

from __future__ import annotations

import functools
from typing import Any

from amplify_py.local.errors import CognitoError

__all__ = ["check_request", "violations", "requires_iam", "load_models"]

_EXPECTED = {"string": "a string", "blob": "a string", "boolean": "a boolean", "integer": "an integer",
             "long": "an integer", "float": "a number", "double": "a number", "timestamp": "a number",
             "structure": "an object", "map": "an object", "list": "a list"}


@functools.cache
def _input_shape(service: str, operation: str) -> Any:
    return _service_model(service).operation_model(operation).input_shape


@functools.cache
def _service_model(service: str) -> Any:
    import botocore.session  # a runtime dependency (boto3); the models load on the first request

    return botocore.session.get_session().get_service_model(service)


def load_models() -> None:
    """Load the service models now (about 0.1 s) rather than on the first request: a worker does this before
    it serves, so its first request does not hold its loop while other connections wait."""
    for service in ("cognito-idp", "cognito-identity"):
        _service_model(service)


@functools.cache
def requires_iam(service: str, operation: str) -> bool | None:
    """Whether Cognito authorizes ``operation`` with IAM (a SigV4 signature): every operation the service model
    does not mark unauthenticated (``auth: ["smithy.api#noAuth"]``, formerly ``authtype: "none"``). None for an
    operation the model does not have."""
    model = _service_model(service)
    if operation not in model.operation_names:
        return None
    op = model.operation_model(operation)
    return not (op.auth_type == "none" or "smithy.api#noAuth" in (getattr(op, "auth", None) or ()))


def check_request(service: str, operation: str, body: dict) -> None:
    """Raise SerializationException if any member of ``body`` has a JSON type its shape does not allow, else
    InvalidParameterException with Cognito's validation message for every constraint of the model it breaks."""
    shape = _input_shape(service, operation)
    if shape is None:
        return
    _check_types(shape, body, "")
    problems = violations(shape, body)
    if problems:
        count = f"{len(problems)} validation error{'s' if len(problems) > 1 else ''} detected"
        raise CognitoError("InvalidParameterException", f"{count}: {'; '.join(problems)}")


# --- pass 1: JSON types ------------------------------------------------------
def _check_types(shape: Any, value: Any, path: str) -> None:
    if value is None:
        return
    kind = shape.type_name
    if kind in ("structure", "map"):
        ok = isinstance(value, dict)
    elif kind == "list":
        ok = isinstance(value, list)
    elif kind in ("string", "blob"):
        ok = isinstance(value, str)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:  # float, double, timestamp
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok:
        raise CognitoError("SerializationException",
                           f"Value at '{path or '(body)'}' must be {_EXPECTED.get(kind, kind)}.")
    if kind == "structure":
        for name, member in shape.members.items():
            if name in value:
                _check_types(member, value[name], f"{path}.{name}" if path else name)
    elif kind == "map":
        for key, item in value.items():
            _check_types(shape.value, item, f"{path}.{key}")
    elif kind == "list":
        for index, item in enumerate(value):
            _check_types(shape.member, item, f"{path}[{index}]")


# --- pass 2: the model's constraints -------------------------------------------
def violations(shape: Any, body: dict) -> list[str]:
    """Cognito's "Value ... at '...' failed to satisfy constraint: ..." phrases for ``body`` (types already
    checked), ordered by member path as Cognito's own messages are (``password`` before ``username``)."""
    found: list[tuple[str, str]] = []
    _structure(shape, body, "", found)
    found.sort(key=lambda item: item[0])  # stable: a member's own constraints keep their order
    return [phrase for _, phrase in found]


def _structure(shape: Any, value: dict, path: str, found: list[tuple[str, str]]) -> None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        where = f"{path}.{_camel(name)}" if path else _camel(name)
        item = value.get(name)
        if item is None:
            if name in required:
                found.append((where, f"Value null at '{where}' failed to satisfy constraint: Member must not be null"))
            continue
        _member(member, item, where, found)


def _member(shape: Any, value: Any, path: str, found: list[tuple[str, str]]) -> None:
    broken = _own_constraints(shape, value)
    for constraint in broken:
        found.append((path, f"{_value(shape, value)}at '{path}' failed to satisfy constraint: {constraint}"))
    kind = shape.type_name
    if kind == "structure":
        _structure(shape, value, path, found)
    elif kind == "list":
        for index, item in enumerate(value, start=1):
            if item is None:  # [null]: the member is missing, as a null member of a structure is
                where = f"{path}.{index}.member"
                found.append((where, f"Value null at '{where}' failed to satisfy constraint: Member must not be null"))
        if shape.member.type_name == "structure":
            for index, item in enumerate(value, start=1):
                if item is not None:
                    _structure(shape.member, item, f"{path}.{index}.member", found)
        elif any(item is not None and _own_constraints(shape.member, item) for item in value):
            # Cognito names the list, with every constraint of its members ('Member must satisfy
            # constraint: [Member must satisfy enum value set: [...]]' for ExplicitAuthFlows)
            found.append((path, f"{_value(shape, value)}at '{path}' failed to satisfy constraint: "
                                f"Member must satisfy constraint: [{', '.join(_all_constraints(shape.member))}]"))
    elif kind == "map":
        # as Cognito answers for SupportedLoginProviders: 'Map value must satisfy constraint: [...]'
        if any(_own_constraints(shape.key, key) for key in value):
            found.append((path, f"{_value(shape, value)}at '{path}' failed to satisfy constraint: "
                                f"Map key must satisfy constraint: [{', '.join(_all_constraints(shape.key))}]"))
        if any(item is None for item in value.values()):
            found.append((path, f"{_value(shape, value)}at '{path}' failed to satisfy constraint: "
                                f"Map value must satisfy constraint: [Member must not be null]"))
        if any(item is not None and _own_constraints(shape.value, item) for item in value.values()):
            found.append((path, f"{_value(shape, value)}at '{path}' failed to satisfy constraint: "
                                f"Map value must satisfy constraint: [{', '.join(_all_constraints(shape.value))}]"))


def _own_constraints(shape: Any, value: Any) -> list[str]:
    """The model's constraints on this one value that it breaks, in Cognito's order (length, then enum)."""
    meta, kind = shape.metadata, shape.type_name
    low, high = meta.get("min"), meta.get("max")
    broken: list[str] = []
    if kind in ("string", "list", "map"):
        size = _java_length(value) if kind == "string" else len(value)
        if high is not None and size > high:
            broken.append(f"Member must have length less than or equal to {high}")
        if low is not None and size < low:
            broken.append(f"Member must have length greater than or equal to {low}")
        if kind == "string" and meta.get("enum") and value not in meta["enum"]:
            broken.append(f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]")
    elif kind in ("integer", "long"):
        if low is not None and value < low:
            broken.append(f"Member must have value greater than or equal to {low}")
        if high is not None and value > high:
            broken.append(f"Member must have value less than or equal to {high}")
    return broken


def _all_constraints(shape: Any) -> list[str]:
    """Every constraint the model puts on a list's or map's members, as Cognito lists them."""
    meta = shape.metadata
    listed = []
    if meta.get("max") is not None:
        listed.append(f"Member must have length less than or equal to {meta['max']}")
    if meta.get("min") is not None:
        listed.append(f"Member must have length greater than or equal to {meta['min']}")
    if meta.get("pattern"):
        listed.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    if meta.get("enum"):
        listed.append(f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]")
    return listed


def _java_length(text: str) -> int:
    """Cognito counts a string's length in UTF-16 code units, as Java does."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2  # a lone surrogate is one unit, as in Java


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _value(shape: Any, value: Any) -> str:
    """``Value 'x' `` as Cognito quotes it (Java's rendering), or ``Value `` for anything sensitive."""
    if _sensitive(shape):
        return "Value "
    return f"Value '{_java(value)}' "


def _java(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_java(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_java(item)}" for key, item in value.items()) + "}"
    return str(value)


@functools.cache
def _sensitive(shape: Any) -> bool:
    """True if the shape, or anything inside it, is marked sensitive: its value is never echoed."""
    if shape.metadata.get("sensitive"):
        return True
    kind = shape.type_name
    if kind == "structure":
        return any(_sensitive(member) for member in shape.members.values())
    if kind == "list":
        return _sensitive(shape.member)
    if kind == "map":
        return _sensitive(shape.key) or _sensitive(shape.value)
    return False
