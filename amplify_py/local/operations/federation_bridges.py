"""The bridges between the authorize flow and the identity providers' stand-ins (rules/federation.py's seam):
one per protocol, each the client side of its provider's real protocol, through authlib and PyJWT.

- ``OidcBridge`` (OIDC, Google, Sign in with Apple): discovery, the code flow with ``state`` and ``nonce``, the
  token endpoint with the client secret (for Apple the ES256 client-secret JWT made from the template's
  team_id, key_id and private_key), the RS256 ID token checked against the provider's JWKS (signature,
  ``iss``, ``aud``, ``exp``, ``nonce``), then userinfo (OIDC honours ``attributes_request_method``).
- ``OAuthBridge`` (Facebook, Login with Amazon): the OAuth 2.0 dialog, the access-token exchange, then the
  provider's user API (Graph ``/me?fields=``, Amazon ``/user/profile``).

The providers are the local stand-ins at ``https://<managed-login domain>/_local_idp/<pool>/<provider>/``
(http/local_idp.py): the bridge tells its stand-in about the app it is configured with, then talks to it
over HTTPS, trusting the engine's local CA. ``complete`` runs in a worker thread (http/pages.run), so these
calls never block the event loop that serves the stand-in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import ssl
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import jwt
from authlib.integrations.httpx_client import OAuth2Client
from authlib.integrations.base_client import OAuthError as AuthlibError

from amplify_py.local.context import EngineContext
from amplify_py.local.model.oauth import IdentityProvider
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.user import User
from amplify_py.local.rules import federated_users
from amplify_py.local.rules.federated_users import FederationError, ProviderIdentity
from amplify_py.local.standin_idps import (
    APPLE_AUDIENCE,
    StandInConfig,
    StandInProviders,
    apple_signing_key,
    standin_url,
)

__all__ = ["OidcBridge", "OAuthBridge", "bridges"]

_JWT_CLAIMS = frozenset({"iss", "aud", "exp", "iat", "nbf", "auth_time", "nonce", "at_hash", "c_hash", "azp",
                         "jti"})
_TIMEOUT = 10.0
_DOCUMENT_TTL = 300.0


def _nonce(state: str) -> str:
    """The OIDC nonce of an authorize request, derived from its (secret, single-use) state."""
    return base64.urlsafe_b64encode(hashlib.sha256(("nonce:" + state).encode()).digest()).decode().rstrip("=")


class _Bridge:
    local_stand_in = True  # http/app.py replaces these (not a test's double) when managed login restarts

    def __init__(self, providers: StandInProviders, tls_chain: Path | None) -> None:
        self.providers = providers
        self._warned: set[tuple[str, str]] = set()  # Apple providers told about their substitute key
        self._documents: dict[str, tuple[float, Any]] = {}  # url -> (until, discovery or JWKS document)
        self._lock = threading.Lock()
        self.verify: Any = ssl.create_default_context(cafile=str(tls_chain)) if tls_chain else True

    def _register(self, ctx: EngineContext, pool: Pool, provider: IdentityProvider) -> StandInConfig:
        details = provider.details
        public = None
        if provider.type == "SignInWithApple":
            key, substitute = apple_signing_key(pool.id, provider.name, str(details.get("private_key") or ""))
            public = key.public_key()
            if substitute and (pool.id, provider.name) not in self._warned:
                self._warned.add((pool.id, provider.name))
                ctx.log("engine", f"{provider.name}: the template's Sign in with Apple private_key is not a PEM EC "
                                  "key; the local engine signs the client secret with a key of its own, which "
                                  "the local stand-in trusts.")
        config = StandInConfig(pool.id, provider.name, provider.type, str(details.get("client_id") or ""),
                               str(details.get("client_secret") or ""),
                               tuple(dict.fromkeys(provider.attribute_mapping.values())),
                               str(details.get("team_id") or ""), str(details.get("key_id") or ""), public)
        self.providers.register(config)
        return config

    @staticmethod
    def _base(ctx: EngineContext, pool: Pool, provider: IdentityProvider) -> str:
        return standin_url(ctx.managed_login_domain, pool.id, provider.name)

    @staticmethod
    def _redirect_uri(ctx: EngineContext) -> str:
        return f"https://{ctx.managed_login_domain}/oauth2/idpresponse"

    @staticmethod
    def _provider_error(provider: IdentityProvider, params: Mapping[str, str]) -> None:
        """The provider answered with an error instead of a code: Cognito passes it on to the app."""
        if params.get("error"):
            raise FederationError(params["error"], params.get("error_description") or params.get("error_reason")
                                  or f"{provider.name} answered {params['error']}")
        if not params.get("code"):
            raise FederationError("invalid_request", f"{provider.name} answered without a code")

    def _client(self, provider: IdentityProvider, ctx: EngineContext, secret: str | None = None,
                **kwargs: Any) -> OAuth2Client:
        details = provider.details
        return OAuth2Client(str(details.get("client_id") or ""), secret or str(details.get("client_secret") or ""),
                            token_endpoint_auth_method="client_secret_post", redirect_uri=self._redirect_uri(ctx),
                            scope=str(details.get("authorize_scopes") or "") or None, verify=self.verify,
                            timeout=_TIMEOUT, **kwargs)

    def _fetch(self, provider: IdentityProvider, call: Any, *, timeout: str = "Read timed out") -> Any:
        """One call to the provider; its failures as Cognito reports them (authorization endpoint's errors in the
        developer guide: "Read timed out", "Connection reset", "<IdP> Error - <status> ...")."""
        try:
            return call()
        except httpx.TimeoutException as exc:
            raise FederationError("invalid_request", timeout) from exc
        except httpx.HTTPStatusError as exc:
            raise FederationError("invalid_request", f"{provider.name} Error - {exc.response.status_code} "
                                  f"error calling {exc.request.url.path.rsplit('/', 1)[-1]}") from exc
        except httpx.TransportError as exc:
            raise FederationError("invalid_request", "Connection reset") from exc
        except ValueError as exc:  # not JSON
            raise FederationError("invalid_request", f"{provider.name} Error - unreadable answer") from exc

    @staticmethod
    def _object(provider: IdentityProvider, value: Any) -> dict[str, Any]:
        """A provider's JSON answer, which must be an object (anything else: Cognito's unreadable-answer error)."""
        if not isinstance(value, dict):
            raise FederationError("invalid_request", f"{provider.name} Error - unreadable answer")
        return value

    def _url(self, provider: IdentityProvider, meta: Mapping[str, Any], key: str) -> str:
        """An endpoint the discovery document must name."""
        value = meta.get(key)
        if not isinstance(value, str) or not value:
            raise FederationError("invalid_request", f"{provider.name} Error - discovery names no {key}")
        return value

    def _token(self, provider: IdentityProvider, oauth: OAuth2Client, url: str, code: str) -> dict[str, Any]:
        """The code exchange through authlib; an error answer becomes Cognito's "<IdP> Error - <status> error
        getting token" (Google: "Google Error - <status> <Google's error code>")."""
        seen: list[httpx.Response] = []
        oauth.register_compliance_hook("access_token_response", lambda response: seen.append(response) or response)
        try:
            return self._object(provider, self._fetch(provider, lambda: oauth.fetch_token(url, code=code),
                                                      timeout="Timeout occurred in calling IdP token endpoint"))
        except AuthlibError as exc:
            status = seen[-1].status_code if seen else 400
            detail = exc.error if provider.type == "Google" else "error getting token"
            raise FederationError("invalid_request", f"{provider.name} Error - {status} {detail}") from exc


class OidcBridge(_Bridge):
    """OIDC providers, Google and Sign in with Apple: the OpenID Connect code flow."""

    def _json(self, provider: IdentityProvider, url: str, timeout: str, *, fresh: bool = False) -> Any:
        """A provider document (discovery, JWKS), kept five minutes as OIDC clients keep them."""
        now = time.monotonic()
        with self._lock:
            kept = self._documents.get(url)
        if kept is not None and kept[0] > now and not fresh:
            return kept[1]
        document = self._object(provider, self._fetch(provider, lambda: httpx.get(
            url, verify=self.verify, timeout=_TIMEOUT).raise_for_status().json(), timeout=timeout))
        with self._lock:
            self._documents[url] = (now + _DOCUMENT_TTL, document)
        return document

    def _discovery(self, ctx: EngineContext, pool: Pool, provider: IdentityProvider) -> dict[str, Any]:
        return self._json(provider, self._base(ctx, pool, provider) + "/.well-known/openid-configuration",
                          "Read timed out")

    def authorize_url(self, ctx: EngineContext, pool: Pool, provider: IdentityProvider, *, state: str,
                      redirect_uri: str, login_hint: str | None) -> str:
        self._register(ctx, pool, provider)
        meta = self._discovery(ctx, pool, provider)
        extra: dict[str, str] = {"nonce": _nonce(state)}
        if provider.type == "SignInWithApple":
            extra["response_mode"] = "form_post"
        if login_hint:
            extra["login_hint"] = login_hint
        with self._client(provider, ctx) as client:
            url, _ = client.create_authorization_url(self._url(provider, meta, "authorization_endpoint"), state=state,
                                                     **extra)
        return url

    def complete(self, ctx: EngineContext, pool: Pool, client: Client, provider: IdentityProvider,
                 params: Mapping[str, str]) -> User:
        self._provider_error(provider, params)
        self._register(ctx, pool, provider)
        meta = self._discovery(ctx, pool, provider)
        secret = self._apple_secret(pool, provider) if provider.type == "SignInWithApple" else None
        with self._client(provider, ctx, secret) as oauth:
            token = self._token(provider, oauth, self._url(provider, meta, "token_endpoint"), params["code"])
            state = params.get("state") or params.get("RelayState") or ""  # the engine found the flow by either
            claims = self._id_token(provider, meta, token.get("id_token"), state)
            attributes: dict[str, Any] = {k: v for k, v in claims.items() if k not in _JWT_CLAIMS}
            if provider.type != "SignInWithApple":
                attributes.update(self._userinfo(provider, oauth, meta))
        if provider.type == "SignInWithApple":
            attributes.update(_apple_user(params.get("user")))
        subject = str(claims.get("sub") or attributes.get("sub") or "")
        if claims.get("sub") and attributes.get("sub") not in (None, claims["sub"]):
            raise FederationError("invalid_request", "userinfo's sub differs from the id_token's")
        issuer = str(provider.details.get("oidc_issuer") or meta.get("issuer") or "")
        return federated_users.sign_in(ctx, pool, client, provider, ProviderIdentity(subject, attributes, issuer))

    def _id_token(self, provider: IdentityProvider, meta: dict[str, Any], id_token: str | None,
                  state: str) -> dict[str, Any]:
        if not id_token:
            if provider.type == "Google":  # Google without the openid scope: userinfo only
                return {}
            raise FederationError("invalid_request", f"{provider.name} answered without an id_token")
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
            key = None
            for fresh in (False, True):  # a kid not in the kept JWKS: the provider rotated, fetch it again
                keys = jwt.PyJWKSet.from_dict(self._json(provider, self._url(provider, meta, "jwks_uri"),
                                                         "Timeout in calling jwks uri", fresh=fresh))
                key = next((k for k in keys.keys if k.key_id == kid), None)
                if key is not None:
                    break
            if key is None:
                raise FederationError("invalid_request", f"Bad id_token: no key {kid!r} in {provider.name}'s JWKS")
            claims = jwt.decode(id_token, key.key, algorithms=["RS256"], audience=str(provider.details.get(
                "client_id") or ""), issuer=self._url(provider, meta, "issuer"), leeway=5, options={"require": ["exp", "iat", "sub"]})
        except jwt.InvalidIssuerError as exc:
            raise FederationError("invalid_request", f"Bad id_token issuer {exc}") from exc
        except jwt.PyJWTError as exc:
            raise FederationError("invalid_request", f"Bad id_token: {exc}") from exc
        if claims.get("nonce") != _nonce(state):
            raise FederationError("invalid_request", "Bad id_token nonce")
        return claims

    def _userinfo(self, provider: IdentityProvider, oauth: OAuth2Client, meta: dict[str, Any]) -> dict[str, Any]:
        method = str(provider.details.get("attributes_request_method") or "GET").upper()
        url = str(meta.get("userinfo_endpoint") or "")
        if not url:
            return {}
        answer = self._fetch(provider, lambda: oauth.request(method, url).raise_for_status().json())
        return dict(answer) if isinstance(answer, dict) else {}

    @staticmethod
    def _apple_secret(pool: Pool, provider: IdentityProvider) -> str:
        """Apple's client secret: an ES256 JWT the app signs with its key (Apple documents up to six months)."""
        details = provider.details
        key, _ = apple_signing_key(pool.id, provider.name, str(details.get("private_key") or ""))
        now = int(time.time())
        return jwt.encode({"iss": str(details.get("team_id") or ""), "iat": now, "exp": now + 300,
                           "aud": APPLE_AUDIENCE, "sub": str(details.get("client_id") or "")},
                          key, algorithm="ES256", headers={"kid": str(details.get("key_id") or "")})


def _apple_user(value: str | None) -> dict[str, Any]:
    """Apple's ``user`` form field (first consent only): the name, which is in no token."""
    try:
        user = json.loads(value) if value else {}
    except ValueError:
        return {}
    name = user.get("name") if isinstance(user, dict) else None
    if not isinstance(name, dict):
        return {}
    out = {k: name[k] for k in ("firstName", "lastName") if isinstance(name.get(k), str) and name[k]}
    if out:
        out["name"] = " ".join(out[k] for k in ("firstName", "lastName") if k in out)
    return out


class OAuthBridge(_Bridge):
    """Facebook and Login with Amazon: OAuth 2.0, then the provider's own user API."""

    def authorize_url(self, ctx: EngineContext, pool: Pool, provider: IdentityProvider, *, state: str,
                      redirect_uri: str, login_hint: str | None) -> str:
        self._register(ctx, pool, provider)
        with self._client(provider, ctx) as client:
            url, _ = client.create_authorization_url(self._base(ctx, pool, provider) + "/authorize", state=state)
        return url

    def complete(self, ctx: EngineContext, pool: Pool, client: Client, provider: IdentityProvider,
                 params: Mapping[str, str]) -> User:
        self._provider_error(provider, params)
        self._register(ctx, pool, provider)
        base = self._base(ctx, pool, provider)
        facebook = provider.type == "Facebook"
        with self._client(provider, ctx) as oauth:
            if facebook:  # Graph's oauth/access_token is a GET with the app's id and secret in the query
                details = provider.details
                answer = self._fetch(provider, lambda: httpx.get(base + "/token", verify=self.verify, params={
                    "client_id": details.get("client_id"), "client_secret": details.get("client_secret"),
                    "redirect_uri": self._redirect_uri(ctx), "code": params["code"]}, timeout=_TIMEOUT),
                    timeout="Timeout occurred in calling IdP token endpoint")
                if answer.status_code != 200:
                    raise FederationError("invalid_request",
                                          f"{provider.name} Error - {answer.status_code} error getting token")
                oauth.token = self._object(provider, self._fetch(provider, answer.json))
            else:
                self._token(provider, oauth, base + "/token", params["code"])
            if facebook:
                fields = ",".join(dict.fromkeys(["id", *provider.attribute_mapping.values()]))
                answer = self._fetch(provider, lambda: oauth.get(base + "/me", params={"fields": fields})
                                     .raise_for_status().json())
            else:
                answer = self._fetch(provider, lambda: oauth.get(base + "/user/profile").raise_for_status().json())
        answer = self._object(provider, answer)
        subject = str(answer.get("id" if facebook else "user_id") or "")
        return federated_users.sign_in(ctx, pool, client, provider, ProviderIdentity(subject, answer, None))


def bridges(providers: StandInProviders, tls_chain: Path | None) -> dict[str, Any]:
    """A bridge for every provider type the stand-ins serve, by Cognito's ProviderType."""
    oidc, oauth = OidcBridge(providers, tls_chain), OAuthBridge(providers, tls_chain)
    return {"OIDC": oidc, "Google": oidc, "SignInWithApple": oidc, "Facebook": oauth, "LoginWithAmazon": oauth}
