"""The one table of operations, and how a request runs: checked against the service model, then run in one
store transaction (``Database.operation``): a write transaction unless the operation only reads. Triggers
commit and let go of it while they run. Tokens are signed after the commit (``Signer.seal``), so the
database's write lock is never held for the RSA work."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

from amplify_py.local import shapes, srp
from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.operations import (
    _early_checks,
    account,
    admin,
    devices,
    directory,
    federated_admin,
    groups,
    identity,
    mfa,
    passwords,
    sign_in,
    sign_up,
    tokens,
    webauthn,
)

__all__ = ["Operation", "USER_POOL_OPERATIONS", "IDENTITY_OPERATIONS", "USER_POOL_TARGET", "IDENTITY_TARGET",
           "READ_ONLY", "WRITES_LATE", "CHECKED_EARLY", "dispatch", "may_run_trigger"]

Operation = Callable[[EngineContext, dict], dict]

USER_POOL_TARGET = "AWSCognitoIdentityProviderService."
IDENTITY_TARGET = "AWSCognitoIdentityService."

USER_POOL_OPERATIONS: dict[str, Operation] = {
    **sign_up.OPERATIONS, **sign_in.OPERATIONS, **passwords.OPERATIONS, **account.OPERATIONS, **mfa.OPERATIONS,
    **tokens.OPERATIONS, **admin.OPERATIONS, **groups.OPERATIONS, **directory.OPERATIONS,
    **webauthn.OPERATIONS,
    **devices.OPERATIONS,
    **federated_admin.OPERATIONS,
}
IDENTITY_OPERATIONS: dict[str, Operation] = dict(identity.OPERATIONS)
CHECKED_EARLY: dict[str, Callable[[EngineContext, dict], None]] = dict(_early_checks.CHECKED_EARLY)
"""Operations whose password or SRP proof check runs first, in a read transaction, outside the write lock (other
workers need not wait through a modexp); the operation then finds the answer in ``srp.remembering_checks``."""

READ_ONLY = frozenset({
    "GetUser", "AdminGetUser", "ListUsers", "DescribeUserPool", "DescribeUserPoolClient", "ListUserPoolClients",
    "ListGroups", "GetGroup", "AdminListGroupsForUser", "ListUsersInGroup", "ListWebAuthnCredentials",
    "DescribeIdentityPool",
})
"""Operations that never write: they run in a read transaction (no write lock; a write would be refused)."""

WRITES_LATE = frozenset({"SignUp"})
"""Operations that compute before they write (SignUp: the SRP verifier, a 3072-bit modexp): they start in a
read transaction and take the write lock at ``store.start_writing()``, so other workers are not kept waiting
through the math; the handler re-checks there what it read."""


def dispatch(ctx: EngineContext, target: str, body: dict) -> dict:
    """Run the operation ``target`` names (``X-Amz-Target``) with ``body``; Cognito's errors as CognitoError.

    Every call is recorded in ``ctx.activity`` (target, "OK" or the error's name, milliseconds)."""
    started = time.perf_counter()
    outcome = "InternalErrorException"  # anything but a CognitoError is the engine's bug (see json_api)
    try:
        result = _run(ctx, target, body)
        outcome = "OK"
        return result
    except CognitoError as exc:
        outcome = exc.name
        raise
    finally:
        ctx.activity.record_request(ctx.now(), target, outcome, (time.perf_counter() - started) * 1000)


def _run(ctx: EngineContext, target: str, body: dict) -> dict:
    if target.startswith(USER_POOL_TARGET) and target[len(USER_POOL_TARGET):] in USER_POOL_OPERATIONS:
        service, operation = "cognito-idp", target[len(USER_POOL_TARGET):]
        handler = USER_POOL_OPERATIONS[operation]
    elif target.startswith(IDENTITY_TARGET) and target[len(IDENTITY_TARGET):] in IDENTITY_OPERATIONS:
        service, operation = "cognito-identity", target[len(IDENTITY_TARGET):]
        handler = IDENTITY_OPERATIONS[operation]
    else:
        raise CognitoError("UnknownOperationException", f"Unknown operation {target or '(no X-Amz-Target)'}")
    shapes.check_request(service, operation, body)
    with srp.remembering_checks():
        early = CHECKED_EARLY.get(operation)
        if early is not None:
            early(ctx, body)  # in its own read transaction, when the request calls for a check
        with ctx.store.operation(write=operation not in READ_ONLY, late=operation in WRITES_LATE,
                                 keep_on=(CognitoError,)), ctx.signer.deferring():
            ctx.sync_config()
            result = handler(ctx, body)
    return ctx.signer.seal(result)


def may_run_trigger(ctx: EngineContext, target: str, body: dict) -> bool:
    """Could this request run a Lambda trigger (and so wait on a handler that may call the engine back)?

    False only when the pool it names (UserPoolId, ClientId, or the access token's issuer) is known and has
    no trigger to run; such a request is short and runs on the event loop without a thread hop.
    """
    if not target.startswith(USER_POOL_TARGET):
        return not target.startswith(IDENTITY_TARGET)  # identity pools run no triggers
    try:
        with ctx.store.lock:
            ctx.sync_config()
            pool_id = body.get("UserPoolId")
            if isinstance(pool_id, str):
                pool = ctx.pool(pool_id)
            elif isinstance(body.get("ClientId"), str):
                pool = ctx.client(body["ClientId"])[0]
            elif isinstance(body.get("AccessToken"), str):
                pool = ctx.pool(_issuer_pool(body["AccessToken"]))
            else:
                return True
    except (CognitoError, ValueError, KeyError, TypeError, IndexError):
        return False  # the operation will refuse the request before anything runs
    return bool(pool.raw_lambda_config) and ctx.invoker_for(pool.deployment) is not None


def _issuer_pool(token: str) -> str:
    """The pool id at the end of an access token's ``iss`` (read without verifying: only to pick a thread)."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["iss"]).rsplit("/", 1)[-1]
