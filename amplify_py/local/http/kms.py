"""KMS's JSON 1.1 protocol on the engine's port: POST / with ``X-Amz-Target: TrentService.<Op>``.

Trigger functions get ``AWS_ENDPOINT_URL_KMS`` pointing here, so a custom sender's Encryption SDK decrypts the
code Cognito sent it against the engine's local key. Every KMS operation is IAM-authorized: the request must be
SigV4-signed with the engine's local credentials (which the functions get), and browsers are not answered.
Errors are 400 ``{"__type", "message"}`` with KMS's names; a bug in the engine is KMS's 500
``KMSInternalException`` (traceback to the log and the console).
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.http import authorization
from amplify_py.local.http.json_api import reply as _reply
from amplify_py.local.operations import kms

__all__ = ["api", "TARGET"]

TARGET = kms.TARGET
_log = logging.getLogger("amplify_py.local")


def reply(payload: dict, status: int = 200, error: str | None = None) -> Response:
    return _reply(payload, status, error, cors=False)  # IAM-authorized: nothing for browsers to read


async def api(ctx: EngineContext, request: Request) -> Response:
    target = request.headers.get("x-amz-target", "")
    raw = await request.body()
    try:
        authorization.check_request(ctx, request, target, raw)
    except CognitoError as exc:
        _log.info("%s -> %s", target, exc.name)
        return reply(exc.body(), exc.status, exc.name)
    try:
        body: Any = json.loads(raw or b"{}")
        if not isinstance(body, dict):
            raise ValueError("body is not an object")
    except ValueError:
        return reply({"__type": "SerializationException", "message": "Malformed request body."}, 400,
                     "SerializationException")
    try:
        result = await run_in_threadpool(kms.dispatch, ctx, target, body)
    except CognitoError as exc:
        _log.info("%s -> %s", target, exc.name)
        return reply(exc.body(), exc.status, exc.name)
    except Exception:  # noqa: BLE001 - a bug in the engine: KMS's internal error, keep serving
        _log.exception("internal error in %s", target)
        ctx.log("engine", f"Internal error in {target}:\n{traceback.format_exc().rstrip()}")
        return reply({"__type": "KMSInternalException", "message": "Internal server error."}, 500,
                     "KMSInternalException")
    return reply(result)
