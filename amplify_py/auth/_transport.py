"""One transport for Cognito and the local engine: unsigned JSON-1.1 POSTs over httpx.

Every user pool API the client calls is public (no SigV4): Amplify posts
``{"X-Amz-Target": "AWSCognitoIdentityProviderService.<Op>"}`` with the JSON body,
and so do we. ``None`` values are dropped from bodies, as ``JSON.stringify`` drops
``undefined`` in Amplify, so request bodies are the same.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from amplify_py.auth.errors import AuthError, service_error

__all__ = ["call_user_pool", "call_identity_pool", "set_http_client"]

_USER_POOL_TARGET = "AWSCognitoIdentityProviderService"
_IDENTITY_POOL_TARGET = "AWSCognitoIdentityService"
_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

_client: httpx.Client | None = None


def set_http_client(client: httpx.Client | None) -> None:
    """Use ``client`` for every request (tests pass one with ``httpx.MockTransport``); None resets."""
    global _client
    _client = client


def _http() -> httpx.Client:
    global _client
    if _client is None:
        _client = httpx.Client(timeout=_TIMEOUT)
    return _client


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _error_name(raw: str) -> str:
    # Same sanitising as Amplify's parseJsonError: "prefix#Name:extra" -> "Name".
    name = raw.split(",")[0].split(":")[0]
    return name.split("#")[-1] if "#" in name else name


def _post(endpoint: str, target: str, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}
    try:
        response = _http().post(endpoint, content=json.dumps(_clean(body)), headers=headers)
    except httpx.HTTPError as exc:
        raise AuthError(
            "NetworkError",
            "A network error has occurred.",
            f"Check that {endpoint} is reachable ({exc}).",
            underlying=exc,
        ) from exc
    try:
        payload = response.json() if response.content else {}
    except ValueError as exc:
        raise AuthError(
            "Unknown",
            f"An unknown error has occurred: {endpoint} answered {response.status_code} with a body that is not JSON.",
            "Check that the endpoint in amplify_outputs.json is a Cognito endpoint.",
            underlying=exc,
        ) from exc
    if response.status_code >= 300:
        raw = response.headers.get("x-amzn-errortype") or payload.get("code") or payload.get("__type") or "UnknownError"
        message = payload.get("message") or payload.get("Message") or "Unknown error"
        raise service_error(
            _error_name(str(raw)),
            str(message),
            metadata={"http_status_code": response.status_code, "request_id": response.headers.get("x-amzn-requestid")},
        )
    return payload


def call_user_pool(endpoint: str, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST one Cognito user pool operation; service errors become ``amplify_py.auth.errors``."""
    return _post(endpoint, f"{_USER_POOL_TARGET}.{operation}", body)


def call_identity_pool(endpoint: str, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST one Cognito identity pool operation (GetId, GetCredentialsForIdentity)."""
    return _post(endpoint, f"{_IDENTITY_POOL_TARGET}.{operation}", body)
