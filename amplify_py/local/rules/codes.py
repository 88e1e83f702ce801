"""Codes kept per user and purpose (sign-up, attribute verification, password reset): single use,
expiring, at most five guesses, and a limit on how often a user may request or enter them. Sign-in codes
use the same ``OneTimeCode`` inside their session (``operations.sign_in_steps``).

The hourly limit is Cognito's documented rule for password resets: "In a given hour, we allow between 5 and
20 attempts for a user to request or enter a password reset code as part of forgot-password and
confirm-forgot-password actions. The exact value depends on the risk parameters associated with the
requests." The engine has no risk signal and allows the most, 20, and applies the same rule to sign-up codes
(ResendConfirmationCode and ConfirmSignUp) and attribute verification codes (GetUserAttributeVerificationCode,
UpdateUserAttributes when it sends one, VerifyUserAttribute; counted per attribute), which Cognito throttles
with the same error but does not document. Without it, every re-issued code would bring five fresh guesses and a six-digit code would fall to
brute force in minutes. The counts live in the user's record, so a restart does not reset them.
"""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import ATTEMPT_LIMIT, CODE_EXPIRED, CODE_MISMATCH, CognitoError
from amplify_py.local.model.code import OneTimeCode
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.user import User
from amplify_py.local.rules.directory import save_user

__all__ = ["issue", "check", "count_attempt", "SIGN_UP", "FORGOT_PASSWORD", "attribute_purpose", "SIGN_UP_TTL", "ATTRIBUTE_TTL",
           "FORGOT_TTL", "OTP_TTL", "MAX_ATTEMPTS",
           "HOURLY_ATTEMPTS"]

SIGN_UP_TTL = 24 * 3600
ATTRIBUTE_TTL = 24 * 3600
FORGOT_TTL = 3600
OTP_TTL = 3 * 60
MAX_ATTEMPTS = 5
HOURLY_ATTEMPTS = 20  # requests and entries of one purpose's codes, per user, in any hour
_HOUR = 3600

# What a stored code is for (the store's key beside pool and user).
SIGN_UP = "SIGN_UP"
FORGOT_PASSWORD = "FORGOT_PASSWORD"


def attribute_purpose(attribute: str) -> str:
    """The purpose of a code that verifies ``attribute`` (email or phone_number)."""
    return f"ATTR:{attribute}"


def issue(ctx: EngineContext, pool: Pool, username: str, purpose: str, ttl: float) -> str:
    """A fresh code for ``purpose``; it replaces any earlier code for the same purpose."""
    code = OneTimeCode.issue(ctx.now(), ttl)
    ctx.store.put_code(pool.id, username, purpose, code.code or "", code.expires)
    return code.code or ""


def check(ctx: EngineContext, pool: Pool, username: str, purpose: str, given: str | None,
          *, mismatch_message: str = CODE_MISMATCH) -> None:
    """Consume the code or raise Cognito's error: mismatch, expired/used, or too many attempts."""
    row = ctx.store.get_code(pool.id, username, purpose)
    if row is None:
        raise CognitoError("CodeMismatchException", mismatch_message)
    code = OneTimeCode(row.code, row.expires, row.attempts, row.used)
    if code.used:
        raise CognitoError("ExpiredCodeException", CODE_EXPIRED)
    if code.attempts >= MAX_ATTEMPTS:
        raise CognitoError("LimitExceededException", ATTEMPT_LIMIT)
    if code.expired(ctx.now()):
        raise CognitoError("ExpiredCodeException", CODE_EXPIRED)
    if not code.matches(given):
        ctx.store.update_code(pool.id, username, purpose, attempts=code.attempts + 1, used=False)
        raise CognitoError("CodeMismatchException", mismatch_message)
    ctx.store.update_code(pool.id, username, purpose, attempts=code.attempts, used=True)


def count_attempt(ctx: EngineContext, pool: Pool, user: User, purpose: str) -> None:
    """Count one request or entry of a ``purpose`` code (sign-up, password reset) for ``user``; past the hourly
    limit, Cognito's LimitExceededException, and the refused attempt does not count."""
    now = ctx.now()
    recent = [at for at in user.code_attempts.get(purpose, []) if now - at < _HOUR]
    if len(recent) >= HOURLY_ATTEMPTS:
        raise CognitoError("LimitExceededException", ATTEMPT_LIMIT)
    user.code_attempts[purpose] = [*recent, now]
    save_user(ctx, pool, user)  # before any trigger runs (the store lock is released while it does)
