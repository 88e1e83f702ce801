"""MFA settings: AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference, AdminSetUserMFAPreference."""

from __future__ import annotations

from amplify_py.local import totp
from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, invalid_parameter, not_authorized, user_not_found
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.session import MfaSetupSession
from amplify_py.local.model.user import MFA_NAMES, User
from amplify_py.local.operations._request import admin_user
from amplify_py.local.rules import directory, sessions, tokens

__all__ = ["OPERATIONS"]

_SETTINGS = (("SMSMfaSettings", "sms"), ("SoftwareTokenMfaSettings", "totp"), ("EmailMfaSettings", "email"))


def _session_or_token(ctx: EngineContext, body: dict) -> tuple[Pool, User, str | None]:
    """The signed-in user, or the user of an MFA_SETUP challenge: only a sign-in that has passed its first
    factor may set up a software token (any other session is handed out before the user proved anything)."""
    if body.get("AccessToken"):
        pool, user, _claims = tokens.authenticate(ctx, body["AccessToken"])
        return pool, user, None
    found = sessions.load_unchecked(ctx, body.get("Session"))
    if found is None:
        raise not_authorized(sessions.EXPIRED)
    pool_id, session = found
    if not isinstance(session, MfaSetupSession):
        raise not_authorized(sessions.INVALID)
    pool = ctx.pool(pool_id)
    user = directory.get_user(ctx, pool, session.username)
    if user is None:
        raise user_not_found()
    return pool, user, body["Session"]


def associate_software_token(ctx: EngineContext, body: dict) -> dict:
    pool, user, session = _session_or_token(ctx, body)
    if "SOFTWARE_TOKEN_MFA" not in pool.enabled_mfas and pool.mfa_configuration != "OFF":
        raise CognitoError("SoftwareTokenMFANotFoundException", "Software token MFA is not enabled for the user pool.")
    user.totp_pending = totp.new_secret()
    directory.save_user(ctx, pool, user)
    out = {"SecretCode": user.totp_pending}
    if session:
        out["Session"] = session
    return out


def verify_software_token(ctx: EngineContext, body: dict) -> dict:
    pool, user, session = _session_or_token(ctx, body)
    secret = user.totp_pending
    if not secret:
        raise invalid_parameter("User has not set up software token mfa")
    step = totp.matching_step(secret, body.get("UserCode", ""), ctx.now())
    if step is None:
        raise CognitoError("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    user.totp_secret = secret
    user.totp_last_step = step  # this code is spent: a sign-in in the same step needs the next one
    user.totp_pending = None
    if session:  # during MFA_SETUP sign-in the new factor becomes the user's MFA
        user.mfa.totp = True
    directory.save_user(ctx, pool, user)
    out = {"Status": "SUCCESS"}
    if session:
        out["Session"] = session
    return out


def _apply_preference(ctx: EngineContext, pool: Pool, user: User, body: dict) -> None:
    for key, flag in _SETTINGS:
        settings = body.get(key)
        if not settings:
            continue
        mfa_name = MFA_NAMES[flag]
        enabled = bool(settings.get("Enabled"))
        if enabled:
            if flag == "totp" and not user.totp_secret:
                raise invalid_parameter("User has not set up software token mfa")
            if flag == "sms" and not user.attributes.get("phone_number"):
                raise invalid_parameter("User does not have delivery config set to turn on SMS_MFA")
            if flag == "email" and not user.attributes.get("email"):
                raise invalid_parameter("User does not have delivery config set to turn on EMAIL_OTP")
        setattr(user.mfa, flag, enabled)
        if settings.get("PreferredMfa") and enabled:
            user.mfa.preferred = mfa_name
        elif user.mfa.preferred == mfa_name and (not enabled or settings.get("PreferredMfa") is False):
            user.mfa.preferred = None
    directory.save_user(ctx, pool, user)


def set_user_mfa_preference(ctx: EngineContext, body: dict) -> dict:
    pool, user, _claims = tokens.authenticate(ctx, body.get("AccessToken"))
    _apply_preference(ctx, pool, user, body)
    return {}


def admin_set_user_mfa_preference(ctx: EngineContext, body: dict) -> dict:
    pool, user = admin_user(ctx, body)
    _apply_preference(ctx, pool, user, body)
    return {}


OPERATIONS = {
    "AssociateSoftwareToken": associate_software_token,
    "VerifySoftwareToken": verify_software_token,
    "SetUserMFAPreference": set_user_mfa_preference,
    "AdminSetUserMFAPreference": admin_set_user_mfa_preference,
}
