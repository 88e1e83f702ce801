"""The client's module-level state, reset around each test that drives amplify_py.auth over HTTP.

Shared by the client tier (tests/client/engine_backend.py) and the e2e tier.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from amplify_py.auth import _auto_sign_in, _transport, web_authn
from amplify_py.auth._config import Amplify
from amplify_py.auth._session import InMemoryStorage, cognito_user_pools_token_provider, credentials_provider


@pytest.fixture(autouse=True)
def fresh_client() -> Iterator[None]:
    """Every test starts signed out, with in-memory storage and the real HTTP transport."""
    _transport.set_http_client(None)
    cognito_user_pools_token_provider.set_key_value_storage(InMemoryStorage())
    credentials_provider._cached = None
    credentials_provider._primary_identity_id = None
    _auto_sign_in.reset()
    web_authn.set_passkey_client(None)
    yield
    Amplify._auth = None
