"""The stand-in identity providers' HTTP face, on managed login's HTTPS port under
``/_local_idp/<pool id>/<provider name>/``: each speaks its real provider's protocol, so the engine's bridges
(operations/federation_bridges.py) talk to it exactly as they would to Google or Facebook.

- Google, OIDC: ``authorize`` (the OIDC code flow; discovery at ``.well-known/openid-configuration``, keys at
  ``jwks``), ``token`` (POST, client secret), ``userinfo`` (GET or POST).
- Sign in with Apple: ``authorize`` with ``response_mode=form_post``, ``token`` (the ES256 client-secret JWT);
  the user's data is the ID token, and ``user`` on the form post.
- Facebook: ``authorize`` (the OAuth dialog), ``token`` (GET, as Graph's ``oauth/access_token``),
  ``me?fields=...``.
- Login with Amazon: ``authorize``, ``token`` (POST), ``user/profile``.

Every page says it is local. The stand-ins keep their state in memory (standin_idps.py) and never touch the
store, so a bridge may call them while its own request holds the store's write lock.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from amplify_py._templates import templates_root
from amplify_py.local.context import EngineContext
from amplify_py.local.http.pages import CSRF_FIELD, csrf_ok, csrf_token, set_csrf_cookie
from amplify_py.local.standin_idps import (
    PROFILE_FIELDS,
    Grant,
    StandInConfig,
    StandInError,
    StandInProviders,
    attributes_from_form,
    standin_url,
    subject_for,
    withheld_by,
)

__all__ = ["routes"]


_PAGE_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "response_mode",
                "login_hint")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(templates_root() / "local_idp")), undefined=StrictUndefined,
                       autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True,
                       lstrip_blocks=True)


def _html(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _environment().get_template(f"{template}.html.j2").render(**context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _oauth_error(exc: StandInError) -> JSONResponse:
    return JSONResponse({"error": exc.error, "error_description": exc.description}, status_code=exc.status,
                        headers={"Cache-Control": "no-store"})


def _fields(config: StandInConfig) -> list[str]:
    standard = PROFILE_FIELDS.get(config.type, PROFILE_FIELDS["OIDC"])
    return [*standard, *(a for a in config.mapped if a not in standard and a not in ("sub", "id", "user_id"))]


class _Face:
    def __init__(self, ctx: EngineContext, providers: StandInProviders) -> None:
        self.ctx, self.providers = ctx, providers

    def _config(self, request: Request) -> StandInConfig:
        return self.providers.config(request.path_params["pool_id"], request.path_params["name"])

    def _issuer(self, config: StandInConfig) -> str:
        return standin_url(self.ctx.managed_login_domain, config.pool_id, config.name)

    def _idp_response(self) -> str:
        return f"https://{self.ctx.managed_login_domain}/oauth2/idpresponse"

    # --- discovery and keys -------------------------------------------------------------
    async def discovery(self, request: Request) -> Response:
        try:
            config = self._config(request)
        except StandInError as exc:
            return _oauth_error(exc)
        base = self._issuer(config)
        return JSONResponse({
            "issuer": base, "authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo", "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"] if config.type != "SignInWithApple" else
            ["openid", "email", "name"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "response_modes_supported": ["query", "form_post"]})

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.providers.jwks())

    # --- the sign-in page -----------------------------------------------------------------
    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.form()).items()})
        try:
            config = self._config(request)
            self.providers.check_client(config, params.get("client_id"), params.get("redirect_uri"),
                                        self._idp_response())
        except StandInError as exc:
            return _html("error", 400, provider=request.path_params["name"], error=exc.error,
                         description=exc.description)
        if request.method == "GET" or params.get("action") not in ("allow", "deny"):
            token = csrf_token(request)
            recent = [{"subject": subject, "label": attributes.get("email") or attributes.get("name") or subject,
                       "fields": {k: ("true" if v is True else v) for k, v in attributes.items() if v is not False}}
                      for subject, attributes in self.providers.recent(config)]
            scopes = tuple((params.get("scope") or "").split())
            withheld = {f: scope for f in _fields(config) if (scope := withheld_by(config.type, f, scopes))}
            page = _html("sign_in", action=request.url.path, provider=config.name, provider_type=config.type,
                         fields=_fields(config), recent=recent, withheld=withheld,
                         hidden={**{k: params[k] for k in _PAGE_PARAMS if params.get(k)}, CSRF_FIELD: token},
                         email=params.get("login_hint", ""), scopes=(params.get("scope") or "").split())
            set_csrf_cookie(request, page, token)
            return page
        if not csrf_ok(request, params):  # a page elsewhere posting an identity for the browser (login CSRF)
            return _html("error", 403, provider=request.path_params["name"], error="expired_page",
                         description="This page has expired. Go back, reload it and try again.")
        if params["action"] == "deny":
            return self._denied(config, params)
        return self._signed_in(config, params)

    def _answer(self, config: StandInConfig, params: dict[str, str], answer: dict[str, str]) -> Response:
        if params.get("state"):
            answer = {**answer, "state": params["state"]}
        if params.get("response_mode") == "form_post":
            return _html("form_post", provider=config.name, action=params["redirect_uri"], fields=answer)
        separator = "&" if "?" in params["redirect_uri"] else "?"
        return RedirectResponse(params["redirect_uri"] + separator + urlencode(answer), status_code=302)

    def _denied(self, config: StandInConfig, params: dict[str, str]) -> Response:
        """The user said no, in the provider's own words."""
        if config.type == "SignInWithApple":
            return self._answer(config, params, {"error": "user_cancelled_authorize"})
        if config.type == "Facebook":
            return self._answer(config, params, {"error": "access_denied", "error_code": "200",
                                                 "error_description": "Permissions error",
                                                 "error_reason": "user_denied"})
        return self._answer(config, params, {"error": "access_denied",
                                             "error_description": "The user denied the request"})

    def _signed_in(self, config: StandInConfig, params: dict[str, str]) -> Response:
        fields = _fields(config)
        attributes = attributes_from_form(params, tuple(fields))
        subject = params.get("subject", "").strip() or subject_for(
            config.type, attributes.get("email") or attributes.get("name") or "local-user")
        scopes = tuple((params.get("scope") or "").split())
        grant = Grant(config, subject, attributes, params["redirect_uri"], scopes, params.get("nonce"))
        answer = {"code": self.providers.issue_code(grant)}
        self.providers.remember(config, subject, attributes)
        if config.type == "SignInWithApple":
            user: dict[str, Any] = {}
            if "name" in scopes and (attributes.get("firstName") or attributes.get("lastName")):
                user["name"] = {"firstName": attributes.get("firstName", ""),
                                "lastName": attributes.get("lastName", "")}
            if "email" in scopes and attributes.get("email"):
                user["email"] = attributes["email"]
            if user:  # Apple sends the name only here, and only the first time (the stand-in: every time)
                answer["user"] = json.dumps(user)
        return self._answer(config, params, answer)

    # --- the token endpoint ------------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.form()).items()})
        client_id, secret = params.get("client_id"), params.get("client_secret")
        basic = request.headers.get("authorization", "")
        try:
            if basic.lower().startswith("basic "):
                try:
                    user, _, password = base64.b64decode(basic[6:], validate=True).decode().partition(":")
                except ValueError as exc:  # not base64, or not UTF-8 (binascii.Error, UnicodeDecodeError)
                    raise StandInError("invalid_client", "the Authorization header is not valid Basic", 401) from exc
                client_id, secret = unquote(user), unquote(password)
            config = self._config(request)
            if config.type != "Facebook" and params.get("grant_type") != "authorization_code":
                raise StandInError("unsupported_grant_type", "only authorization_code is served")
            answer = self.providers.redeem(config, params.get("code"), params.get("redirect_uri"), client_id,
                                           secret, issuer=self._issuer(config))
        except StandInError as exc:
            return _oauth_error(exc)
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    # --- what the provider knows about the user -----------------------------------------------
    def _grant(self, request: Request, token: str | None = None) -> Grant:
        header = request.headers.get("authorization", "")
        token = token or (header[7:].strip() if header.lower().startswith("bearer ") else None)
        grant = self.providers.grant_for(token)
        if grant.config != self._config(request):
            raise StandInError("invalid_token", "the access token is for another provider", 401)
        return grant

    async def userinfo(self, request: Request) -> Response:
        try:
            grant = self._grant(request)
        except StandInError as exc:
            return _oauth_error(exc)
        return JSONResponse(self.providers.userinfo(grant))

    async def facebook_me(self, request: Request) -> Response:
        try:
            grant = self._grant(request, request.query_params.get("access_token"))
        except StandInError as exc:  # Graph's error shape
            return JSONResponse({"error": {"message": exc.description, "type": "OAuthException", "code": 190}},
                                status_code=400)
        return JSONResponse(self.providers.facebook_me(grant, request.query_params.get("fields")))

    async def amazon_profile(self, request: Request) -> Response:
        try:
            grant = self._grant(request, request.query_params.get("access_token"))
        except StandInError as exc:
            return _oauth_error(exc)
        return JSONResponse(self.providers.amazon_profile(grant))


def routes(ctx: EngineContext, providers: StandInProviders) -> list[Route]:
    """The stand-ins' routes, relative to ``/_local_idp`` (mounted by http/app.py)."""
    face = _Face(ctx, providers)
    base = "/{pool_id}/{name}"
    return [
        Route(f"{base}/.well-known/openid-configuration", face.discovery, methods=["GET"]),
        Route(f"{base}/jwks", face.jwks, methods=["GET"]),
        Route(f"{base}/authorize", face.authorize, methods=["GET", "POST"]),
        Route(f"{base}/token", face.token, methods=["GET", "POST"]),
        Route(f"{base}/userinfo", face.userinfo, methods=["GET", "POST"]),
        Route(f"{base}/me", face.facebook_me, methods=["GET"]),
        Route(f"{base}/user/profile", face.amazon_profile, methods=["GET"]),
    ]
