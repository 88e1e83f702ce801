"""Cognito's OAuth 2.0 / OIDC endpoints over HTTPS: ``/oauth2/authorize``, ``/oauth2/token``,
``/oauth2/userInfo``, ``/oauth2/revoke``, ``/logout``, the identity-provider responses and the error page.

JSON endpoints answer ``{"error": ...}`` as Cognito does and allow cross-origin calls (aws-amplify in a
browser posts to ``/oauth2/token`` from the app's origin); browser endpoints answer with redirects.
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import OAuthError
from amplify_py.local.http.pages import page_or_error, render, run
from amplify_py.local.model.oauth import AuthorizeRequest
from amplify_py.local.operations import oauth
from amplify_py.local.operations.oauth import Page

__all__ = ["authorize", "token", "user_info", "revoke", "logout", "saml_logout", "idp_response", "error_page",
           "preflight"]

_log = logging.getLogger("amplify_py.local")
_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
         "Access-Control-Max-Age": "86400"}


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status_code=status, media_type="application/json;charset=UTF-8",
                    headers={**_CORS, "Cache-Control": "no-store", "Pragma": "no-cache", **(headers or {})})


async def _form(request: Request) -> dict[str, str]:
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return {}
    return {k: str(v) for k, v in (await request.form()).items()}


async def _json_endpoint(ctx: EngineContext, request: Request, fn: Any, *args: Any) -> Response:
    try:
        result = await run(ctx, fn, *args)
    except OAuthError as exc:
        headers = {"WWW-Authenticate": f'Bearer error="{exc.error}"'} if exc.status == 401 else None
        return _json(exc.body(), exc.status, headers)
    except Exception:  # noqa: BLE001 - a bug in the engine: OAuth's server_error, keep serving
        _log.exception("internal error in %s", request.url.path)
        ctx.log("engine", f"Internal error in {request.url.path}:\n{traceback.format_exc().rstrip()}")
        return _json({"error": "server_error"}, 500)
    return _json(result) if result is not None else Response(status_code=200, headers=_CORS)


async def authorize(ctx: EngineContext, request: Request) -> Response:
    params = AuthorizeRequest.from_params(request.query_params)
    return await page_or_error(ctx, request, oauth.authorize, params, dict(request.cookies), authorize=params)


async def token(ctx: EngineContext, request: Request) -> Response:
    form = await _form(request)
    if not form:
        return _json({"error": "invalid_request"}, 400)
    return await _json_endpoint(ctx, request, oauth.token, form, request.headers.get("authorization"))


async def user_info(ctx: EngineContext, request: Request) -> Response:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return _json({"error": "invalid_request", "error_description": "Bad OAuth2 request at UserInfo Endpoint"},
                     400, {"WWW-Authenticate": 'Bearer error="invalid_request"'})
    return await _json_endpoint(ctx, request, oauth.user_info, header[7:].strip())


async def revoke(ctx: EngineContext, request: Request) -> Response:
    form = await _form(request)
    return await _json_endpoint(ctx, request, oauth.revoke, form, request.headers.get("authorization"))


async def logout(ctx: EngineContext, request: Request) -> Response:
    return await page_or_error(ctx, request, oauth.logout, dict(request.query_params), dict(request.cookies))


async def idp_response(ctx: EngineContext, request: Request) -> Response:
    params = {**dict(request.query_params), **(await _form(request) if request.method == "POST" else {})}
    return await page_or_error(ctx, request, oauth.idp_response, params)


async def saml_logout(ctx: EngineContext, request: Request) -> Response:
    return await page_or_error(ctx, request, oauth.saml_logout, await _form(request))


async def error_page(ctx: EngineContext, request: Request) -> Response:
    q = request.query_params
    return render(request, Page("error", {"error": q.get("error") or "unknown", "description": q.get("error_description")},
                                400))


async def preflight(request: Request) -> Response:
    requested = request.headers.get("access-control-request-headers", "*")
    return Response(status_code=204, headers={**_CORS, "Access-Control-Allow-Headers": requested})
