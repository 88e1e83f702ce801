"""A user's registered passkey (WebAuthn credential), as the engine keeps it.

One typed record per credential, stored as JSON by the store under the pool and the credential id. Binary
values (the id, the COSE public key) are kept base64url-encoded, as WebAuthn's JSON forms carry them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["WebAuthnCredential"]


@dataclass
class WebAuthnCredential:
    """A passkey registered with CompleteWebAuthnRegistration."""

    credential_id: str  # base64url, as the browser's ``id``
    username: str
    public_key: str  # base64url COSE_Key from the attested credential data
    sign_count: int
    relying_party_id: str
    created: float
    friendly_name: str
    transports: list[str] = field(default_factory=list)
    attachment: str | None = None  # "platform" | "cross-platform", when the browser said
    aaguid: str = ""
    user_verified: bool = False  # at registration
    backed_up: bool = False

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "WebAuthnCredential":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in known})

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    def to_description(self) -> dict[str, Any]:
        """Cognito's WebAuthnCredentialDescription (ListWebAuthnCredentials)."""
        out: dict[str, Any] = {
            "CredentialId": self.credential_id,
            "FriendlyCredentialName": self.friendly_name,
            "RelyingPartyId": self.relying_party_id,
            "AuthenticatorTransports": list(self.transports),
            "CreatedAt": self.created,
        }
        if self.attachment:
            out["AuthenticatorAttachment"] = self.attachment
        return out
