"""Cognito's JSON 1.1 protocol: POST / with ``X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`` (user
pools) or ``AWSCognitoIdentityService.<Op>`` (identity pools).

Errors are 400 ``{"__type", "message"}`` with Cognito's names; a bug in the engine is Cognito's 500
``InternalErrorException`` (traceback to the log and the console). Operations Cognito authorizes with IAM
must be SigV4-signed with the engine's local credentials (``authorization``). Browsers get CORS answers for
the public operations, from any origin as on AWS, and none for the IAM-authorized ones.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.http import authorization
from amplify_py.local.http.request_body import parse_body
from amplify_py.local.operations import registry

__all__ = ["api", "answer", "Call", "preflight", "reply", "internal_error", "CORS_HEADERS"]

_log = logging.getLogger("amplify_py.local")
_JSON = "application/x-amz-json-1.1"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Expose-Headers": "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date",
    "Access-Control-Max-Age": "86400",
}


def reply(payload: dict, status: int = 200, error: str | None = None, *, cors: bool = True) -> Response:
    """Cognito's JSON answer; ``cors=False`` for IAM-authorized operations, which browsers must not read."""
    headers = {**(CORS_HEADERS if cors else {}), "x-amzn-RequestId": str(uuid.uuid4())}
    if error:
        headers["x-amzn-ErrorType"] = f"{error}:"
    return Response(json.dumps(payload), status_code=status, media_type=_JSON, headers=headers)


Call = Callable[[str, dict], Awaitable[dict]]
"""Runs the operation an ``X-Amz-Target`` names with the parsed body; raises CognitoError for the service's errors."""


async def answer(ctx: EngineContext, request: Request, call: Call, *,
                 internal_error: str = "InternalErrorException") -> Response:
    """One JSON 1.1 request, for every face that speaks the protocol: the body parsed under the engine's rules
    (``request_body``), the service's errors as ``{"__type", "message"}``, and a bug as the service's 500
    ``internal_error`` (traceback to the log and the console) that keeps the engine serving."""
    target = request.headers.get("x-amz-target", "")
    raw = await request.body()
    cors = not authorization.requires_signature(target)
    try:
        authorization.check_request(ctx, request, target, raw)  # IAM-authorized operations: signed, first
        body = parse_body(raw)
    except CognitoError as exc:
        _log.info("%s -> %s", target, exc.name)
        return reply(exc.body(), exc.status, exc.name, cors=cors)
    try:
        result = await call(target, body)
    except CognitoError as exc:
        _log.info("%s -> %s", target, exc.name)
        return reply(exc.body(), exc.status, exc.name, cors=cors)
    except Exception:  # noqa: BLE001 - a bug in the engine: the service's internal error, keep serving
        # Bad input is a CognitoError raised where the value is read; anything else is ours. The client
        # gets the service's own answer, never Python's message; the traceback goes to the log and the console.
        _log.exception("internal error in %s", target)
        ctx.log("engine", f"Internal error in {target}:\n{traceback.format_exc().rstrip()}")
        return reply({"__type": internal_error, "message": "Internal server error."}, 500, internal_error,
                     cors=cors)
    return reply(result, cors=cors)


async def api(ctx: EngineContext, request: Request) -> Response:
    """Cognito's user pool and identity pool operations."""
    ctx.set_client_ip(request.client.host if request.client else None)  # context variables follow into the thread

    async def call(target: str, body: dict) -> dict:
        if registry.may_run_trigger(ctx, target, body):  # a handler may call the engine back: not on the loop
            return await run_in_threadpool(registry.dispatch, ctx, target, body)
        return registry.dispatch(ctx, target, body)  # short (a few ms at most): a thread hop would cost more

    return await answer(ctx, request, call)


async def internal_error(request: Request, exc: Exception) -> Response:
    """Cognito's answer to a bug outside an operation (``http.guard`` logs it and keeps the connection)."""
    return reply({"__type": "InternalErrorException", "message": "Internal server error."}, 500,
                 "InternalErrorException")


# A preflight names the headers the request will carry, not its X-Amz-Target. Public operations are called
# unsigned; a request that will carry a signature is an IAM-authorized one, which browsers are not answered.
_SIGNATURE_HEADERS = frozenset({"authorization", "x-amz-security-token", "x-amz-date", "x-amz-content-sha256"})


async def preflight(request: Request) -> Response:
    requested = request.headers.get("access-control-request-headers", "*")
    if _SIGNATURE_HEADERS & {name.strip().lower() for name in requested.split(",")}:
        return Response(status_code=403, content="The local engine answers browsers for Cognito's public operations "
                        "only; IAM-authorized (signed) operations are for servers and scripts.", media_type="text/plain")
    return Response(status_code=204, headers={**CORS_HEADERS, "Access-Control-Allow-Headers": requested})
