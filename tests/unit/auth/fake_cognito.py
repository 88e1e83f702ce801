"""A fake Cognito for the client's unit tests: httpx.MockTransport that records requests.

Each test scripts the answers (``fake.reply("InitiateAuth", {...})``) and then asserts the
exact request bodies the client sent, which is the contract with Cognito.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest

from amplify_py.auth import _auto_sign_in, _transport
from amplify_py.auth._config import Amplify
from amplify_py.auth._session import InMemoryStorage, cognito_user_pools_token_provider

POOL_ID = "us-east-1_TestPool1"
CLIENT_ID = "testclientid123"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
OUTPUTS = {
    "auth": {
        "user_pool_id": POOL_ID,
        "aws_region": "us-east-1",
        "user_pool_client_id": CLIENT_ID,
        "identity_pool_id": "us-east-1:11111111-2222-3333-4444-555555555555",
        "unauthenticated_identities_enabled": True,
        "username_attributes": ["email"],
    },
    "version": "1.5",
}


def make_jwt(**claims: Any) -> str:
    now = int(time.time())
    payload = {"iat": now, "exp": now + 3600, "iss": ISSUER, **claims}
    return jwt.encode(payload, "not-checked-by-the-client-but-long-enough-for-hs256", algorithm="HS256")


def auth_result(sub: str = "sub-1", username: str = "sub-1", **extra: Any) -> dict[str, Any]:
    access = make_jwt(sub=sub, username=username, token_use="access", client_id=CLIENT_ID, origin_jti="oj-1", **extra)
    id_token = make_jwt(sub=sub, **{"cognito:username": username}, token_use="id", aud=CLIENT_ID, email="a@b.co")
    return {"AccessToken": access, "IdToken": id_token, "RefreshToken": "refresh-1", "ExpiresIn": 3600, "TokenType": "Bearer"}


class FakeCognito:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.headers: list[httpx.Headers] = []
        self.urls: list[str] = []
        self._replies: dict[str, deque[tuple[int, Any]]] = defaultdict(deque)

    def reply(self, operation: str, body: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        self._replies[operation].append((200, body))

    def fail(self, operation: str, name: str, message: str, status: int = 400) -> None:
        self._replies[operation].append((status, {"__type": name, "message": message}))

    def handler(self, request: httpx.Request) -> httpx.Response:
        target = request.headers["x-amz-target"]
        operation = target.split(".", 1)[1]
        body = json.loads(request.content)
        self.requests.append((target, body))
        self.headers.append(request.headers)
        self.urls.append(str(request.url))
        if not self._replies[operation]:
            raise AssertionError(f"unexpected call {operation} {body}")
        status, answer = self._replies[operation].popleft()
        if callable(answer):
            answer = answer(body)
        return httpx.Response(status, json=answer)

    def ops(self) -> list[str]:
        return [t.split(".", 1)[1] for t, _ in self.requests]

    def body(self, operation: str, index: int = -1) -> dict[str, Any]:
        bodies = [b for t, b in self.requests if t.endswith("." + operation)]
        return bodies[index]


@pytest.fixture
def fake() -> FakeCognito:
    fake = FakeCognito()
    _transport.set_http_client(httpx.Client(transport=httpx.MockTransport(fake.handler)))
    cognito_user_pools_token_provider.set_key_value_storage(InMemoryStorage())
    Amplify.configure(json.loads(json.dumps(OUTPUTS)))
    yield fake
    _transport.set_http_client(None)
    _auto_sign_in.reset()
    Amplify._auth = None
