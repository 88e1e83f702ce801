"""TOTP (RFC 6238) for SOFTWARE_TOKEN_MFA, via pyotp: 30-second steps, 6 digits, one step of drift.

RFC 6238 §5.2: a verifier must not accept the same OTP twice. The engine keeps
the last accepted time step per user and accepts only later ones, as Cognito
does ("Your software token has already been used once.").
"""

from __future__ import annotations

import hmac

import pyotp

__all__ = ["new_secret", "matching_step", "ALREADY_USED"]

ALREADY_USED = "Your software token has already been used once."


def new_secret() -> str:
    """A base32 secret like the SecretCode Cognito returns from AssociateSoftwareToken."""
    return pyotp.random_base32(length=32)


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (counter) ``code`` belongs to, within one step of ``now``; None if it matches none."""
    if not code or not code.isdigit() or len(code) != 6:
        return None
    otp = pyotp.TOTP(secret)
    current = int(now) // otp.interval
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(otp.generate_otp(step), code):
            return step
    return None
