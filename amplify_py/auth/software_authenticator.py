"""A passkey authenticator in software, for tests and scripts: what a browser and its platform authenticator
do for ``navigator.credentials``, built from python-fido2's WebAuthn types.

It is a ``fido2.client.WebAuthnClient``, the same interface as ``fido2.client.Fido2Client`` (a real security
key over USB or NFC), so ``set_passkey_client`` takes either. Its keys (EC P-256, ES256) live in this
process's memory: use it for tests and local scripts, never for a real user's passkeys.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from threading import Event
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.client import AssertionSelection, ClientError, DefaultClientDataCollector, WebAuthnClient
from fido2.cose import ES256
from fido2.ctap2 import AssertionResponse
from fido2.rpid import verify_rp_id
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorAttachment,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    PublicKeyCredentialCreationOptions,
    PublicKeyCredentialRequestOptions,
    RegistrationResponse,
    UserVerificationRequirement,
)

__all__ = ["SoftwareAuthenticator", "SoftwareCredential"]

_ES256 = -7
_FLAG = AuthenticatorData.FLAG


@dataclass
class SoftwareCredential:
    """One passkey the software authenticator holds (a discoverable credential)."""

    credential_id: bytes
    rp_id: str
    user_handle: bytes
    user_name: str
    private_key: ec.EllipticCurvePrivateKey
    sign_count: int = 0


class SoftwareAuthenticator(WebAuthnClient):
    """``origin`` is the page the ceremonies happen on (what a browser puts in clientDataJSON), for example
    ``http://localhost:3000`` for a local engine whose relying party is ``localhost``. ``user_verified`` is
    whether the "biometric" check passes; ``attestation`` is ``"none"`` or ``"packed"`` (self attestation);
    ``verify`` decides whether a relying party ID may be used from ``origin`` (python-fido2's rule by default,
    as a browser's)."""

    def __init__(self, origin: str, *, user_verified: bool = True,
                 attestation: Literal["none", "packed"] = "none",
                 verify: Callable[[str, str], bool] = verify_rp_id) -> None:
        self.origin = origin
        self.user_verified = user_verified
        self.attestation = attestation
        self._collector = DefaultClientDataCollector(origin, verify=verify)
        self.credentials: list[SoftwareCredential] = []

    # --- navigator.credentials.create ----------------------------------------------------------
    def make_credential(self, options: PublicKeyCredentialCreationOptions | Mapping[str, Any],
                        event: Event | None = None) -> RegistrationResponse:
        options = PublicKeyCredentialCreationOptions.from_dict(options)
        client_data, rp_id = self._collector.collect_client_data(options)
        if not any(p.alg == _ES256 for p in options.pub_key_cred_params):
            raise ClientError.ERR.CONFIGURATION_UNSUPPORTED("The software authenticator only makes ES256 keys.")
        excluded = {d.id for d in options.exclude_credentials or []}
        if any(c.credential_id in excluded and c.rp_id == rp_id for c in self.credentials):
            raise ClientError.ERR.DEVICE_INELIGIBLE("A passkey for this account is already on this authenticator.")
        self._check_verification(options.authenticator_selection.user_verification
                                 if options.authenticator_selection else None)
        key = ec.generate_private_key(ec.SECP256R1())
        credential_id = secrets.token_bytes(32)
        attested = AttestedCredentialData.create(Aaguid.NONE, credential_id, ES256.from_cryptography_key(key.public_key()))
        auth_data = AuthenticatorData.create(_rp_hash(rp_id), self._flags() | _FLAG.AT, 0, attested)
        statement: dict[str, Any] = {}
        if self.attestation == "packed":
            statement = {"alg": _ES256, "sig": key.sign(auth_data + client_data.hash, ec.ECDSA(hashes.SHA256()))}
        self.credentials.append(SoftwareCredential(credential_id, rp_id, options.user.id, options.user.name or "", key))
        return RegistrationResponse(
            raw_id=credential_id,
            response=AuthenticatorAttestationResponse(
                client_data=client_data, attestation_object=AttestationObject.create(self.attestation, auth_data,
                                                                                       statement)),
            authenticator_attachment=AuthenticatorAttachment.PLATFORM)

    # --- navigator.credentials.get -------------------------------------------------------------
    def get_assertion(self, options: PublicKeyCredentialRequestOptions | Mapping[str, Any],
                      event: Event | None = None) -> AssertionSelection:
        options = PublicKeyCredentialRequestOptions.from_dict(options)
        client_data, rp_id = self._collector.collect_client_data(options)
        allowed = {d.id for d in options.allow_credentials or []}
        found = [c for c in self.credentials if c.rp_id == rp_id and (not allowed or c.credential_id in allowed)]
        if not found:
            raise ClientError.ERR.DEVICE_INELIGIBLE(f"No passkey for {rp_id} on this authenticator.")
        self._check_verification(options.user_verification)
        assertions = []
        for credential in found:
            credential.sign_count += 1
            auth_data = AuthenticatorData.create(_rp_hash(rp_id), self._flags(), credential.sign_count)
            signature = credential.private_key.sign(auth_data + client_data.hash, ec.ECDSA(hashes.SHA256()))
            assertions.append(AssertionResponse(
                credential={"type": "public-key", "id": credential.credential_id}, auth_data=auth_data,
                signature=signature, user={"id": credential.user_handle, "name": credential.user_name}))
        return AssertionSelection(client_data, assertions)

    # --- helpers -------------------------------------------------------------------------------
    def _flags(self) -> AuthenticatorData.FLAG:
        return _FLAG.UP | (_FLAG.UV if self.user_verified else _FLAG(0))

    def _check_verification(self, requirement: UserVerificationRequirement | None) -> None:
        if requirement == UserVerificationRequirement.REQUIRED and not self.user_verified:
            raise ClientError.ERR.CONFIGURATION_UNSUPPORTED("User verification is required and this authenticator "
                                                            "was made with user_verified=False.")


def _rp_hash(rp_id: str) -> bytes:
    return hashlib.sha256(rp_id.encode()).digest()
