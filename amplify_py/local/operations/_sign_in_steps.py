"""The steps of a sign-in, in Cognito's order: first factor (SRP, password, one-time code) → account state
(unconfirmed, disabled, temporary password) → MFA (choose, set up, answer) → tokens.

``operations.sign_in`` starts a sign-in and routes each answer to the step its session names; every step
returns Cognito's next challenge or the AuthenticationResult.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from amplify_py.local import srp, totp
from amplify_py.local.context import EngineContext
from amplify_py.local.errors import INCORRECT_CREDENTIALS, CognitoError, invalid_parameter, not_authorized, user_not_found
from amplify_py.local.model.code import OneTimeCode
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.session import (
    CodeChallengeSession,
    MfaSetupSession,
    NewPasswordSession,
    SelectChallengeSession,
    SelectMfaSession,
    SrpSession,
    WebAuthnSession,
)
from amplify_py.local.model.user import User, UserStatus
from amplify_py.local.operations import _device_sign_in as device_sign_in
from amplify_py.local.rules import codes, devices, directory, passwords, sessions, tokens, triggers, webauthn
from amplify_py.local.rules.account import check_can_sign_in
from amplify_py.local.rules.attributes import validate_attributes
from amplify_py.local.rules.messages import (
    MessageKind,
    challenge_delivery_parameters,
    deliver_code,
    disguised_delivery,
)
from amplify_py.local.rules.attribute_updates import check_alias_free
from amplify_py.local.rules.phantoms import phantom_user

__all__ = ["SignIn", "unknown_user", "unknown_user_password", "check_password", "srp_challenge", "password_verifier",
           "srp_session_id", "srp_challenge_of", "srp_user", "verify_proof", "after_first_factor",
           "complete", "available_first_factors", "answer_first_factor", "code_challenge", "check_code_answer",
           "email_mfa_setup", "new_password", "web_authn_challenge", "web_authn_answer", "MFA_CODE_KEYS"]

MFA_CODE_KEYS = {"SMS_MFA": "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
                 "EMAIL_OTP": "EMAIL_OTP_CODE", "SMS_OTP": "SMS_OTP_CODE"}
_MAX_CHALLENGE_ATTEMPTS = 3
_INVALID_MFA_CODE = "Invalid code received for user"
# Cognito words a wrong SMS MFA code differently from a wrong TOTP code (amplify-js issues #3066, #11069 quote it).
_INVALID_SMS_MFA_CODE = "Invalid code or auth state for the user."
_CODE_EXPIRED = "Invalid code provided, please request a code again."


@dataclass
class SignIn:
    """One sign-in attempt: where it happens and what the client sent along (for the triggers)."""

    ctx: EngineContext
    pool: Pool
    client: Client
    client_metadata: dict = field(default_factory=dict)
    validation_data: dict | None = None
    # What a finished sign-in becomes; None: the AuthenticationResult. Managed login passes its own: the
    # user gets an authorization code, and the token endpoint issues the tokens.
    finish: Callable[[User], dict] | None = None
    device_key: str | None = None  # the DEVICE_KEY this step's request carries
    device_verified: bool = False  # DEVICE_PASSWORD_VERIFIER passed for that device


def unknown_user(client: Client) -> CognitoError:
    if client.prevent_user_existence_errors:
        return not_authorized(INCORRECT_CREDENTIALS)
    return user_not_found()


def unknown_user_password(s: SignIn, username: str, password: str | None) -> CognitoError:
    """The answer to a password for an unknown user; where existence errors are prevented it costs what a wrong
    password of a known user costs (the verifier computation), so timing does not tell them apart."""
    if s.client.prevent_user_existence_errors:  # and counts toward a lockout, as a known user's failure does
        phantom = _phantom_before_password(s, username)
        passwords.spend_password_check(s.pool, username, password)
        passwords.record_failure(s.ctx, s.pool, phantom)
    return unknown_user(s.client)


def _phantom_before_password(s: SignIn, name: str) -> User:
    """An unknown name's record, after what a user's password meets first: the lockout, then PreAuthentication
    (which Cognito runs for unknown names too where existence errors are prevented, with ``userNotFound``)."""
    phantom = phantom_user(s.ctx, s.pool, name)
    passwords.check_lockout(s.ctx, s.pool, phantom)
    if triggers.pre_authentication(s.ctx, s.pool, phantom, s.client.id, s.validation_data, user_not_found=True):
        phantom = phantom_user(s.ctx, s.pool, name)  # the trigger ran without the store lock: the fresh row
    return phantom


def _pre_authentication(s: SignIn, user: User) -> None:
    not_found = False if s.client.prevent_user_existence_errors else None  # Cognito fills it in only then
    if triggers.pre_authentication(s.ctx, s.pool, user, s.client.id, s.validation_data, user_not_found=not_found):
        directory.reload_user(s.ctx, s.pool, user)  # the trigger ran without the store lock; count on the fresh row


# --- first factors -------------------------------------------------------------------
def check_password(s: SignIn, user: User, password: str | None) -> None:
    """A plain password: lockout first, then PreAuthentication, then the verifier."""
    passwords.check_lockout(s.ctx, s.pool, user)
    _pre_authentication(s, user)
    if not passwords.password_matches(s.pool, user, password):
        passwords.record_failure(s.ctx, s.pool, user)
        raise not_authorized(INCORRECT_CREDENTIALS)


def srp_challenge(s: SignIn, user: User | None, srp_a: str, given_username: str, *, with_session: bool,
                  custom_history: list[dict] | None = None) -> dict:
    """PASSWORD_VERIFIER: the server's half of SRP. The client answers with SECRET_BLOCK, which keys the session."""
    if user is None and not s.client.prevent_user_existence_errors:
        raise user_not_found()
    if user is None or not user.has_password:
        # Unknown (existence errors prevented) or passwordless: a challenge like a real one that never succeeds.
        user_id = user.username if user else given_username
        verifier_salt, verifier = secrets.token_hex(16), secrets.token_hex(384)
    else:
        user_id, verifier_salt, verifier = user.username, srp.canonical_salt(user.srp_salt or ""), user.srp_verifier or ""
    try:
        challenge = srp.start(srp_a, verifier)
    except ValueError as exc:
        raise not_authorized(INCORRECT_CREDENTIALS) from exc
    session = SrpSession(s.client.id, user.username if user else None, user_id=user_id, b=format(challenge.b, "x"),
                         big_b=challenge.srp_b_hex, a=srp_a, secret_block=challenge.secret_block,
                         custom_history=custom_history)
    sessions.start(s.ctx, s.pool, s.client, session, session_id=srp_session_id(challenge.secret_block))
    out: dict[str, Any] = {
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {"SALT": verifier_salt, "SECRET_BLOCK": challenge.secret_block,
                                "SRP_B": challenge.srp_b_hex, "USERNAME": user_id, "USER_ID_FOR_SRP": user_id},
    }
    if with_session:
        out["Session"] = sessions.start(s.ctx, s.pool, s.client, session)
    return out


def srp_session_id(secret_block: str) -> str:
    return "srp:" + secret_block


def srp_challenge_of(session: SrpSession) -> srp.ServerChallenge:
    return srp.ServerChallenge(b=int(session.b, 16), big_b=int(session.big_b, 16), a=int(session.a, 16),
                               secret_block=session.secret_block)


def srp_user(s: SignIn, session: SrpSession) -> User | None:
    return directory.get_user(s.ctx, s.pool, session.username) if session.username is not None else None


def password_verifier(s: SignIn, responses: dict) -> tuple[User, SrpSession]:
    """Check the client's SRP proof; returns the user and the SRP session (CUSTOM_AUTH continues from it)."""
    block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
    session = sessions.load(s.ctx, srp_session_id(block), s.client)
    sessions.end(s.ctx, srp_session_id(block))
    if not isinstance(session, SrpSession):
        raise not_authorized(INCORRECT_CREDENTIALS)
    challenge = srp_challenge_of(session)
    user = srp_user(s, session)
    if user is None and session.username is None:
        # unknown (existence errors prevented): the lockout, then the same proof computation on the dummy verifier
        phantom = _phantom_before_password(s, session.user_id)
        verify_proof(s, challenge, passwords.DUMMY_VERIFIER, session.user_id, block, responses)
        passwords.record_failure(s.ctx, s.pool, phantom)
        raise not_authorized(INCORRECT_CREDENTIALS)
    if user is None:  # deleted since the first step
        raise unknown_user(s.client)
    passwords.check_lockout(s.ctx, s.pool, user)
    _pre_authentication(s, user)
    ok = verify_proof(s, challenge, user.srp_verifier or passwords.DUMMY_VERIFIER, session.user_id, block,
                       responses) and user.has_password
    if not ok:
        passwords.record_failure(s.ctx, s.pool, user)
        raise not_authorized(INCORRECT_CREDENTIALS)
    return user, session


def verify_proof(s: SignIn, challenge: srp.ServerChallenge, verifier: str, user_id: str, block: str,
                  responses: dict) -> bool:
    return srp.verify_proof(challenge, verifier, s.pool.id, user_id, block, responses.get("TIMESTAMP") or "",
                            responses.get("PASSWORD_CLAIM_SIGNATURE") or "")


# --- after the first factor ------------------------------------------------------------
def after_first_factor(s: SignIn, user: User, *, mfa: bool = True) -> dict:
    check_can_sign_in(user)
    if user.status == UserStatus.RESET_REQUIRED:
        raise CognitoError("PasswordResetRequiredException", "Password reset required for the user")
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        attrs = {k: v for k, v in user.attributes.items() if k != "sub"}
        session = sessions.start(s.ctx, s.pool, s.client, NewPasswordSession(s.client.id, user.username))
        return {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session, "ChallengeParameters": {
            "USER_ID_FOR_SRP": user.username, "requiredAttributes": "[]", "userAttributes": json.dumps(attrs)}}
    if mfa:
        device = devices.for_sign_in(s.ctx, s.pool, user, s.device_key)
        step = _mfa_step(s, user, devices.suppressed_mfas(s.pool, device))
        if step is not None:
            return step
    return complete(s, user)


def new_password(s: SignIn, user: User, responses: dict) -> None:
    """NEW_PASSWORD_REQUIRED answered: the new password (and any attributes the user was asked for)."""
    passwords.check_policy(s.pool, responses.get("NEW_PASSWORD"))
    extra = [{"Name": k[len("userAttributes."):], "Value": v} for k, v in responses.items()
             if k.startswith("userAttributes.")]
    user.attributes.update(validate_attributes(s.pool, extra, creating=False))
    passwords.set_password(s.pool, user, responses["NEW_PASSWORD"])
    user.status = UserStatus.CONFIRMED
    directory.save_user(s.ctx, s.pool, user)


def _user_mfas(pool: Pool, user: User) -> list[str]:
    enabled = []
    if user.mfa.sms and user.attributes.get("phone_number"):
        enabled.append("SMS_MFA")
    if user.mfa.totp and user.totp_secret:
        enabled.append("SOFTWARE_TOKEN_MFA")
    if user.mfa.email and user.attributes.get("email"):
        enabled.append("EMAIL_OTP")
    return [m for m in enabled if m in pool.enabled_mfas]


def _mfa_step(s: SignIn, user: User, suppressed: tuple[str, ...] = ()) -> dict | None:
    pool = s.pool
    if pool.mfa_configuration == "OFF":
        return None
    enabled = _user_mfas(pool, user)
    if not enabled and pool.mfa_configuration == "ON":
        if "SMS_MFA" in pool.enabled_mfas and user.attributes.get("phone_number"):
            enabled = ["SMS_MFA"]
        elif user.totp_secret and "SOFTWARE_TOKEN_MFA" in pool.enabled_mfas:
            enabled = ["SOFTWARE_TOKEN_MFA"]
        else:
            can_setup = [m for m in pool.enabled_mfas if m in ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")]
            session = sessions.start(s.ctx, pool, s.client, MfaSetupSession(s.client.id, user.username))
            return {"ChallengeName": "MFA_SETUP", "Session": session,
                    "ChallengeParameters": {"MFAS_CAN_SETUP": json.dumps(can_setup)}}
    enabled = [m for m in enabled if m not in suppressed]  # a remembered device stands in for these
    if not enabled:
        return None
    preferred = user.mfa.preferred
    if preferred in enabled:
        return code_challenge(s, user, preferred)
    if len(enabled) == 1:
        return code_challenge(s, user, enabled[0])
    session = sessions.start(s.ctx, pool, s.client, SelectMfaSession(s.client.id, user.username, choices=enabled))
    return {"ChallengeName": "SELECT_MFA_TYPE", "Session": session,
            "ChallengeParameters": {"MFAS_CAN_CHOOSE": json.dumps(enabled)}}


def code_challenge(s: SignIn, user: User, name: str, *, first_factor: bool = False) -> dict:
    """An MFA or one-time-password challenge; a code goes out for SMS and email (TOTP codes come from the app)."""
    params: dict[str, str] = {}
    code = None
    attribute = {"SMS_MFA": "phone_number", "SMS_OTP": "phone_number", "EMAIL_OTP": "email"}.get(name)
    if attribute is not None:
        code = OneTimeCode.issue(s.ctx.now(), codes.OTP_TTL)
        kind = MessageKind.MFA if not first_factor else (
            MessageKind.SMS_OTP if attribute == "phone_number" else MessageKind.EMAIL_OTP)
        params = challenge_delivery_parameters(deliver_code(s.ctx, s.pool, user, attribute, code.code or "", kind))
    session = CodeChallengeSession(s.client.id, user.username, challenge=name, first_factor=first_factor, code=code)
    return {"ChallengeName": name, "Session": sessions.start(s.ctx, s.pool, s.client, session),
            "ChallengeParameters": params}


def email_mfa_setup(s: SignIn, user: User, email: str) -> dict:
    """MFA_SETUP answered with an EMAIL: a code to that address, then EMAIL_OTP as for any email MFA."""
    if "EMAIL_OTP" not in s.pool.enabled_mfas:
        raise invalid_parameter("Email MFA is not enabled for the user pool.")
    values = validate_attributes(s.pool, [{"Name": "email", "Value": email}], creating=False)
    check_alias_free(s.ctx, s.pool, user, "email", values["email"])
    code = OneTimeCode.issue(s.ctx.now(), codes.OTP_TTL)
    delivery = deliver_code(s.ctx, s.pool, user, "email", code.code or "", MessageKind.MFA, destination=values["email"])
    session = CodeChallengeSession(s.client.id, user.username, challenge="EMAIL_OTP", code=code,
                                   setup_email=values["email"])
    return {"ChallengeName": "EMAIL_OTP", "Session": sessions.start(s.ctx, s.pool, s.client, session),
            "ChallengeParameters": challenge_delivery_parameters(delivery)}


def check_code_answer(s: SignIn, session_id: str, session: CodeChallengeSession, user: User | None,
                      given: str | None) -> None:
    """An MFA or OTP code; a wrong MFA code counts toward the user's lockout, as a wrong password does.
    Three wrong answers end the session."""
    now = s.ctx.now()
    if session.attempts >= _MAX_CHALLENGE_ATTEMPTS:
        sessions.end(s.ctx, session_id)
        raise not_authorized(sessions.INVALID)
    mfa = not session.first_factor and user is not None
    if mfa:
        passwords.check_lockout(s.ctx, s.pool, user)
    if session.challenge == "SOFTWARE_TOKEN_MFA":
        step = totp.matching_step(user.totp_secret, given or "", now) if user and user.totp_secret else None
        if step is not None and user is not None and step <= user.totp_last_step:
            raise CognitoError("ExpiredCodeException", totp.ALREADY_USED)
        ok = step is not None
        if ok and user is not None and step is not None:
            user.totp_last_step = step
            directory.save_user(s.ctx, s.pool, user)
    else:
        if session.code is None or session.code.expired(now):
            raise CognitoError("ExpiredCodeException", _CODE_EXPIRED)
        ok = user is not None and session.code.matches(given)
    if not ok:
        if mfa:
            passwords.record_failure(s.ctx, s.pool, user)
        session.attempts += 1
        sessions.save(s.ctx, session_id, session)
        raise CognitoError("CodeMismatchException",
                           _INVALID_SMS_MFA_CODE if session.challenge == "SMS_MFA" else _INVALID_MFA_CODE)


def complete(s: SignIn, user: User) -> dict:
    device = devices.for_sign_in(s.ctx, s.pool, user, s.device_key)
    if device is not None and device.remembered and not s.device_verified:
        return device_sign_in.challenge(s.ctx, s.pool, s.client, user, device)  # DEVICE_SRP_AUTH, the last step
    passwords.record_success(s.ctx, s.pool, user)  # only a whole sign-in resets the lockout count (MFA failures count too)
    if triggers.post_authentication(s.ctx, s.pool, user, s.client.id, s.client_metadata):
        directory.reload_user(s.ctx, s.pool, user)  # the tokens carry what the handler may have changed
    if s.finish is not None:  # managed login: a code now, the tokens at the token endpoint
        return s.finish(user)
    device_key, new_device = devices.device_of_tokens(s.ctx, s.pool, user, device)
    result = tokens.issue(s.ctx, s.pool, s.client, user, client_metadata=s.client_metadata, device_key=device_key)
    if new_device is not None:
        result["NewDeviceMetadata"] = new_device
    return {"AuthenticationResult": result, "ChallengeParameters": {}}


# --- USER_AUTH (choice-based sign-in) ------------------------------------------------------
def available_first_factors(s: SignIn, user: User | None) -> list[str]:
    factors = s.pool.first_factors
    out = []
    if "PASSWORD" in factors and (user is None or user.has_password):  # passwordless users have none
        out += ["PASSWORD", "PASSWORD_SRP"]
    if "EMAIL_OTP" in factors and (user is None or user.attributes.get("email")):
        out.append("EMAIL_OTP")
    if "SMS_OTP" in factors and (user is None or user.attributes.get("phone_number")):
        out.append("SMS_OTP")
    if "WEB_AUTHN" in factors and (user is None or webauthn.credentials(s.ctx, s.pool, user.username)):
        out.append("WEB_AUTHN")
    return out


def select_challenge(s: SignIn, user: User | None, given: str) -> dict:
    session = SelectChallengeSession(s.client.id, user.username if user else None, given=given)
    return {"ChallengeName": "SELECT_CHALLENGE", "Session": sessions.start(s.ctx, s.pool, s.client, session),
            "ChallengeParameters": {}, "AvailableChallenges": available_first_factors(s, user)}


def answer_first_factor(s: SignIn, user: User | None, username: str, answer: str, params: dict) -> dict:
    if answer not in available_first_factors(s, user):
        raise invalid_parameter(f"The challenge {answer} is not available for this user.")
    if answer == "PASSWORD":
        if user is None:
            raise unknown_user_password(s, username, params.get("PASSWORD"))
        check_password(s, user, params.get("PASSWORD"))
        return after_first_factor(s, user)
    if answer == "PASSWORD_SRP":
        if not params.get("SRP_A"):
            raise invalid_parameter("Missing required parameter SRP_A")
        return srp_challenge(s, user, params["SRP_A"], username, with_session=True)
    if answer == "WEB_AUTHN":
        return web_authn_challenge(s, user)
    attribute = "email" if answer == "EMAIL_OTP" else "phone_number"
    if user is None:  # a code is "sent" nowhere; any answer fails as a wrong code would
        session = CodeChallengeSession(s.client.id, None, challenge=answer, first_factor=True,
                                       code=OneTimeCode(None, s.ctx.now() + codes.OTP_TTL))
        return {"ChallengeName": answer, "Session": sessions.start(s.ctx, s.pool, s.client, session),
                "ChallengeParameters": challenge_delivery_parameters(disguised_delivery(attribute, username))}
    check_can_sign_in(user)
    return code_challenge(s, user, answer, first_factor=True)


# --- WEB_AUTHN (passkeys) -------------------------------------------------------------------
def web_authn_challenge(s: SignIn, user: User | None) -> dict:
    """WEB_AUTHN: options for navigator.credentials.get, naming the user's passkeys on the pool's relying
    party. An unknown user (existence errors prevented) gets the same challenge, naming none."""
    rp_id = webauthn.relying_party_id(s.ctx, s.pool)
    allowed = []
    if user is not None:
        check_can_sign_in(user)
        allowed = [c for c in webauthn.credentials(s.ctx, s.pool, user.username) if c.relying_party_id == rp_id]
    challenge = webauthn.new_challenge()
    session = WebAuthnSession(s.client.id, user.username if user else None, challenge=challenge,
                              relying_party_id=rp_id)
    options = webauthn.request_options(s.pool, rp_id, challenge, allowed, s.client.auth_session_seconds * 1000)
    return {"ChallengeName": "WEB_AUTHN", "Session": sessions.start(s.ctx, s.pool, s.client, session),
            "ChallengeParameters": {"CREDENTIAL_REQUEST_OPTIONS": webauthn.dumps(options)}}


def web_authn_answer(s: SignIn, session: WebAuthnSession, user: User | None, credential: str | None) -> dict:
    """The WEB_AUTHN answer: a verified assertion signs the user in (a first factor; no MFA follows, as for
    the one-time-password factors). Why a passkey was refused goes to the console, not to the client."""
    if user is None:
        raise not_authorized(webauthn.ASSERTION_REFUSED)
    try:
        used = webauthn.verify_assertion(s.pool, session.relying_party_id, session.challenge, user,
                                         webauthn.credentials(s.ctx, s.pool, user.username), credential)
    except webauthn.AssertionRefused as exc:
        s.ctx.log("passkeys", f"WEB_AUTHN sign-in of {user.username} refused: {exc.reason}")
        raise
    webauthn.save_credential(s.ctx, s.pool, used)  # the new sign count
    check_can_sign_in(user)
    return complete(s, user)
