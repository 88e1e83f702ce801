"""The one table of operations, and how a request runs: checked against the service model, then run under
the store lock (operations are short read-modify-writes; triggers release the lock while they run)."""

from __future__ import annotations

import time
from collections.abc import Callable

from amplify_py.local import shapes
from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.operations import (
    account,
    admin,
    devices,
    directory,
    groups,
    identity,
    mfa,
    passwords,
    sign_in,
    sign_up,
    tokens,
    webauthn,
)

__all__ = ["Operation", "USER_POOL_OPERATIONS", "IDENTITY_OPERATIONS", "USER_POOL_TARGET", "IDENTITY_TARGET", "dispatch"]

Operation = Callable[[EngineContext, dict], dict]

USER_POOL_TARGET = "AWSCognitoIdentityProviderService."
IDENTITY_TARGET = "AWSCognitoIdentityService."

USER_POOL_OPERATIONS: dict[str, Operation] = {
    **sign_up.OPERATIONS, **sign_in.OPERATIONS, **passwords.OPERATIONS, **account.OPERATIONS, **mfa.OPERATIONS,
    **tokens.OPERATIONS, **admin.OPERATIONS, **groups.OPERATIONS, **directory.OPERATIONS,
    **webauthn.OPERATIONS,
    **devices.OPERATIONS,
}
IDENTITY_OPERATIONS: dict[str, Operation] = dict(identity.OPERATIONS)


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
    with ctx.store.lock:
        return handler(ctx, body)
