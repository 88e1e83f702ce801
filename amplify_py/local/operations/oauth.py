"""Cognito's authorization server: ``/oauth2/authorize``, ``/oauth2/token``, ``/oauth2/userInfo``,
``/oauth2/revoke`` and ``/logout``.

Every function runs under the store lock (the HTTP face takes it) and answers with an ``Outcome`` the face
turns into a response: a redirect (to the app, to a managed-login page, to the error page), or a page.
Errors go where Cognito sends them: to the app's redirect URI once client and redirect URI are known to be
good, to the error page before that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, OAuthError
from amplify_py.local.model.oauth import AuthorizeRequest
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.user import User
from amplify_py.local.rules import directory, federation, oauth, oauth_state, tokens
from amplify_py.local.rules.federated_users import FederationError
from amplify_py.local.signer import hash_refresh_token

__all__ = ["Outcome", "Redirect", "Page", "Stop", "checked_request", "authorize", "finish_sign_in", "token",
           "user_info", "revoke", "logout", "saml_logout", "idp_response", "error_redirect", "session_cookie",
           "NOT_AVAILABLE"]

NOT_AVAILABLE = "Login option is not available. Please try another one"
_NO_REDIRECT = "Required String parameter 'redirect_uri' is not present"
_PROFILE = ("name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
            "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at")


@dataclass
class Redirect:
    location: str
    session: tuple[str, str] | None = None  # (pool id, session id): set the managed-login cookie
    end_session: str | None = None  # pool id: clear its cookie


@dataclass
class Page:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    status: int = 200


Outcome = Redirect | Page


class Stop(Exception):
    """A request that cannot go on: ``outcome`` is Cognito's answer to it."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome)
        self.outcome = outcome


def session_cookie(pool_id: str) -> str:
    """The managed-login cookie's name: one per pool, as Cognito has one domain per pool."""
    return f"cognito-{pool_id}"


def error_redirect(error: str, client_id: str | None = None, description: str | None = None) -> Redirect:
    params = {"error": error}
    if client_id:
        params["client_id"] = client_id
    if description:
        params["error_description"] = description
    return Redirect("/error?" + urlencode(params))


def _with_params(uri: str, params: dict[str, str], *, fragment: bool = False) -> str:
    parts = urlsplit(uri)
    if fragment:
        return urlunsplit(parts._replace(fragment=urlencode(params)))
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def _to_app(request: AuthorizeRequest, params: dict[str, str], *, fragment: bool = False) -> Redirect:
    if request.state is not None:
        params = {**params, "state": request.state}
    return Redirect(_with_params(request.redirect_uri, params, fragment=fragment))


def checked_request(ctx: EngineContext, request: AuthorizeRequest) -> tuple[Pool, Client, list[str]]:
    """The pool, client and granted scopes of an authorize request, or ``Stop`` with Cognito's answer."""
    found = oauth.oauth_client(ctx, request.client_id)
    if found is None or ctx.domain(found[0]) is None:
        raise Stop(error_redirect("invalid_request", request.client_id or None, "invalid client_id"))
    pool, client = found
    if not request.redirect_uri or request.redirect_uri not in client.callback_urls:
        raise Stop(error_redirect("redirect_mismatch", client.id))
    fragment = request.response_type == "token"
    try:
        if not client.oauth_enabled:
            raise OAuthError("unauthorized_client")
        if not request.response_type:
            raise OAuthError("invalid_request")
        if request.response_type not in ("code", "token"):
            raise OAuthError("unsupported_response_type")
        if ("code" if request.response_type == "code" else "implicit") not in client.oauth_flows:
            raise OAuthError("unauthorized_client")
        oauth.check_pkce_request(request.code_challenge, request.code_challenge_method)
        scopes = oauth.grant_user_scopes(ctx, pool, client, request.scopes)
    except OAuthError as exc:
        raise Stop(_to_app(request, exc.body(), fragment=fragment)) from exc
    return pool, client, scopes


def authorize(ctx: EngineContext, request: AuthorizeRequest, cookies: dict[str, str]) -> Outcome:
    """``GET /oauth2/authorize``: to the provider asked for, back to the app for a live session, or to /login."""
    try:
        pool, client, scopes = checked_request(ctx, request)
        provider = _chosen_provider(ctx, pool, client, request)
    except Stop as stop:
        return stop.outcome
    if provider is not None:
        return _to_provider(ctx, pool, request, provider)
    session_id = cookies.get(session_cookie(pool.id))
    session = oauth_state.load_session(ctx, pool, session_id)
    if session is not None and not request.prompts & {"login", "select_account"}:
        user = directory.get_user(ctx, pool, session.username)
        if user is not None and user.enabled:
            return finish_sign_in(ctx, pool, client, request, scopes, user, auth_time=session.auth_time)
    if "none" in request.prompts:
        return _to_app(request, {"error": "login_required"}, fragment=request.response_type == "token")
    return Redirect("/login?" + urlencode(request.to_params()))


def _chosen_provider(ctx: EngineContext, pool: Pool, client: Client, request: AuthorizeRequest):  # noqa: ANN202
    """The identity provider ``identity_provider=``/``idp_identifier=`` names (None: the pool's own sign-in)."""
    name = request.identity_provider
    if name == federation.COGNITO:
        if federation.COGNITO not in client.identity_providers:
            raise Stop(Page("error", {"error": "invalid_request", "description": NOT_AVAILABLE}, 400))
        return None
    if name:
        provider = next((p for p in federation.providers_for(ctx, pool, client) if p.name == name), None)
    elif request.idp_identifier:
        provider = federation.by_identifier(ctx, pool, client, request.idp_identifier)
    else:
        return None
    if provider is None:
        raise Stop(Page("error", {"error": "invalid_request", "description": NOT_AVAILABLE}, 400))
    return provider


def _to_provider(ctx: EngineContext, pool: Pool, request: AuthorizeRequest, provider: Any) -> Outcome:
    bridge = federation.bridge_for(ctx, provider)
    if bridge is None:
        return Page("error", {"error": "invalid_request", "description": (
            f"Sign-in with {provider.name} ({provider.type}) is configured, but the local engine cannot reach "
            f"{provider.type} identity providers yet. Sign in with a user of the pool instead.")}, 400)
    state = oauth_state.remember_federation(ctx, pool, provider.name, request)
    path = "/saml2/idpresponse" if provider.type == "SAML" else "/oauth2/idpresponse"
    redirect_uri = f"https://{ctx.managed_login_domain}{path}"
    return Redirect(bridge.authorize_url(ctx, pool, provider, state=state, redirect_uri=redirect_uri,
                                         login_hint=request.login_hint))


def finish_sign_in(ctx: EngineContext, pool: Pool, client: Client, request: AuthorizeRequest, scopes: list[str],
                   user: User, *, auth_time: float | None = None, provider: str = federation.COGNITO,
                   new_session: bool = False) -> Redirect:
    """A signed-in user goes back to the app: with a code, or (implicit grant) with tokens in the fragment."""
    auth_time = ctx.now() if auth_time is None else auth_time
    if request.response_type == "code":
        code = oauth_state.issue_code(ctx, pool, client, request, user.username, scopes, auth_time)
        out = _to_app(request, {"code": code})
    else:
        result = tokens.issue(ctx, pool, client, user, auth_time=auth_time, refresh=False,
                              source="TokenGeneration_HostedAuth", scopes=scopes, nonce=request.nonce)
        params = {"access_token": result["AccessToken"]}
        if "IdToken" in result:
            params["id_token"] = result["IdToken"]
        params.update(token_type="Bearer", expires_in=str(result["ExpiresIn"]))
        out = _to_app(request, params, fragment=True)
    if new_session:
        out.session = (pool.id, oauth_state.start_session(ctx, pool, user.username, auth_time, provider))
    return out


def idp_response(ctx: EngineContext, params: dict[str, str]) -> Outcome:
    """``/oauth2/idpresponse`` and ``/saml2/idpresponse``: an identity provider's answer, with the state the
    authorize flow gave it (``RelayState`` for SAML), finished by the bridge for that provider's type."""
    pending = oauth_state.recall_federation(ctx, params.get("state") or params.get("RelayState"))
    relayed = dict(parse_qsl(params.get("RelayState") or ""))
    if pending is None and params.get("SAMLResponse") and relayed.get("client_id"):
        return _idp_initiated(ctx, AuthorizeRequest.from_params(relayed), params)
    if pending is None:
        return Page("error", {"error": "invalid_request", "description": "Invalid state"}, 400)
    pool_id, waiting = pending
    request = waiting.authorize_request
    try:
        pool, client, scopes = checked_request(ctx, request)
    except Stop as stop:
        return stop.outcome
    provider = ctx.identity_providers(pool).get(waiting.provider)
    bridge = federation.bridge_for(ctx, provider) if provider is not None and pool.id == pool_id else None
    if provider is None or bridge is None:
        return _to_app(request, {"error": "invalid_request", "error_description": f"{waiting.provider} is not available"},
                       fragment=request.response_type == "token")
    try:
        user = bridge.complete(ctx, pool, client, provider, params)
    except FederationError as exc:
        return _to_app(request, {"error": exc.error, "error_description": exc.description},
                       fragment=request.response_type == "token")
    return finish_sign_in(ctx, pool, client, request, scopes, user, provider=provider.name, new_session=True)


def _idp_initiated(ctx: EngineContext, request: AuthorizeRequest, params: dict[str, str]) -> Outcome:
    """An unsolicited SAML Response (IdP-initiated sign-in): its RelayState holds the authorize parameters."""
    try:
        pool, client, scopes = checked_request(ctx, request)
        provider = _chosen_provider(ctx, pool, client, request)
    except Stop as stop:
        return stop.outcome
    unsolicited = getattr(federation.bridge_for(ctx, provider), "complete_unsolicited", None) if provider else None
    if unsolicited is None:
        return Page("error", {"error": "invalid_request", "description": "Invalid state"}, 400)
    try:
        user = unsolicited(ctx, pool, client, provider, params)
    except FederationError as exc:
        return _to_app(request, {"error_description": exc.description, "error": exc.error},
                       fragment=request.response_type == "token")
    return finish_sign_in(ctx, pool, client, request, scopes, user, provider=provider.name, new_session=True)


# --- /oauth2/token --------------------------------------------------------------------
def token(ctx: EngineContext, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
    """``POST /oauth2/token``: the three grants Cognito serves. Errors are ``OAuthError``."""
    grant = form.get("grant_type")
    if not grant:
        raise OAuthError("invalid_request")
    pool, client = oauth.authenticate_client(ctx, form, authorization)
    if ctx.domain(pool) is None:
        raise OAuthError("invalid_client")
    if grant not in ("authorization_code", "refresh_token", "client_credentials"):
        raise OAuthError("unsupported_grant_type")
    if not client.oauth_enabled:
        raise OAuthError("unauthorized_client")
    if grant == "authorization_code":
        return _code_grant(ctx, pool, client, form)
    if grant == "refresh_token":
        if not form.get("refresh_token"):
            raise OAuthError("invalid_request")
        try:
            result = tokens.refresh(ctx, pool, client, form["refresh_token"])
        except CognitoError as exc:
            raise OAuthError("invalid_grant") from exc
        return _token_response(result)
    if "client_credentials" not in client.oauth_flows:
        raise OAuthError("unauthorized_client")
    if not client.secret:
        raise OAuthError("invalid_client")
    scopes = oauth.grant_client_scopes(ctx, pool, client, (form.get("scope") or "").split())
    return _token_response(tokens.issue_for_client(ctx, pool, client, scopes))


def _code_grant(ctx: EngineContext, pool: Pool, client: Client, form: dict[str, str]) -> dict[str, Any]:
    if "code" not in client.oauth_flows:
        raise OAuthError("unauthorized_client")
    redirect_uri = form.get("redirect_uri")
    if not form.get("code") or not redirect_uri:
        raise OAuthError("invalid_request")
    if redirect_uri not in client.callback_urls:
        raise OAuthError("unauthorized_client")
    pool_id, code = oauth_state.redeem_code(ctx, form["code"])
    if pool_id != pool.id or code.client_id != client.id or code.redirect_uri != redirect_uri:
        raise OAuthError("invalid_grant")
    if code.code_challenge is not None and not oauth.pkce_matches(code.code_challenge, form.get("code_verifier")):
        raise OAuthError("invalid_grant")
    user = directory.get_user(ctx, pool, code.username)
    if user is None or not user.enabled:
        raise OAuthError("invalid_grant")
    result = tokens.issue(ctx, pool, client, user, auth_time=code.auth_time, source="TokenGeneration_HostedAuth",
                          scopes=code.scopes, nonce=code.nonce)
    return _token_response(result)


def _token_response(result: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "IdToken" in result:
        out["id_token"] = result["IdToken"]
    out["access_token"] = result["AccessToken"]
    if "RefreshToken" in result:
        out["refresh_token"] = result["RefreshToken"]
    out.update(expires_in=result["ExpiresIn"], token_type="Bearer")
    return out


# --- /oauth2/userInfo and /oauth2/revoke -----------------------------------------------
def user_info(ctx: EngineContext, access_token: str | None) -> dict[str, Any]:
    """The user's attributes within the access token's scopes; the token must hold ``openid``."""
    try:
        pool, user, claims = tokens.authenticate(ctx, access_token)
    except CognitoError as exc:
        raise OAuthError("invalid_token", "Access token is expired, disabled, or deleted, or the user has "
                                          "globally signed out.", status=401) from exc
    scopes = str(claims.get("scope", "")).split()
    if "openid" not in scopes:
        raise OAuthError("invalid_token", "Access token does not contain openid scope", status=401)
    attributes = {k: v for k, v in user.attributes.items()}
    if not {"profile", "email", "phone"} & set(scopes):
        chosen = dict(attributes)
    else:
        chosen = {"sub": user.sub}
        if "profile" in scopes:
            chosen.update({k: v for k, v in attributes.items() if k in _PROFILE or k.startswith("custom:")})
        for scope, names in (("email", ("email", "email_verified")), ("phone", ("phone_number", "phone_number_verified"))):
            if scope in scopes:
                chosen.update({k: attributes[k] for k in names if k in attributes})
    chosen["username"] = user.username
    return chosen


def revoke(ctx: EngineContext, form: dict[str, str], authorization: str | None) -> None:
    """``POST /oauth2/revoke``: a refresh token and every access token issued from it."""
    _pool, client = oauth.authenticate_client(ctx, form, authorization, status=401)
    token_value = form.get("token")
    if not token_value or client.props.get("EnableTokenRevocation") is False:
        raise OAuthError("invalid_request")
    if token_value.count(".") == 2 and token_value.startswith("ey"):
        raise OAuthError("unsupported_token_type")
    row = ctx.store.get_refresh(hash_refresh_token(token_value))
    if row is not None and row.client_id == client.id:
        ctx.store.revoke_origin(row.origin_jti)  # an unknown token is answered 200 all the same


# --- /logout --------------------------------------------------------------------------
def logout(ctx: EngineContext, params: dict[str, str], cookies: dict[str, str]) -> Outcome:
    """End the managed-login session; back to a registered sign-out URL, or to sign-in again."""
    found = oauth.oauth_client(ctx, params.get("client_id"))
    if found is None or ctx.domain(found[0]) is None:
        return error_redirect("invalid_request", params.get("client_id") or None, "invalid client_id")
    pool, client = found
    logout_uri = params.get("logout_uri")
    if logout_uri:
        if logout_uri not in client.logout_urls:
            return error_redirect("redirect_mismatch", client.id)
        out = Redirect(logout_uri)
    elif params.get("redirect_uri") and params.get("response_type"):
        request = AuthorizeRequest.from_params(params)
        try:
            checked_request(ctx, request)
        except Stop as stop:
            return stop.outcome
        out = Redirect("/login?" + urlencode(request.to_params()))
    else:
        return Page("error", {"error": "invalid_request", "description": _NO_REDIRECT}, 400)
    session = oauth_state.load_session(ctx, pool, cookies.get(session_cookie(pool.id)))
    oauth_state.end_session(ctx, cookies.get(session_cookie(pool.id)))
    out.end_session = pool.id
    provider = ctx.identity_providers(pool).get(session.provider) if session is not None else None
    sign_out = getattr(federation.bridge_for(ctx, provider), "sign_out_url", None) if provider else None
    if sign_out is not None:  # a SAML provider with IDPSignout: its SingleLogoutService first, then on
        out.location = sign_out(ctx, pool, provider, session.username, out.location) or out.location
    return out


def saml_logout(ctx: EngineContext, params: dict[str, str]) -> Outcome:
    """``POST /saml2/logout``: the IdP's LogoutResponse after single logout; on to where ``/logout`` was asked."""
    bridge = ctx.federation_bridges.get("SAML")
    try:
        return Redirect(bridge.finish_sign_out(ctx, params)) if bridge is not None else error_redirect("invalid_request")
    except FederationError as exc:
        return Page("error", {"error": exc.error, "description": exc.description}, 400)
