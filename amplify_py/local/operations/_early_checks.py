"""What runs before a sign-in's write transaction: its password or SRP proof math (``registry.CHECKED_EARLY``).

A modexp under the database's write lock keeps every other worker waiting, so the registry runs these first,
in a read transaction, on what the sign-in will find (the same user, verifier and session), inside
``srp.remembering_checks``; the sign-in, under the lock, then finds each answer. They are warm-ups only: they
decide nothing, write nothing, and what they find wrong the sign-in itself reports. A password changed in
between is checked again (the remembered answer is for the old salt and verifier).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.model.session import SrpSession
from amplify_py.local.operations import _sign_in_steps as steps
from amplify_py.local.operations.sign_in import PASSWORD_FLOWS, pool_and_client
from amplify_py.local.rules import directory, passwords, sessions

__all__ = ["CHECKED_EARLY", "check_password_early", "check_proof_early"]


def check_password_early(ctx: EngineContext, body: dict, *, admin: bool = False) -> None:
    """A password flow's check, on the user the sign-in will find (an unknown name: the dummy verifier's)."""
    params = body.get("AuthParameters") or {}
    username, password = params.get("USERNAME"), params.get("PASSWORD")
    if body.get("AuthFlow") not in PASSWORD_FLOWS or not isinstance(username, str) or not isinstance(password, str):
        return  # nothing to compute (a refresh, an SRP start ...): no transaction either
    with _reading(ctx):
        pool, client = pool_and_client(ctx, body, admin)
        user = directory.find_user(ctx, pool, username)
        if user is not None:
            passwords.password_matches(pool, user, password)
        elif client.prevent_user_existence_errors:
            passwords.spend_password_check(pool, username, password)


def check_proof_early(ctx: EngineContext, body: dict, *, admin: bool = False) -> None:
    """PASSWORD_VERIFIER's proof, on the session and verifier ``steps.password_verifier`` will use."""
    if body.get("ChallengeName") != "PASSWORD_VERIFIER":
        return  # another challenge's answer: nothing to compute
    responses = body.get("ChallengeResponses") or {}
    block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
    with _reading(ctx):
        pool, client = pool_and_client(ctx, body, admin)
        found = sessions.load_unchecked(ctx, steps.srp_session_id(block))  # unlike load, never deletes
        if found is None or found[0] != pool.id or not isinstance(found[1], SrpSession):
            return
        session = found[1]
        if session.client_id != client.id:
            return
        s = steps.SignIn(ctx, pool, client)
        user = steps.srp_user(s, session)
        verifier = (user.srp_verifier if user is not None else None) or passwords.DUMMY_VERIFIER
        steps.verify_proof(s, steps.srp_challenge_of(session), verifier, session.user_id, block, responses)


@contextmanager
def _reading(ctx: EngineContext) -> Iterator[None]:
    """A check's read transaction. A CognitoError inside ends the check quietly: the operation reports it."""
    with ctx.store.operation(write=False):
        ctx.sync_config()
        try:
            yield
        except CognitoError:
            pass


CHECKED_EARLY: dict[str, Callable[[EngineContext, dict], None]] = {
    "InitiateAuth": check_password_early,
    "AdminInitiateAuth": lambda ctx, body: check_password_early(ctx, body, admin=True),
    "RespondToAuthChallenge": check_proof_early,
    "AdminRespondToAuthChallenge": lambda ctx, body: check_proof_early(ctx, body, admin=True),
}
