"""The HTTP face of the engine: Cognito's JSON 1.1 protocol, JWKS and OpenID configuration.

POST / with ``X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`` (user
pools) or ``AWSCognitoIdentityService.<Op>`` (identity pools). Errors are 400
``{"__type", "message"}`` with Cognito's names; a bug in the engine is Cognito's 500
``InternalErrorException`` (traceback to the log and ``on_log``); CORS is open so browsers work.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amplify_py.local import auth_flows, identity, shapes, users
from amplify_py.local.core import Core
from amplify_py.local.errors import CognitoError

__all__ = ["create_app"]

_log = logging.getLogger("amplify_py.local")
_IDP = "AWSCognitoIdentityProviderService."
_IDENTITY = "AWSCognitoIdentityService."
_JSON = "application/x-amz-json-1.1"
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Expose-Headers": "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date",
    "Access-Control-Max-Age": "86400",
}
IDP_OPERATIONS: dict[str, Callable[[Core, dict], dict]] = {**users.OPERATIONS, **auth_flows.OPERATIONS}


def _reply(payload: dict, status: int = 200, error: str | None = None) -> Response:
    headers = {**_CORS, "x-amzn-RequestId": str(uuid.uuid4())}
    if error:
        headers["x-amzn-ErrorType"] = f"{error}:"
    return Response(json.dumps(payload), status_code=status, media_type=_JSON, headers=headers)


def dispatch(core: Core, target: str, body: dict) -> dict:
    """Check the request against the service model (types, then constraints), then run the operation under the
    store lock (operations are short and read-modify-write)."""
    if target.startswith(_IDP) and target[len(_IDP):] in IDP_OPERATIONS:
        service, operation = "cognito-idp", target[len(_IDP):]
        handler = IDP_OPERATIONS[operation]
    elif target.startswith(_IDENTITY) and target[len(_IDENTITY):] in identity.OPERATIONS:
        service, operation = "cognito-identity", target[len(_IDENTITY):]
        handler = identity.OPERATIONS[operation]
    else:
        raise CognitoError("UnknownOperationException", f"Unknown operation {target or '(no X-Amz-Target)'}")
    shapes.check_request(service, operation, body)
    with core.store.lock:
        return handler(core, body)


def create_app(core: Core) -> Starlette:
    async def api(request: Request) -> Response:
        target = request.headers.get("x-amz-target", "")
        raw = await request.body()
        try:
            body: Any = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError("body is not an object")
        except ValueError:
            return _reply({"__type": "SerializationException", "message": "Malformed request body."}, 400,
                          "SerializationException")
        try:
            result = await run_in_threadpool(dispatch, core, target, body)
        except CognitoError as exc:
            _log.info("%s -> %s", target, exc.name)
            return _reply(exc.body(), exc.status, exc.name)
        except Exception:  # noqa: BLE001 - a bug in the engine: Cognito's internal error, keep serving
            # Bad input is a CognitoError raised where the value is read; anything else is ours. The client
            # gets Cognito's own answer, never Python's message; the traceback goes to the log and the console.
            _log.exception("internal error in %s", target)
            core.log("engine", f"Internal error in {target}:\n{traceback.format_exc().rstrip()}")
            return _reply({"__type": "InternalErrorException", "message": "Internal server error."}, 500,
                          "InternalErrorException")
        return _reply(result)

    async def preflight(request: Request) -> Response:
        requested = request.headers.get("access-control-request-headers", "*")
        return Response(status_code=204, headers={**_CORS, "Access-Control-Allow-Headers": requested})

    async def jwks(request: Request) -> Response:
        pool_id = request.path_params["pool_id"]
        try:
            core.pool(pool_id)
        except CognitoError as exc:
            return _reply(exc.body(), 404, exc.name)
        return JSONResponse(core.signer.jwks(), headers=_CORS)

    async def openid(request: Request) -> Response:
        pool_id = request.path_params["pool_id"]
        try:
            pool = core.pool(pool_id)
        except CognitoError as exc:
            return _reply(exc.body(), 404, exc.name)
        issuer = core.issuer(pool)
        return JSONResponse({
            "issuer": issuer,
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "authorization_endpoint": f"{core.endpoint}/oauth2/authorize",
            "token_endpoint": f"{core.endpoint}/oauth2/token",
            "userinfo_endpoint": f"{core.endpoint}/oauth2/userInfo",
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }, headers=_CORS)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "engine": "amplify-py local"}, headers=_CORS)

    return Starlette(routes=[
        Route("/", api, methods=["POST"]),
        Route("/", preflight, methods=["OPTIONS"]),
        Route("/", health, methods=["GET"]),
        Route("/{pool_id}/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/{pool_id}/.well-known/openid-configuration", openid, methods=["GET"]),
    ])
