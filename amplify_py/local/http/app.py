"""The engine's web application: every HTTP face mounted on one Starlette app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from amplify_py.local.context import EngineContext
from amplify_py.local.http import console, json_api, kms, well_known
from amplify_py.local.http.host_check import HostCheck

__all__ = ["create_app"]

Face = Callable[[EngineContext, Request], Awaitable[Response]]


def create_app(ctx: EngineContext) -> Starlette:
    def bound(face: Face) -> Callable[[Request], Awaitable[Response]]:
        return partial(face, ctx)

    async def post(request: Request) -> Response:
        """POST / serves every JSON service; the X-Amz-Target prefix says which face."""
        face = kms.api if request.headers.get("x-amz-target", "").startswith(kms.TARGET) else json_api.api
        return await face(ctx, request)

    return Starlette(exception_handlers={Exception: json_api.internal_error}, routes=[
        Route("/", post, methods=["POST"]),
        Route("/", json_api.preflight, methods=["OPTIONS"]),
        Route("/", bound(well_known.health), methods=["GET"]),
        Route("/{pool_id}/.well-known/jwks.json", bound(well_known.jwks), methods=["GET"]),
        Route("/{pool_id}/.well-known/openid-configuration", bound(well_known.openid_configuration), methods=["GET"]),
        Mount(console.PREFIX, routes=console.routes(ctx)),
    ], middleware=[Middleware(HostCheck, ctx=ctx, own_check=(console.PREFIX,))])
