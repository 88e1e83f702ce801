"""KMS's JSON 1.1 protocol on the engine's port: POST / with ``X-Amz-Target: TrentService.<Op>``.

Trigger functions get ``AWS_ENDPOINT_URL_KMS`` pointing here, so a custom sender's Encryption SDK decrypts the
code Cognito sent it against the engine's local key. Every KMS operation is IAM-authorized: the request must be
SigV4-signed with the engine's local credentials (which the functions get), and browsers are not answered.
Errors are 400 ``{"__type", "message"}`` with KMS's names; a bug in the engine is KMS's 500
``KMSInternalException`` (traceback to the log and the console).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from amplify_py.local.context import EngineContext
from amplify_py.local.http.json_api import answer
from amplify_py.local.operations import kms

__all__ = ["api", "TARGET"]

TARGET = kms.TARGET


async def api(ctx: EngineContext, request: Request) -> Response:
    async def call(target: str, body: dict) -> dict:
        return await run_in_threadpool(kms.dispatch, ctx, target, body)

    return await answer(ctx, request, call, internal_error="KMSInternalException")
