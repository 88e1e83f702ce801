"""Passkeys through amplify_py.auth against the engine: associate, list, delete, and sign_in with WEB_AUTHN
preferred or chosen as the first factor; the authenticator is the software one (python-fido2's types)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from engine_backend import Backend, resource
from fido2.client import AssertionSelection

from amplify_py.auth import (
    SoftwareAuthenticator,
    associate_web_authn_credential,
    confirm_sign_in,
    confirm_sign_up,
    delete_web_authn_credential,
    fetch_auth_session,
    list_web_authn_credentials,
    set_passkey_client,
    sign_in,
    sign_out,
    sign_up,
)
from amplify_py.auth._config import Amplify
from amplify_py.auth.errors import (
    AuthValidationError,
    NotAuthorizedException,
    PasskeyError,
    SignInException,
    WebAuthnOriginNotAllowedException,
)

PASSWORD = "Sup3r-secret!"
ORIGIN = "http://localhost:3000"
USER_AUTH_PASSKEY = {"auth_flow_type": "USER_AUTH", "preferred_challenge": "WEB_AUTHN"}


def _with_passkeys(tpl: dict) -> None:
    pool = resource(tpl, "AWS::Cognito::UserPool")
    pool["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] = ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]
    pool.update(WebAuthnRelyingPartyID="localhost", WebAuthnUserVerification="preferred")


@pytest.fixture
def backend(deploy) -> Backend:
    """The email-OTP reference case with passkeys on, configured as ampy sandbox would write its outputs."""
    backend = deploy("passwordless_email_otp", _with_passkeys)
    outputs = copy.deepcopy(backend.outputs)
    outputs["auth"]["passwordless"]["web_authn"] = {"relying_party_id": "localhost", "user_verification": "preferred"}
    Amplify.configure(outputs)
    return backend


@pytest.fixture
def authenticator() -> Iterator[SoftwareAuthenticator]:
    authenticator = SoftwareAuthenticator(ORIGIN)
    set_passkey_client(authenticator)
    yield authenticator
    set_passkey_client(None)


def _signed_in(backend: Backend, email: str) -> None:
    sign_up(username=email, password=PASSWORD, options={"user_attributes": {"email": email}})
    confirm_sign_up(username=email, confirmation_code=backend.last_code(email))
    assert sign_in(username=email, password=PASSWORD).next_step.sign_in_step == "DONE"


def test_associate_list_sign_in_with_the_passkey_and_delete(backend: Backend, authenticator: SoftwareAuthenticator) -> None:
    _signed_in(backend, "pk@example.com")
    associate_web_authn_credential()
    (listed,) = list_web_authn_credentials().credentials
    assert listed.credential_id and listed.relying_party_id == "localhost"
    assert listed.authenticator_attachment == "platform" and isinstance(listed.created_at, datetime)
    assert listed.created_at.tzinfo is timezone.utc
    sign_out()

    result = sign_in(username="pk@example.com", options=USER_AUTH_PASSKEY)
    assert result.is_signed_in and result.next_step.sign_in_step == "DONE"
    assert fetch_auth_session().tokens.id_token.payload["email"] == "pk@example.com"
    assert authenticator.credentials[0].sign_count == 1

    delete_web_authn_credential(credential_id=listed.credential_id)
    assert list_web_authn_credentials().credentials == []


def test_first_factor_selection_offers_and_takes_web_authn(backend: Backend, authenticator: SoftwareAuthenticator) -> None:
    _signed_in(backend, "choose@example.com")
    associate_web_authn_credential()
    sign_out()
    step = sign_in(username="choose@example.com", options={"auth_flow_type": "USER_AUTH"}).next_step
    assert step.sign_in_step == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    assert step.available_challenges == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"]
    assert confirm_sign_in(challenge_response="WEB_AUTHN").next_step.sign_in_step == "DONE"


def test_list_pages(backend: Backend, authenticator: SoftwareAuthenticator) -> None:
    _signed_in(backend, "pages@example.com")
    for origin in (ORIGIN, "http://localhost:4000", "https://localhost"):
        set_passkey_client(SoftwareAuthenticator(origin))
        associate_web_authn_credential()
    first = list_web_authn_credentials(page_size=2)
    assert len(first.credentials) == 2 and first.next_token
    rest = list_web_authn_credentials(page_size=2, next_token=first.next_token)
    assert len(rest.credentials) == 1 and rest.next_token is None


def test_the_same_authenticator_cannot_register_twice(backend: Backend, authenticator: SoftwareAuthenticator) -> None:
    _signed_in(backend, "twice@example.com")
    associate_web_authn_credential()
    with pytest.raises(PasskeyError, match="Passkey already exists in authenticator") as exc:
        associate_web_authn_credential()
    assert exc.value.name == "PasskeyAlreadyExists"


def test_without_a_passkey_client_the_error_says_how_to_set_one(backend: Backend) -> None:
    _signed_in(backend, "noclient@example.com")
    with pytest.raises(PasskeyError, match="Passkeys may not be supported on this device") as exc:
        associate_web_authn_credential()
    assert exc.value.name == "PasskeyNotSupported" and "set_passkey_client" in (exc.value.recovery_suggestion or "")


def test_a_passkey_for_another_origin_is_refused_by_the_client_or_the_pool(backend: Backend) -> None:
    _signed_in(backend, "origin@example.com")
    set_passkey_client(SoftwareAuthenticator("https://evil.example"))  # a browser refuses localhost's RP there
    with pytest.raises(PasskeyError, match="Relying party does not match current domain") as exc:
        associate_web_authn_credential()
    assert exc.value.name == "RelyingPartyMismatch"
    set_passkey_client(SoftwareAuthenticator("https://evil.example", verify=lambda rp_id, origin: True))
    with pytest.raises(WebAuthnOriginNotAllowedException, match="is not allowed for relying party localhost"):
        associate_web_authn_credential()
    set_passkey_client(None)


class _Tampering(SoftwareAuthenticator):
    """Flips a bit of every signature: what the pool gets is no longer what the key signed."""

    def get_assertion(self, options: Any, event: Any = None) -> AssertionSelection:
        selection = super().get_assertion(options, event)
        assertion = selection.get_assertions()[0]
        signature = bytes([*assertion.signature[:-1], assertion.signature[-1] ^ 1])
        forged = type(assertion)(credential=assertion.credential, auth_data=assertion.auth_data, signature=signature,
                                 user=assertion.user)
        return AssertionSelection(selection._client_data, [forged])


def test_a_tampered_assertion_is_refused_and_the_sign_in_ends(backend: Backend) -> None:
    tampering = _Tampering(ORIGIN)
    set_passkey_client(tampering)
    _signed_in(backend, "tamper@example.com")
    associate_web_authn_credential()
    sign_out()
    with pytest.raises(NotAuthorizedException, match=re.escape("Incorrect username or password.")):
        sign_in(username="tamper@example.com", options=USER_AUTH_PASSKEY)
    with pytest.raises(SignInException, match="sign_in was not called before confirm_sign_in"):
        confirm_sign_in(challenge_response="anything")
    set_passkey_client(None)


def test_preferring_web_authn_needs_it_in_the_outputs(deploy) -> None:
    deploy("passwordless_email_otp", _with_passkeys)  # outputs without passwordless.web_authn
    with pytest.raises(AuthValidationError, match="The preferred challenge is not enabled"):
        sign_in(username="x@example.com", options=USER_AUTH_PASSKEY)
