"""Passkeys of the signed-in user: StartWebAuthnRegistration, CompleteWebAuthnRegistration,
ListWebAuthnCredentials, DeleteWebAuthnCredential.

Registration is two calls: Start hands out a challenge (kept as a session for the app client that asked, for
the timeout the options announce), Complete checks the authenticator's answer against it (``rules.webauthn``)
and stores the credential. Signing in with a passkey is the WEB_AUTHN challenge of USER_AUTH
(``_sign_in_steps``).
"""

from __future__ import annotations

import base64
import binascii

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, invalid_parameter, resource_not_found
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.session import WebAuthnRegistrationSession
from amplify_py.local.model.user import User
from amplify_py.local.rules import sessions, tokens, webauthn

__all__ = ["OPERATIONS"]

_DEFAULT_PAGE = 20  # MaxResults' maximum; Cognito documents no default


def _registration_id(pool: Pool, user: User) -> str:
    """One pending registration per user: a new Start replaces the last one's challenge."""
    return f"webauthn-registration:{pool.id}:{user.sub}"


def _page_token(credential_id: str) -> str:
    """ListWebAuthnCredentials' NextToken: where the last page ended (opaque to the client)."""
    return base64.urlsafe_b64encode(f"after:{credential_id}".encode()).decode()


def _after(token: str) -> str:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid_parameter("Invalid NextToken.") from exc
    if not text.startswith("after:"):
        raise invalid_parameter("Invalid NextToken.")
    return text[len("after:"):]


def start_web_authn_registration(ctx: EngineContext, body: dict) -> dict:
    pool, user, claims = tokens.authenticate(ctx, body.get("AccessToken"))
    webauthn.check_enabled(pool)
    rp_id = webauthn.relying_party_id(ctx, pool)
    existing = webauthn.credentials(ctx, pool, user.username)
    if len(existing) >= webauthn.MAX_CREDENTIALS:
        raise CognitoError("LimitExceededException",
                           f"The user already has {webauthn.MAX_CREDENTIALS} passkeys, the most a user can register. "
                           "Delete one with DeleteWebAuthnCredential first.")
    _pool, client = ctx.client(claims.get("client_id"))
    challenge = webauthn.new_challenge()
    session = WebAuthnRegistrationSession(client.id, user.username, challenge=challenge, relying_party_id=rp_id)
    sessions.start(ctx, pool, client, session, session_id=_registration_id(pool, user),
                   ttl=webauthn.REGISTRATION_TIMEOUT_MS / 1000)
    return {"CredentialCreationOptions": webauthn.creation_options(pool, user, rp_id, challenge, existing)}


def complete_web_authn_registration(ctx: EngineContext, body: dict) -> dict:
    pool, user, claims = tokens.authenticate(ctx, body.get("AccessToken"))
    webauthn.check_enabled(pool)
    found = sessions.load_unchecked(ctx, _registration_id(pool, user))
    pending = found[1] if found else None
    if not isinstance(pending, WebAuthnRegistrationSession) or pending.username != user.username:
        raise CognitoError("WebAuthnChallengeNotFoundException",
                           "No registration challenge is waiting for this user: it expired or was used. "
                           "Call StartWebAuthnRegistration again.")
    if pending.client_id != claims.get("client_id"):
        raise CognitoError("WebAuthnClientMismatchException",
                           "The access token is for another app client than the StartWebAuthnRegistration request.")
    sessions.end(ctx, _registration_id(pool, user))  # the challenge is good once, right or wrong
    credential = webauthn.verify_registration(pool, pending.relying_party_id, pending.challenge, user.username,
                                              body.get("Credential"), ctx.now())
    if webauthn.find_credential(ctx, pool, credential.credential_id) is not None:
        raise invalid_parameter("This passkey is already registered.")
    if len(webauthn.credentials(ctx, pool, user.username)) >= webauthn.MAX_CREDENTIALS:
        raise CognitoError("LimitExceededException",
                           f"The user already has {webauthn.MAX_CREDENTIALS} passkeys, the most a user can register.")
    webauthn.save_credential(ctx, pool, credential)
    return {}


def list_web_authn_credentials(ctx: EngineContext, body: dict) -> dict:
    pool, user, _claims = tokens.authenticate(ctx, body.get("AccessToken"))
    stored = webauthn.credentials(ctx, pool, user.username)
    start = 0
    if body.get("NextToken") is not None:
        after = _after(str(body["NextToken"]))
        ids = [c.credential_id for c in stored]
        if after not in ids:
            raise invalid_parameter("Invalid NextToken.")
        start = ids.index(after) + 1
    size = int(body.get("MaxResults") or _DEFAULT_PAGE)
    page = stored[start:start + size]
    out: dict = {"Credentials": [c.to_description() for c in page]}
    if start + size < len(stored) and page:
        out["NextToken"] = _page_token(page[-1].credential_id)
    return out


def delete_web_authn_credential(ctx: EngineContext, body: dict) -> dict:
    pool, user, _claims = tokens.authenticate(ctx, body.get("AccessToken"))
    credential = webauthn.find_credential(ctx, pool, str(body.get("CredentialId") or ""))
    if credential is None or credential.username != user.username:
        raise resource_not_found("The user has no passkey with this CredentialId.")
    ctx.store.delete_webauthn_credential(pool.id, credential.credential_id)
    return {}


OPERATIONS = {
    "StartWebAuthnRegistration": start_web_authn_registration,
    "CompleteWebAuthnRegistration": complete_web_authn_registration,
    "ListWebAuthnCredentials": list_web_authn_credentials,
    "DeleteWebAuthnCredential": delete_web_authn_credential,
}
