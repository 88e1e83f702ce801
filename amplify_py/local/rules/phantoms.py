"""Unknown names answered as users are (PreventUserExistenceErrors ENABLED): by the answer, by the limits
and lockout, and by the work done.

Cognito documents the answers ("Managing user existence error responses"): ForgotPassword returns
CodeDeliveryDetails with a simulated delivery medium when the user isn't found, is deactivated, or has no
verified way to receive the code; ResendConfirmationCode returns CodeDeliveryDetails for a disabled user or
one that doesn't exist; a password sign-in answers "Incorrect username or password.". It does not document
the limits for those names. The engine gives them the ones a real user has, since anything else would tell
the two apart: a name's code requests count toward the hourly limit (``rules.codes``) and its wrong
passwords toward the lockout (``rules.passwords``), and so do the codes it enters (ConfirmSignUp,
ConfirmForgotPassword), kept in a ``PhantomUser`` the directory stores apart.
The answer costs what a real one costs: the name's record is read and written, a code is drawn and its
message rendered, but nothing is stored or sent.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, NoReturn

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import ATTEMPT_LIMIT, CognitoError
from amplify_py.local.model.phantom import PhantomUser
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.user import User, UserStatus
from amplify_py.local.rules import codes
from amplify_py.local.rules.directory import save_user, username_key
from amplify_py.local.rules.messages import MessageKind, render_only, verification_disguise
from amplify_py.local.rules.passwords import DUMMY_SALT, DUMMY_VERIFIER
from amplify_py.local.store import phantom_pool_id

__all__ = ["phantom_user", "simulated_delivery", "refuse_code", "MEMORY"]

MEMORY = 3600  # how long an unknown name's counts matter: the hourly code limit (the lockout's is 15 minutes)


def phantom_user(ctx: EngineContext, pool: Pool, name: str) -> PhantomUser:
    """The record kept for ``name`` (a fresh one the first time), loaded as a stored user is loaded."""
    key = username_key(pool, name)
    record = ctx.store.get_user(phantom_pool_id(pool.id), key)
    if record is None:
        if secrets.randbelow(64) == 0:  # now and then, forget names nobody asked about for an hour
            ctx.store.forget_phantoms(pool.id, before=ctx.now() - MEMORY)
        attributes = {"email": name, "email_verified": "true"} if "@" in name else {}
        fresh = PhantomUser.new(key, attributes, UserStatus.CONFIRMED, ctx.now())
        fresh.srp_salt, fresh.srp_verifier = DUMMY_SALT, DUMMY_VERIFIER
        record = json.loads(json.dumps(fresh.to_record()))
    return PhantomUser.from_record(record)


def simulated_delivery(ctx: EngineContext, pool: Pool, user: User, given_name: str, purpose: str,
                       kind: MessageKind, ttl: float) -> dict[str, Any]:
    """A code request that sends nothing (an unknown, disabled or unreachable user): counted toward the hourly
    limit as a real request is (LimitExceededException past it), a code drawn and its message rendered, nothing
    stored or delivered; returns the CodeDeliveryDetails of the simulated destination."""
    if isinstance(user, PhantomUser):
        user.guesses[purpose] = 0  # a fresh simulated code: five guesses, as a real one has
    codes.count_attempt(ctx, pool, user, purpose)
    details = verification_disguise(pool, given_name)
    render_only(ctx, pool, user, details, kind, ttl)
    return details


def refuse_code(ctx: EngineContext, pool: Pool, given_name: str, purpose: str, error: CognitoError) -> NoReturn:
    """A code entered for a name nobody has (ConfirmSignUp, ConfirmForgotPassword): counted toward the hourly
    limit as a user's entry is, and after a simulated delivery the five guesses a code allows (both
    LimitExceededException, as ``codes.count_attempt`` and ``codes.check`` answer), then refused with ``error``."""
    phantom = phantom_user(ctx, pool, given_name)
    codes.count_attempt(ctx, pool, phantom, purpose)
    ctx.store.get_code(pool.id, phantom.username, purpose)  # the read a user's check makes
    if purpose in phantom.guesses or purpose == codes.SIGN_UP:  # a name is as if signed up, its code sent
        if phantom.guesses.get(purpose, 0) >= codes.MAX_ATTEMPTS:
            raise CognitoError("LimitExceededException", ATTEMPT_LIMIT)
        phantom.guesses[purpose] = phantom.guesses.get(purpose, 0) + 1
        save_user(ctx, pool, phantom)
    raise error
