"""One transport for Cognito and the local engine: unsigned JSON-1.1 POSTs over httpx.

Every user pool API the client calls is public (no SigV4): Amplify posts
``{"X-Amz-Target": "AWSCognitoIdentityProviderService.<Op>"}`` with the JSON body,
and so do we. ``None`` values are dropped from bodies, as ``JSON.stringify`` drops
``undefined`` in Amplify, so request bodies are the same.

Requests to a plain-http loopback endpoint (the local engine) skip httpx: they go over one kept-alive
connection per thread (``http.client``, headers and body in one send). That costs a tenth of httpx's
CPU per request, which is most of a sign-in's client side once the SRP arithmetic is fast. Everything
else (Cognito over HTTPS, proxies, a client given to ``set_http_client``) goes through httpx.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

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


_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class _LoopbackConnection:
    """One kept-alive HTTP/1.1 connection (``http.client``) to a loopback endpoint, used by one thread at a time."""

    def __init__(self, host: str, port: int) -> None:
        self._connection = http.client.HTTPConnection(host, port, timeout=_TIMEOUT.read)

    def post(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, http.client.HTTPMessage, bytes]:
        connection = self._connection
        if connection.sock is not None and not _idle_and_open(connection.sock):
            connection.close()  # the server closed it while idle (or sent what nobody asked for)
        try:
            connection.request("POST", path, body=body, headers=headers)  # headers and a bytes body: one send
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            raise
        return response.status, response.headers, payload

    def close(self) -> None:
        self._connection.close()


def _idle_and_open(sock: socket.socket) -> bool:
    """Nothing to read and not closed by the peer: a kept-alive connection that can take the next request."""
    timeout = sock.gettimeout()
    sock.settimeout(0)
    try:
        sock.recv(1, socket.MSG_PEEK)  # b"": closed; any byte: an answer nobody asked for
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.settimeout(timeout)


_loopback = threading.local()


def _forget_loopback_connections() -> None:
    """In a forked child: the parent's kept-alive sockets are the parent's (a reply could reach either)."""
    global _loopback
    _loopback = threading.local()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_loopback_connections)


def _loopback_connection(endpoint: str) -> tuple[_LoopbackConnection, str] | None:
    """The calling thread's connection to ``endpoint`` and the request path, when it is plain http on loopback."""
    parts = urlsplit(endpoint)
    if parts.scheme != "http" or parts.hostname not in _LOOPBACK_HOSTS or parts.username or parts.password:
        return None
    key = (parts.hostname, parts.port or 80)
    connections = _loopback.__dict__.setdefault("connections", {})
    connection = connections.get(key)
    if connection is None:
        connection = connections[key] = _LoopbackConnection(*key)
    return connection, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _network_error(endpoint: str, exc: Exception) -> AuthError:
    return AuthError(
        "NetworkError",
        "A network error has occurred.",
        f"Check that {endpoint} is reachable ({exc}).",
        underlying=exc,
    )


def _send(endpoint: str, headers: dict[str, str], data: bytes) -> tuple[int, Any, bytes]:
    """(status, headers, body) of one POST: over a loopback connection, or httpx."""
    loopback = _loopback_connection(endpoint) if _client is None else None
    if loopback is not None:
        connection, path = loopback
        try:
            return connection.post(path, headers, data)
        except (OSError, http.client.HTTPException) as exc:
            raise _network_error(endpoint, exc) from exc
    try:
        response = _http().post(endpoint, content=data, headers=headers)
    except httpx.HTTPError as exc:
        raise _network_error(endpoint, exc) from exc
    return response.status_code, response.headers, response.content


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
    status, response_headers, content = _send(endpoint, headers, json.dumps(_clean(body)).encode())
    try:
        payload = json.loads(content) if content else {}
    except ValueError as exc:
        raise AuthError(
            "Unknown",
            f"An unknown error has occurred: {endpoint} answered {status} with a body that is not JSON.",
            "Check that the endpoint in amplify_outputs.json is a Cognito endpoint.",
            underlying=exc,
        ) from exc
    if status >= 300:
        raw = response_headers.get("x-amzn-errortype") or payload.get("code") or payload.get("__type") or "UnknownError"
        message = payload.get("message") or payload.get("Message") or "Unknown error"
        raise service_error(
            _error_name(str(raw)),
            str(message),
            metadata={"http_status_code": status, "request_id": response_headers.get("x-amzn-requestid")},
        )
    return payload


def call_user_pool(endpoint: str, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST one Cognito user pool operation; service errors become ``amplify_py.auth.errors``."""
    return _post(endpoint, f"{_USER_POOL_TARGET}.{operation}", body)


def call_identity_pool(endpoint: str, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST one Cognito identity pool operation (GetId, GetCredentialsForIdentity)."""
    return _post(endpoint, f"{_IDENTITY_POOL_TARGET}.{operation}", body)
