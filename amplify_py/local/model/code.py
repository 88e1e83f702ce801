"""A one-time code: six digits, expiring, counted attempts, good once.

One class for every code the engine hands out: sign-up, attribute and password-reset codes (kept per user
and purpose in the store) and sign-in codes (email/SMS MFA and one-time passwords, kept in the challenge
session). What happens after too many wrong answers differs by where Cognito uses the code, so that
rule lives with the caller (``rules.codes``); matching and expiry live here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

__all__ = ["OneTimeCode", "new_code"]


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


@dataclass
class OneTimeCode:
    code: str | None  # None: nothing was sent (an unknown user under existence-error prevention); nothing matches
    expires: float
    attempts: int = 0
    used: bool = False

    @classmethod
    def issue(cls, now: float, ttl: float, code: str | None = None) -> "OneTimeCode":
        return cls(code=new_code() if code is None else code, expires=now + ttl)

    def expired(self, now: float) -> bool:
        return self.expires <= now

    def matches(self, given: str | None) -> bool:
        return self.code is not None and secrets.compare_digest(str(self.code), str(given or ""))
