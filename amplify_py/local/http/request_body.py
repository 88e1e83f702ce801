"""A JSON request body, read as Cognito's JSON parser would: anything it cannot turn into an object of valid
Unicode strings is Cognito's ``SerializationException: Malformed request body.``

Python's ``json`` accepts more than a strict parser does, and the engine must not pass those extras on:
``NaN`` and ``Infinity`` (not JSON), strings holding an unpaired UTF-16 surrogate (``"\\ud800"``, or the same
code point as raw bytes: text no UTF-8 encoder can write back, so it would fail deep inside an operation),
and nesting deeper than ``MAX_DEPTH`` (Python's parser gives up near 1,000 levels with a RecursionError, at a
depth that depends on the stack; the limit makes the answer the same whatever the stack). Numbers longer
than Python's 4,300 digits fail to parse, as they do in Jackson (1,000 characters at most).
"""

from __future__ import annotations

import json
from typing import Any

from amplify_py.local.errors import CognitoError

__all__ = ["parse_body", "MAX_DEPTH", "MALFORMED"]

MAX_DEPTH = 500  # no Cognito request is nested more than a few levels; unknown members are read and ignored
MALFORMED = "Malformed request body."


def parse_body(raw: bytes) -> dict:
    """The request body as a dict; SerializationException if it is not one Cognito could read."""
    try:
        body: Any = json.loads(raw or b"{}", parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # ValueError covers bad UTF-8 (UnicodeDecodeError) and long numbers
        raise _malformed() from None
    if not isinstance(body, dict) or not _readable(body):
        raise _malformed()
    return body


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _malformed() -> CognitoError:
    return CognitoError("SerializationException", MALFORMED)


def _readable(body: dict) -> bool:
    """True if no string (key or value) holds a lone surrogate and nothing nests deeper than MAX_DEPTH.
    Iterative, so a body nested as deep as the parser allows cannot exhaust the stack here."""
    pending: list[tuple[Any, int]] = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(value, dict):
            for key, item in value.items():
                if not _valid_text(key):
                    return False
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _valid_text(value):
            return False
    return True


def _valid_text(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # only surrogates fail: json joins valid pairs into one code point
        return False
    return True
