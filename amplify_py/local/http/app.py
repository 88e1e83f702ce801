"""The engine's web applications: Cognito's API on plain HTTP, and managed login with the OAuth endpoints
on HTTPS (a second socket; aws-amplify only speaks ``https://<oauth.domain>``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from amplify_py.local.context import EngineContext
from amplify_py.local.http import (console, json_api, kms, local_idp, local_saml_idp, managed_login, oauth2,
                                   well_known)
from amplify_py.local.http.host_check import HostCheck, ManagedLoginHostCheck
from amplify_py.local.operations.federation_bridges import bridges
from amplify_py.local.rules.saml_bridge import SamlBridge
from amplify_py.local.standin_idps import PREFIX as LOCAL_IDP, StandInProviders

__all__ = ["create_app", "create_managed_login_app"]

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


def create_managed_login_app(ctx: EngineContext, tls_chain: Path | None = None) -> Starlette:
    """What a user pool domain serves: the OAuth 2.0 endpoints and the managed-login pages, and the identity
    providers' local stand-ins, whose bridges trust ``tls_chain`` (the certificates the HTTPS port presents);
    every route behind the managed-login Host check (DNS rebinding)."""
    stand_ins = StandInProviders()
    # SAML providers federate with the stand-in SAML IdP, the others with their stand-ins; a test's own bridge stays
    for provider_type, bridge in {**bridges(stand_ins, tls_chain), "SAML": SamlBridge()}.items():
        if getattr(ctx.federation_bridges.get(provider_type, bridge), "local_stand_in", False):
            ctx.federation_bridges[provider_type] = bridge

    def bound(face: Face) -> Callable[[Request], Awaitable[Response]]:
        return partial(face, ctx)

    routes = [
        # The stand-in SAML IdP (/_local_idp/<name>/saml/...): before any /_local_idp mount, so these match first.
        *(Route(path, bound(face), methods=[method]) for path, method, face in local_saml_idp.ROUTES),
        Route("/oauth2/authorize", bound(oauth2.authorize), methods=["GET"]),
        Route("/oauth2/token", bound(oauth2.token), methods=["POST"]),
        Route("/oauth2/userInfo", bound(oauth2.user_info), methods=["GET", "POST"]),
        Route("/oauth2/revoke", bound(oauth2.revoke), methods=["POST"]),
        *(Route(path, oauth2.preflight, methods=["OPTIONS"])
          for path in ("/oauth2/token", "/oauth2/userInfo", "/oauth2/revoke")),
        Route("/logout", bound(oauth2.logout), methods=["GET"]),
        Route("/error", bound(oauth2.error_page), methods=["GET"]),
        Route("/oauth2/idpresponse", bound(oauth2.idp_response), methods=["GET", "POST"]),
        Route("/saml2/idpresponse", bound(oauth2.idp_response), methods=["POST"]),
        Route("/saml2/logout", bound(oauth2.saml_logout), methods=["POST"]),
        *(Route(path, bound(face), methods=[method]) for path, method, face in managed_login.ROUTES),
        Route("/", bound(well_known.health), methods=["GET"]),
        Mount(LOCAL_IDP, routes=local_idp.routes(ctx, stand_ins)),
    ]
    return Starlette(routes=routes, middleware=[Middleware(ManagedLoginHostCheck)])
