"""Taking a JWT apart (without trusting it yet) and the small assertions the claim checks share.

Parsing is strict, as aws-jwt-verify's ``decomposeUnverifiedJwt``: exactly three
unpadded base64url parts, a JSON object header and payload (duplicate members and
NaN/Infinity refused, so no two parsers can read one token differently), and the
registered claims of the types RFC 7519 gives them.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from amplify_py.verify.errors import JwtParseError

__all__ = ["DecomposedJwt", "decompose", "expectation", "assert_contains", "assert_overlaps"]

_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_NUMERIC_CLAIMS = ("exp", "nbf", "iat", "auth_time")
_STRING_CLAIMS = ("iss", "sub", "scope", "jti", "token_use", "client_id", "username", "cognito:username")


@dataclass(frozen=True)
class DecomposedJwt:
    """The parts of a JWT whose signature has not been checked yet: trust none of them."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate member {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_object(part: str, what: str) -> dict[str, Any]:
    try:
        text = _b64decode(part).decode("utf-8")
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise JwtParseError(f"Invalid JWT. {what} is not a valid JSON object: {exc}") from exc
    if not isinstance(value, dict):
        raise JwtParseError(f"JWT {what.lower()} is not an object")
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def decompose(token: Any) -> DecomposedJwt:
    """Split and parse a JWT; raises ``JwtParseError`` for anything that is not a well-formed one."""
    if not token:
        raise JwtParseError("Empty JWT")
    if not isinstance(token, str):
        raise JwtParseError("JWT is not a string")
    if not _JWT.match(token):
        raise JwtParseError("JWT string does not consist of exactly 3 parts (header, payload, signature)")
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = _parse_object(header_b64, "Header")
    if "alg" in header and not isinstance(header["alg"], str):
        raise JwtParseError("JWT header alg claim is not a string")
    if "kid" in header and not isinstance(header["kid"], str):
        raise JwtParseError("JWT header kid claim is not a string")
    if "crit" in header:
        # RFC 7515 4.1.11: a recipient that does not understand a critical extension must reject the JWS.
        raise JwtParseError("JWT header has crit extensions, which are not supported")
    payload = _parse_object(payload_b64, "Payload")
    for name in _NUMERIC_CLAIMS:
        if name in payload and not is_number(payload[name]):
            raise JwtParseError(f"JWT payload {name} claim is not a number")
    for name in _STRING_CLAIMS:
        if name in payload and not isinstance(payload[name], str):
            raise JwtParseError(f"JWT payload {name} claim is not a string")
    aud = payload.get("aud")
    if "aud" in payload and not (
        isinstance(aud, str) or (isinstance(aud, list) and all(isinstance(a, str) for a in aud))
    ):
        raise JwtParseError("JWT payload aud claim is not a string or array of strings")
    groups = payload.get("cognito:groups")
    if "cognito:groups" in payload and not (
        isinstance(groups, list) and all(isinstance(g, str) for g in groups)
    ):
        raise JwtParseError("JWT payload cognito:groups claim is not an array of strings")
    try:
        signature = _b64decode(signature_b64)
    except binascii.Error as exc:
        raise JwtParseError(f"Invalid JWT. Signature is not valid base64url: {exc}") from exc
    return DecomposedJwt(
        header=header,
        payload=payload,
        signing_input=f"{header_b64}.{payload_b64}".encode("ascii"),
        signature=signature,
    )


def expectation(expected: str | Sequence[str]) -> str:
    """``Expected: a`` or ``Expected one of: a, b``, as aws-jwt-verify words it."""
    values = [expected] if isinstance(expected, str) else list(expected)
    if len(values) > 1:
        return f"Expected one of: {', '.join(values)}"
    return f"Expected: {values[0]}"


def assert_contains(name: str, actual: Any, expected: Sequence[str], error: type, **extra: Any) -> None:
    """``actual`` must be a non-empty string and one of ``expected``."""
    if not actual:
        raise error(f"Missing {name}. {expectation(expected)}", actual, tuple(expected), **extra)
    if not isinstance(actual, str):
        raise error(f"{name} is not of type string", actual, tuple(expected), **extra)
    if actual not in expected:
        raise error(f"{name} not allowed: {actual}. {expectation(expected)}", actual, tuple(expected), **extra)


def assert_overlaps(name: str, actual: Any, expected: Sequence[str], error: type) -> None:
    """``actual`` (a string or a list of strings) must share at least one value with ``expected``."""
    if not actual:
        raise error(f"Missing {name}. {expectation(expected)}", actual, tuple(expected))
    values = [actual] if isinstance(actual, str) else actual
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise error(f"{name} is not an array of strings", actual, tuple(expected))
    if not set(values) & set(expected):
        raise error(f"{name} not allowed: {', '.join(values)}. {expectation(expected)}", actual, tuple(expected))
