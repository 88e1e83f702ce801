"""Passkeys of the signed-in user: associate_web_authn_credential, list_web_authn_credentials,
delete_web_authn_credential; and the passkey client that plays the browser's ``navigator.credentials``.

aws-amplify asks the browser for a passkey; a Python program has no browser, so it sets a passkey client
once: any ``fido2.client.WebAuthnClient``: ``fido2.client.Fido2Client`` for a real security key, or
``SoftwareAuthenticator`` for tests and scripts::

    from amplify_py.auth import SoftwareAuthenticator, associate_web_authn_credential, set_passkey_client
    set_passkey_client(SoftwareAuthenticator(origin="http://localhost:3000"))
    associate_web_authn_credential()

``sign_in`` uses the same client for the WEB_AUTHN challenge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from fido2.client import ClientError, WebAuthnClient

from amplify_py.auth._common import require_tokens, user_pool
from amplify_py.auth.errors import PasskeyError

__all__ = [
    "associate_web_authn_credential",
    "list_web_authn_credentials",
    "delete_web_authn_credential",
    "set_passkey_client",
    "get_passkey_client",
    "AuthWebAuthnCredential",
    "ListWebAuthnCredentialsOutput",
]

_client: WebAuthnClient | None = None


@dataclass(frozen=True)
class AuthWebAuthnCredential:
    """Amplify's AuthWebAuthnCredential: one registered passkey."""

    credential_id: str | None
    friendly_credential_name: str | None
    relying_party_id: str | None
    authenticator_attachment: str | None
    authenticator_transports: list[str] | None
    created_at: datetime | None


@dataclass(frozen=True)
class ListWebAuthnCredentialsOutput:
    credentials: list[AuthWebAuthnCredential]
    next_token: str | None = None


# --- the passkey client -------------------------------------------------------------------------
def set_passkey_client(client: WebAuthnClient | None) -> None:
    """Use ``client`` for passkey ceremonies (None: no passkeys in this process)."""
    global _client
    if client is not None and not isinstance(client, WebAuthnClient):
        raise TypeError(f"set_passkey_client() takes a fido2.client.WebAuthnClient, not {type(client).__name__}")
    _client = client


def get_passkey_client() -> WebAuthnClient:
    if _client is None:
        raise PasskeyError("PasskeyNotSupported")
    return _client


def register_passkey(options: Mapping[str, Any] | None) -> dict[str, Any]:
    """Amplify's registerPasskey: the passkey client's RegistrationResponseJSON for Cognito's options."""
    if not (isinstance(options, Mapping) and all(options.get(k) for k in ("challenge", "user", "rp", "pubKeyCredParams"))):
        raise PasskeyError("InvalidPasskeyRegistrationOptions")
    client = get_passkey_client()
    try:
        return dict(client.make_credential(options))
    except ClientError as exc:
        raise PasskeyError(_client_error_code(exc, creating=True), underlying=exc) from exc


def get_passkey(options: Mapping[str, Any]) -> dict[str, Any]:
    """Amplify's getPasskey: the passkey client's AuthenticationResponseJSON for a WEB_AUTHN challenge."""
    client = get_passkey_client()
    try:
        return dict(client.get_assertion(options).get_response(0))
    except ClientError as exc:
        raise PasskeyError(_client_error_code(exc, creating=False), underlying=exc) from exc


def _client_error_code(exc: ClientError, *, creating: bool) -> str:
    """python-fido2's client errors as the PasskeyErrorCode Amplify gives the browser's DOMExceptions."""
    if exc.code == ClientError.ERR.BAD_REQUEST:
        return "RelyingPartyMismatch"  # the RP ID is not valid for the client's origin (browser: SecurityError)
    if exc.code == ClientError.ERR.TIMEOUT:
        return "PasskeyOperationAborted"
    if exc.code == ClientError.ERR.DEVICE_INELIGIBLE and creating:
        return "PasskeyAlreadyExists"  # excludeCredentials matched (browser: InvalidStateError)
    return "PasskeyRegistrationFailed" if creating else "PasskeyRetrievalFailed"


# --- the APIs -------------------------------------------------------------------------------------
def associate_web_authn_credential() -> None:
    """Register a new passkey for the signed-in user (StartWebAuthnRegistration, the passkey client,
    CompleteWebAuthnRegistration)."""
    access_token = str(require_tokens().access_token)
    options = user_pool("StartWebAuthnRegistration", {"AccessToken": access_token}).get("CredentialCreationOptions")
    credential = register_passkey(options)
    user_pool("CompleteWebAuthnRegistration", {"AccessToken": access_token, "Credential": credential})


def list_web_authn_credentials(*, page_size: int | None = None,
                               next_token: str | None = None) -> ListWebAuthnCredentialsOutput:
    """The signed-in user's passkeys, a page at a time (Amplify's pageSize and nextToken)."""
    response = user_pool("ListWebAuthnCredentials", {"AccessToken": str(require_tokens().access_token),
                                                     "MaxResults": page_size, "NextToken": next_token})
    credentials = [
        AuthWebAuthnCredential(
            credential_id=item.get("CredentialId"),
            friendly_credential_name=item.get("FriendlyCredentialName"),
            relying_party_id=item.get("RelyingPartyId"),
            authenticator_attachment=item.get("AuthenticatorAttachment"),
            authenticator_transports=item.get("AuthenticatorTransports"),
            created_at=datetime.fromtimestamp(item["CreatedAt"], timezone.utc) if item.get("CreatedAt") else None,
        )
        for item in response.get("Credentials") or []
    ]
    return ListWebAuthnCredentialsOutput(credentials=credentials, next_token=response.get("NextToken"))


def delete_web_authn_credential(credential_id: str) -> None:
    """Delete one of the signed-in user's passkeys (Amplify's ``deleteWebAuthnCredential({ credentialId })``)."""
    user_pool("DeleteWebAuthnCredential", {"AccessToken": str(require_tokens().access_token),
                                           "CredentialId": credential_id})
