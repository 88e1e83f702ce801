"""The passkey rules that need no server: which origins a relying party accepts, the pool's settings."""

from __future__ import annotations

import pytest

from amplify_py.local.model.pool import Pool
from amplify_py.local.rules.webauthn import origin_allowed


@pytest.mark.parametrize(("origin", "rp_id", "allowed"), [
    ("https://app.example.com", "app.example.com", True),
    ("https://app.example.com:8443", "app.example.com", True),
    ("https://login.app.example.com", "app.example.com", True),  # a subdomain of the RP ID (WebAuthn's rule)
    ("https://example.com", "app.example.com", False),  # a parent domain is not the RP
    ("https://evilapp.example.com", "app.example.com", False),  # a suffix that is not a subdomain
    ("http://app.example.com", "app.example.com", False),  # http only for localhost
    ("http://localhost:5173", "localhost", True),
    ("http://localhost", "localhost", True),
    ("https://localhost:3000", "localhost", True),
    ("http://app.localhost:8080", "localhost", True),
    ("http://127.0.0.1:5173", "localhost", False),  # an IP is not the localhost RP ID
    ("http://localhost:5173", "app.example.com", False),
    ("https://localhost:notaport", "localhost", False),
    ("file:///index.html", "localhost", False),
])
def test_origins_a_relying_party_accepts(origin: str, rp_id: str, allowed: bool) -> None:
    assert origin_allowed(origin, rp_id) is allowed


def test_pool_passkey_settings_and_their_defaults() -> None:
    plain = Pool("us-east-1_abc", "d", "p", {"props": {}})
    assert plain.web_authn_relying_party_id is None and plain.web_authn_user_verification == "preferred"
    set_ = Pool("us-east-1_abc", "d", "p", {"props": {"WebAuthnRelyingPartyID": "localhost",
                                                      "WebAuthnUserVerification": "required"}})
    assert set_.web_authn_relying_party_id == "localhost" and set_.web_authn_user_verification == "required"
