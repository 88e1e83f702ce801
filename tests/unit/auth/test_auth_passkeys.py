"""The passkey client plumbing of amplify_py.auth, without a server."""

from __future__ import annotations

import pytest

from amplify_py.auth import SoftwareAuthenticator, set_passkey_client
from amplify_py.auth.errors import PasskeyError
from amplify_py.auth.web_authn import get_passkey, register_passkey

OPTIONS = {"rp": {"id": "localhost", "name": "localhost"}, "user": {"id": "dXNlcg", "name": "u", "displayName": ""},
           "challenge": "AAAAAAAAAAAAAAAAAAAAAA", "pubKeyCredParams": [{"type": "public-key", "alg": -7}]}


@pytest.fixture(autouse=True)
def _no_client():
    set_passkey_client(None)
    yield
    set_passkey_client(None)


def test_set_passkey_client_takes_a_fido2_web_authn_client() -> None:
    with pytest.raises(TypeError, match="takes a fido2.client.WebAuthnClient, not str"):
        set_passkey_client("a browser")  # type: ignore[arg-type]


def test_registration_options_missing_a_part_are_refused_before_the_authenticator() -> None:
    set_passkey_client(SoftwareAuthenticator("http://localhost"))
    with pytest.raises(PasskeyError, match="Invalid passkey registration options") as exc:
        register_passkey({**OPTIONS, "challenge": ""})
    assert exc.value.name == "InvalidPasskeyRegistrationOptions"


def test_authenticator_refusals_become_amplify_passkey_errors() -> None:
    authenticator = SoftwareAuthenticator("http://localhost", user_verified=False)
    set_passkey_client(authenticator)
    with pytest.raises(PasskeyError, match="Device failed to create passkey") as exc:
        register_passkey({**OPTIONS, "authenticatorSelection": {"userVerification": "required"}})
    assert exc.value.name == "PasskeyRegistrationFailed"
    with pytest.raises(PasskeyError, match="Device failed to retrieve passkey") as exc:
        get_passkey({"challenge": "AAAAAAAAAAAAAAAAAAAAAA", "rpId": "localhost"})
    assert exc.value.name == "PasskeyRetrievalFailed"
    registered = register_passkey(OPTIONS)
    assert registered["id"] == registered["rawId"] and registered["type"] == "public-key"
    with pytest.raises(PasskeyError, match="Passkey already exists in authenticator"):
        register_passkey({**OPTIONS, "excludeCredentials": [{"type": "public-key", "id": registered["id"]}]})


def test_without_a_client_passkeys_are_not_supported() -> None:
    with pytest.raises(PasskeyError, match="Passkeys may not be supported on this device") as exc:
        get_passkey({"challenge": "AAAAAAAAAAAAAAAAAAAAAA", "rpId": "localhost"})
    assert "set_passkey_client" in (exc.value.recovery_suggestion or "")
