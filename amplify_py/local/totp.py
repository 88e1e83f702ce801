"""TOTP (RFC 6238) for SOFTWARE_TOKEN_MFA, via pyotp: 30-second steps, 6 digits, one step of drift."""

from __future__ import annotations

import pyotp

__all__ = ["new_secret", "verify"]


def new_secret() -> str:
    """A base32 secret like the SecretCode Cognito returns from AssociateSoftwareToken."""
    return pyotp.random_base32(length=32)


def verify(secret: str, code: str, now: float) -> bool:
    if not code or not code.isdigit() or len(code) != 6:
        return False
    return pyotp.TOTP(secret).verify(code, for_time=int(now), valid_window=1)
