"""Six-digit codes: single use, expiring, with a per-code attempt limit."""

from __future__ import annotations

import secrets

from amplify_py.local.errors import ATTEMPT_LIMIT, CODE_EXPIRED, CODE_MISMATCH, CognitoError
from amplify_py.local.store import Store

__all__ = ["issue", "check", "new_code", "SIGN_UP_TTL", "ATTRIBUTE_TTL", "FORGOT_TTL", "OTP_TTL", "MAX_ATTEMPTS"]

SIGN_UP_TTL = 24 * 3600
ATTRIBUTE_TTL = 24 * 3600
FORGOT_TTL = 3600
OTP_TTL = 3 * 60
MAX_ATTEMPTS = 5


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def issue(store: Store, pool_id: str, username: str, purpose: str, now: float, ttl: float) -> str:
    """A fresh code for ``purpose``; it replaces any earlier code for the same purpose."""
    code = new_code()
    store.put_code(pool_id, username, purpose, code, now + ttl)
    return code


def check(store: Store, pool_id: str, username: str, purpose: str, code: str, now: float,
          *, mismatch_message: str = CODE_MISMATCH) -> None:
    """Consume ``code`` or raise Cognito's error: mismatch, expired/used, or too many attempts."""
    row = store.get_code(pool_id, username, purpose)
    if row is None:
        raise CognitoError("CodeMismatchException", mismatch_message)
    if row["used"]:
        raise CognitoError("ExpiredCodeException", CODE_EXPIRED)
    if row["attempts"] >= MAX_ATTEMPTS:
        raise CognitoError("LimitExceededException", ATTEMPT_LIMIT)
    if row["expires"] <= now:
        raise CognitoError("ExpiredCodeException", CODE_EXPIRED)
    if not secrets.compare_digest(str(row["code"]), str(code or "")):
        store.update_code(pool_id, username, purpose, attempts=row["attempts"] + 1, used=False)
        raise CognitoError("CodeMismatchException", mismatch_message)
    store.update_code(pool_id, username, purpose, attempts=row["attempts"], used=True)
