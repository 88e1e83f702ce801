"""Documents a verifier or OIDC client reads: the pool's JWKS and OpenID configuration, and a health check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.http.json_api import CORS_HEADERS, reply
from amplify_py.local.model.pool import Pool

__all__ = ["jwks", "openid_configuration", "health"]


def _pool(ctx: EngineContext, pool_id: str) -> Pool:
    with ctx.store.lock:
        ctx.sync_config()
        return ctx.pool(pool_id)


async def jwks(ctx: EngineContext, request: Request) -> Response:
    try:
        pool = _pool(ctx, request.path_params["pool_id"])
    except CognitoError as exc:
        return reply(exc.body(), 404, exc.name)
    return JSONResponse(ctx.signer.jwks(pool.id, now=ctx.now()), headers=CORS_HEADERS)


async def openid_configuration(ctx: EngineContext, request: Request) -> Response:
    """Cognito's discovery document. The OAuth endpoints are listed only when they are served: the pool has a
    domain and the engine serves managed login (over HTTPS, at ``ctx.managed_login_domain``)."""
    try:
        pool = _pool(ctx, request.path_params["pool_id"])
    except CognitoError as exc:
        return reply(exc.body(), 404, exc.name)
    issuer = ctx.issuer(pool)
    document: dict = {"issuer": issuer, "jwks_uri": f"{issuer}/.well-known/jwks.json"}
    if ctx.managed_login_domain and ctx.domain(pool) is not None:
        base = f"https://{ctx.managed_login_domain}"
        document.update({
            "authorization_endpoint": f"{base}/oauth2/authorize",
            "end_session_endpoint": f"{base}/logout",
            "revocation_endpoint": f"{base}/oauth2/revoke",
            "token_endpoint": f"{base}/oauth2/token",
            "userinfo_endpoint": f"{base}/oauth2/userInfo",
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })
    document.update({"subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"]})
    return JSONResponse(dict(sorted(document.items())), headers=CORS_HEADERS)


async def health(ctx: EngineContext, request: Request) -> Response:
    return JSONResponse({"status": "ok", "engine": "amplify-py local"}, headers=CORS_HEADERS)
