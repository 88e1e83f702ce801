"""Passkeys (WebAuthn): the pool's relying party, the options Cognito hands out, and the checks on what the
authenticator sends back.

The cryptographic checks (attestation statement, assertion signature, challenge, origin, relying-party ID hash,
user presence and verification, sign counter) are py_webauthn's (the ``webauthn`` package). This module reads
the parts a Cognito error names first (origin, relying party, challenge, algorithm), so each refusal carries
the exception Cognito documents for it, then hands the whole response to the library.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    decode_credential_public_key,
    parse_attestation_object,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import AuthenticationCredential, RegistrationCredential

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, invalid_parameter, not_authorized
from amplify_py.local.model.credential import WebAuthnCredential
from amplify_py.local.model.pool import DOMAIN, Pool
from amplify_py.local.model.user import User

__all__ = [
    "CHALLENGE_BYTES", "REGISTRATION_TIMEOUT_MS", "MAX_CREDENTIALS", "PUBLIC_KEY_ALGORITHMS", "check_enabled",
    "relying_party_id", "origin_allowed", "new_challenge", "user_handle", "credentials", "find_credential",
    "save_credential", "creation_options", "request_options", "verify_registration", "verify_assertion",
    "ASSERTION_REFUSED", "AssertionRefused", "dumps",
]

CHALLENGE_BYTES = 16  # the size of the challenges in Cognito's options as amplify-js's tests record them
REGISTRATION_TIMEOUT_MS = 60_000  # StartWebAuthnRegistration's timeout (ibid.); sign-in uses AuthSessionValidity
PUBLIC_KEY_ALGORITHMS = (-7, -257)  # ES256, RS256: the pubKeyCredParams Cognito offers
MAX_CREDENTIALS = 20  # per user; Cognito's documents reached here name no number (see the README)
ASSERTION_REFUSED = "Incorrect username or password."


# --- the pool's passkey settings -------------------------------------------------------------
def check_enabled(pool: Pool) -> None:
    """Passkeys are on when the sign-in policy allows WEB_AUTHN as a first factor."""
    if "WEB_AUTHN" not in pool.first_factors:
        raise CognitoError("WebAuthnNotEnabledException",
                           "WebAuthn is not enabled for this user pool: add WEB_AUTHN to AllowedFirstAuthFactors.")


def relying_party_id(ctx: EngineContext, pool: Pool) -> str:
    """WebAuthnRelyingPartyID, else the pool's domain (a custom domain, or the prefix domain's host)."""
    if pool.web_authn_relying_party_id:
        return pool.web_authn_relying_party_id
    for row in ctx.store.resources_of_type(DOMAIN):
        props = row.config["props"]
        if props.get("UserPoolId") == pool.id and props.get("Domain"):
            domain = str(props["Domain"])
            return domain if props.get("CustomDomainConfig") else f"{domain}.auth.{pool.region}.amazoncognito.com"
    raise CognitoError("WebAuthnConfigurationMissingException",
                       "The user pool has no WebAuthn relying party ID and no domain.")


def origin_allowed(origin: str, rp_id: str) -> bool:
    """An https origin on the relying party ID or a subdomain of it (WebAuthn's rule); and, for local
    development, http on localhost (any port), which browsers treat as a secure context."""
    try:
        parts = urlsplit(origin)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        return False
    on_rp = host == rp_id.lower() or host.endswith("." + rp_id.lower())
    if parts.scheme == "https":
        return on_rp
    return parts.scheme == "http" and on_rp and (host == "localhost" or host.endswith(".localhost"))


def new_challenge() -> str:
    return bytes_to_base64url(secrets.token_bytes(CHALLENGE_BYTES))


def user_handle(user: User) -> str:
    """The WebAuthn user.id: the user's sub, base64url-encoded (as in Cognito's options recorded by amplify-js)."""
    return bytes_to_base64url(user.sub.encode())


# --- stored credentials -----------------------------------------------------------------------
def credentials(ctx: EngineContext, pool: Pool, username: str) -> list[WebAuthnCredential]:
    return [WebAuthnCredential.from_record(r) for r in ctx.store.webauthn_credentials(pool.id, username)]


def find_credential(ctx: EngineContext, pool: Pool, credential_id: str) -> WebAuthnCredential | None:
    record = ctx.store.get_webauthn_credential(pool.id, credential_id)
    return WebAuthnCredential.from_record(record) if record else None


def save_credential(ctx: EngineContext, pool: Pool, credential: WebAuthnCredential) -> None:
    ctx.store.put_webauthn_credential(pool.id, credential.credential_id, credential.username, credential.to_record())


# --- options ----------------------------------------------------------------------------------
def creation_options(pool: Pool, user: User, rp_id: str, challenge: str,
                     existing: list[WebAuthnCredential]) -> dict[str, Any]:
    """StartWebAuthnRegistration's CredentialCreationOptions (PublicKeyCredentialCreationOptionsJSON)."""
    return {
        "rp": {"id": rp_id, "name": rp_id},
        "user": {"id": user_handle(user), "name": user.username, "displayName": ""},
        "challenge": challenge,
        "pubKeyCredParams": [{"type": "public-key", "alg": alg} for alg in PUBLIC_KEY_ALGORITHMS],
        "timeout": REGISTRATION_TIMEOUT_MS,
        "excludeCredentials": [{"type": "public-key", "id": c.credential_id} for c in existing],
        "authenticatorSelection": {"requireResidentKey": True, "residentKey": "required",
                                   "userVerification": pool.web_authn_user_verification},
    }


def request_options(pool: Pool, rp_id: str, challenge: str, allowed: list[WebAuthnCredential],
                    timeout_ms: int) -> dict[str, Any]:
    """The WEB_AUTHN challenge's CREDENTIAL_REQUEST_OPTIONS (PublicKeyCredentialRequestOptionsJSON)."""
    return {
        "hints": [], "attestation": "none", "attestationFormats": [],
        "challenge": challenge, "timeout": timeout_ms, "rpId": rp_id,
        "allowCredentials": [{"id": c.credential_id, "type": "public-key"} for c in allowed],
        "userVerification": pool.web_authn_user_verification,
    }


# --- registration -----------------------------------------------------------------------------
def verify_registration(pool: Pool, rp_id: str, challenge: str, username: str, credential: Any,
                        now: float) -> WebAuthnCredential:
    """Check a RegistrationResponseJSON against the challenge StartWebAuthnRegistration issued."""
    try:
        parsed: RegistrationCredential = parse_registration_credential_json(_as_json(credential))
        client_data = parse_client_data_json(parsed.response.client_data_json)
        attestation = parse_attestation_object(parsed.response.attestation_object)
    except (WebAuthnException, ValueError, TypeError) as exc:
        raise invalid_parameter(f"Credential is not a valid RegistrationResponseJSON: {exc}") from exc
    _check_client_data(client_data.type, "webauthn.create", client_data.origin, rp_id)
    if client_data.challenge != base64url_to_bytes(challenge):
        raise CognitoError("WebAuthnChallengeNotFoundException",
                           "The credential answers no challenge of this user's StartWebAuthnRegistration.")
    if attestation.auth_data.rp_id_hash != hashlib.sha256(rp_id.encode()).digest():
        raise CognitoError("WebAuthnRelyingPartyMismatchException",
                           f"The credential was made for another relying party than this user pool's ({rp_id}).")
    attested = attestation.auth_data.attested_credential_data
    if attested is not None and attested.credential_id != parsed.raw_id:
        raise invalid_parameter("The credential's rawId is not the credential ID its attestation names.")
    if attested is not None and _algorithm(attested.credential_public_key) not in PUBLIC_KEY_ALGORITHMS:
        raise CognitoError("WebAuthnCredentialNotSupportedException",
                           "The credential's key algorithm is not ES256 (-7) or RS256 (-257).")
    required = pool.web_authn_user_verification == "required"
    if required and not attestation.auth_data.flags.uv:
        raise CognitoError("WebAuthnCredentialNotSupportedException",
                           "The user pool requires user verification and the authenticator did not verify the user.")
    try:
        verified = verify_registration_response(
            credential=parsed, expected_challenge=base64url_to_bytes(challenge), expected_rp_id=rp_id,
            expected_origin=client_data.origin, require_user_verification=required,
            supported_pub_key_algs=list(PUBLIC_KEY_ALGORITHMS))  # type: ignore[arg-type]
    except WebAuthnException as exc:
        raise invalid_parameter(f"The credential could not be verified: {exc}") from exc
    return WebAuthnCredential(
        credential_id=bytes_to_base64url(verified.credential_id), username=username,
        public_key=bytes_to_base64url(verified.credential_public_key), sign_count=verified.sign_count,
        relying_party_id=rp_id, created=now, friendly_name=_friendly_name(parsed, now),
        transports=[str(t.value) for t in parsed.response.transports or []],
        attachment=parsed.authenticator_attachment.value if parsed.authenticator_attachment else None,
        aaguid=verified.aaguid, user_verified=verified.user_verified, backed_up=verified.credential_backed_up)


# --- sign-in ----------------------------------------------------------------------------------
def verify_assertion(pool: Pool, rp_id: str, challenge: str, user: User, stored: list[WebAuthnCredential],
                     credential_json: str | None) -> WebAuthnCredential:
    """Check the WEB_AUTHN answer (an AuthenticationResponseJSON string) against the session's challenge and
    the user's registered credentials. Returns the credential with its new sign count, or raises
    ``AssertionRefused`` (Cognito's NotAuthorizedException; its reason is for the console, not the client)."""
    try:
        parsed: AuthenticationCredential = parse_authentication_credential_json(credential_json or "")
        client_data = parse_client_data_json(parsed.response.client_data_json)
    except (WebAuthnException, ValueError, TypeError) as exc:
        raise invalid_parameter(f"CREDENTIAL is not a valid AuthenticationResponseJSON: {exc}") from exc
    known = {c.credential_id: c for c in stored}
    match = known.get(parsed.id)
    if match is None:
        raise AssertionRefused("the credential is not one of this user's passkeys")
    if parsed.response.user_handle and bytes_to_base64url(parsed.response.user_handle) != user_handle(user):
        raise AssertionRefused("the credential's user handle belongs to another user")
    if client_data.type != "webauthn.get" or not origin_allowed(client_data.origin, rp_id):
        raise AssertionRefused(f"origin {client_data.origin!r} is not allowed for relying party {rp_id!r}")
    try:
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=base64url_to_bytes(challenge), expected_rp_id=rp_id,
            expected_origin=client_data.origin, credential_public_key=base64url_to_bytes(match.public_key),
            credential_current_sign_count=match.sign_count,
            require_user_verification=pool.web_authn_user_verification == "required")
    except WebAuthnException as exc:
        raise AssertionRefused(str(exc)) from exc
    match.sign_count = verified.new_sign_count
    return match


class AssertionRefused(CognitoError):
    """NotAuthorizedException for the client; ``reason`` (why the passkey was refused) for the console."""

    def __init__(self, reason: str) -> None:
        super().__init__("NotAuthorizedException", ASSERTION_REFUSED)
        self.reason = reason


# --- helpers ----------------------------------------------------------------------------------
def _as_json(credential: Any) -> str | dict:
    if isinstance(credential, (str, dict)):
        return credential
    raise TypeError("expected a JSON object")


def _check_client_data(kind: str, expected: str, origin: str, rp_id: str) -> None:
    if kind != expected:
        raise invalid_parameter(f'clientDataJSON type is "{kind}", expected "{expected}".')
    if not origin_allowed(origin, rp_id):
        raise CognitoError("WebAuthnOriginNotAllowedException",
                           f"Origin {origin} is not allowed for relying party {rp_id}: use https on {rp_id} or a "
                           f"subdomain of it (http://localhost:<port> for a localhost relying party).")


def _algorithm(public_key: bytes) -> int | None:
    try:
        return int(decode_credential_public_key(public_key).alg)
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return None


def _friendly_name(parsed: RegistrationCredential, now: float) -> str:
    """Cognito generates the name; what it writes is not documented. Here: the kind of authenticator and when."""
    kind = {"platform": "Platform passkey", "cross-platform": "Security key"}.get(
        parsed.authenticator_attachment.value if parsed.authenticator_attachment else "", "Passkey")
    return f"{kind} registered {datetime.fromtimestamp(now, timezone.utc):%Y-%m-%d %H:%M:%S} UTC"


def dumps(options: dict[str, Any]) -> str:
    """CREDENTIAL_REQUEST_OPTIONS travels as a JSON string inside ChallengeParameters."""
    return json.dumps(options, separators=(",", ":"))
