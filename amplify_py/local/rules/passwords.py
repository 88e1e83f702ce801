"""Passwords: the pool's policy, the SRP verifier (the one password secret), temporary passwords, and
Cognito's lockout after repeated failures.

Where existence errors are prevented, a wrong password must not tell an unknown user from a known one, by its
answer, its time or its lockout: the unknown user's check does the same verifier computation, on a verifier
nobody has (``DUMMY_VERIFIER``), and its failures are counted and locked out on the name's ``PhantomUser``
(``rules.phantoms``), saved as a known user's failure is."""

from __future__ import annotations

import secrets
import string

from amplify_py.local import srp
from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, invalid_parameter, not_authorized
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.user import User
from amplify_py.local.rules.directory import save_user

__all__ = ["check_policy", "set_password", "password_matches", "spend_password_check",
           "temporary_password",
           "check_lockout", "record_failure", "record_success", "LOCKOUT_THRESHOLD", "DUMMY_SALT", "DUMMY_VERIFIER"]

_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")
LOCKOUT_THRESHOLD = 5
LOCKOUT_MAX_SECONDS = 900
LOCKOUT_IDLE_RESET = 900
# A verifier as long as a real one (3072 bits) and a salt, made once per process, matching no password.
DUMMY_SALT = srp.pad_hex(secrets.randbits(128))
DUMMY_VERIFIER = format(secrets.randbits(3071) | 1 << 3071, "x")


def check_policy(pool: Pool, password: str | None) -> None:
    policy = pool.password_policy
    password = password or ""
    problem = None
    if len(password) < policy["MinimumLength"]:
        problem = "Password not long enough"
    elif policy["RequireLowercase"] and not any(c.islower() for c in password):
        problem = "Password must have lowercase characters"
    elif policy["RequireUppercase"] and not any(c.isupper() for c in password):
        problem = "Password must have uppercase characters"
    elif policy["RequireNumbers"] and not any(c.isdigit() for c in password):
        problem = "Password must have numeric characters"
    elif policy["RequireSymbols"] and not any(c in _SYMBOLS for c in password):
        problem = "Password must have symbol characters"
    if problem:
        raise CognitoError("InvalidPasswordException", f"Password did not conform with policy: {problem}")
    if len(password) > 256:
        raise invalid_parameter("1 validation error detected: Value at 'password' failed to satisfy constraint: "
                                "Member must have length less than or equal to 256")


def set_password(pool: Pool, user: User, password: str) -> None:
    """Store the SRP salt and verifier (the password itself is never kept)."""
    user.srp_salt, user.srp_verifier = srp.make_verifier(pool.id, user.username, password)


def password_matches(pool: Pool, user: User, password: str | None) -> bool:
    """A plain password (USER_PASSWORD_AUTH, PASSWORD, ChangePassword) checked against the SRP verifier (a user
    without one, passwordless, costs the same check and never matches)."""
    if not user.srp_verifier or not user.srp_salt or password is None:
        spend_password_check(pool, user.username, password)
        return False
    return srp.password_matches(pool.id, user.username, password, user.srp_salt, user.srp_verifier)


def spend_password_check(pool: Pool, username: str, password: str | None) -> None:
    """The work of a password check, on the dummy verifier: what an unknown user costs, so that timing does
    not reveal who exists."""
    srp.password_matches(pool.id, username, password or "", DUMMY_SALT, DUMMY_VERIFIER)


def temporary_password(pool: Pool) -> str:
    """A password that meets any policy (AdminCreateUser without TemporaryPassword)."""
    length = max(pool.password_policy["MinimumLength"], 12)
    parts = [secrets.choice(string.ascii_lowercase), secrets.choice(string.ascii_uppercase),
             secrets.choice(string.digits), secrets.choice("!#%&*+-=?^_")]
    parts += [secrets.choice(string.ascii_letters + string.digits) for _ in range(length - 4)]
    secrets.SystemRandom().shuffle(parts)
    return "".join(parts)


# Cognito's documented rule: after 5 failed password (or MFA code) attempts the user is locked out for
# 2^(n-5) seconds (n = failures so far), up to about 15 minutes; attempts during a lockout fail with
# "Password attempts exceeded" and don't count; a success after the lockout, or 15 minutes without any
# sign-in attempt, resets n to 0.
def check_lockout(ctx: EngineContext, pool: Pool, user: User) -> None:
    now = ctx.now()
    last_attempt = max(user.last_attempt, user.last_failure)
    if user.failed >= LOCKOUT_THRESHOLD and now - last_attempt >= LOCKOUT_IDLE_RESET:
        user.failed = 0
        save_user(ctx, pool, user)  # saved: a trigger may run before the next save, and callers re-read
    if user.failed >= LOCKOUT_THRESHOLD:
        wait = min(2 ** (user.failed - LOCKOUT_THRESHOLD), LOCKOUT_MAX_SECONDS)
        if now < user.last_failure + wait:
            user.last_attempt = now
            save_user(ctx, pool, user)
            raise not_authorized("Password attempts exceeded")


def record_failure(ctx: EngineContext, pool: Pool, user: User) -> None:
    user.failed += 1
    user.last_failure = user.last_attempt = ctx.now()
    save_user(ctx, pool, user)


def record_success(ctx: EngineContext, pool: Pool, user: User) -> None:
    if user.failed:
        user.failed = 0
        save_user(ctx, pool, user)
