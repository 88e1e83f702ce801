"""The request's JSON types, checked against Cognito's own service model before an operation runs.

Cognito rejects a value of the wrong JSON type (a number for ``Username``, a
string for ``UserAttributes``) with ``SerializationException`` before looking
at it. The shapes come from botocore's copy of the service models (the ones
boto3 validates against), so the engine's operations only ever see the types
Cognito promises them; unknown members are ignored and ``null`` means absent.
"""

from __future__ import annotations

import functools
from typing import Any

from amplify_py.local.errors import CognitoError

__all__ = ["check_request"]

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


def check_request(service: str, operation: str, body: dict) -> None:
    """Raise SerializationException if any member of ``body`` has a JSON type its shape does not allow, and
    InvalidParameterException (Cognito's validation message) for a number outside its shape's range."""
    shape = _input_shape(service, operation)
    if shape is not None:
        _check(shape, body, "")


def _check(shape: Any, value: Any, path: str) -> None:
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
    if kind in ("integer", "long"):
        _check_range(shape, value, path)
    if kind == "structure":
        for name, member in shape.members.items():
            if name in value:
                _check(member, value[name], f"{path}.{name}" if path else name)
    elif kind == "map":
        for key, item in value.items():
            _check(shape.value, item, f"{path}.{key}")
    elif kind == "list":
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}[{index}]")


def _check_range(shape: Any, value: int, path: str) -> None:
    """Cognito's own constraint check of a number (``Limit``: 0 to 60, ``MaxResults``: 1 to 60, ...)."""
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    member = ".".join(part[:1].lower() + part[1:] for part in path.split(".")) or "(body)"
    prefix = f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must"
    if low is not None and value < low:
        raise CognitoError("InvalidParameterException", f"{prefix} have value greater than or equal to {low}")
    if high is not None and value > high:
        raise CognitoError("InvalidParameterException", f"{prefix} have value less than or equal to {high}")
