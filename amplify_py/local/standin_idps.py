"""Local stand-ins for the identity providers a pool federates with (Google, Facebook, Login with Amazon, Sign in
with Apple, any OIDC provider): what each one knows and keeps, in memory.

A stand-in is a small authorization server of its own: it knows the app (client id and secret, for Apple the
team's signing key) from the provider's configuration, which the engine's bridge hands it when it sends a
browser there; it signs ID tokens with its own RSA key (published as its JWKS); its codes and access tokens
live here for minutes and are gone when the engine stops. Nothing here touches the engine's store: the bridge
calls the stand-in over HTTP while its own request holds the store's write lock.

The HTTP face is http/local_idp.py (``/_local_idp/<pool id>/<provider name>/...``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

__all__ = ["standin_url", "PREFIX", "StandInProviders", "StandInConfig", "Grant", "StandInError", "APPLE_AUDIENCE",
           "PROFILE_FIELDS", "subject_for", "apple_signing_key", "attributes_from_form", "withheld_by"]

APPLE_AUDIENCE = "https://appleid.apple.com"  # the aud of Sign in with Apple's client secret, as Apple asks
PREFIX = "/_local_idp"
_CODE_TTL = 300.0
_TOKEN_TTL = 3600.0

# What each stand-in's page asks for, by the provider's own attribute names (beside the subject).
PROFILE_FIELDS: dict[str, tuple[str, ...]] = {
    "Google": ("email", "email_verified", "name", "given_name", "family_name", "picture"),
    "OIDC": ("email", "email_verified", "name", "given_name", "family_name"),
    "Facebook": ("email", "name", "first_name", "last_name"),
    "LoginWithAmazon": ("email", "name", "postal_code"),
    "SignInWithApple": ("email", "email_verified", "firstName", "lastName"),
}
# Which scope releases which attributes (OIDC's standard scopes; Apple's "name"; Amazon's "postal_code").
_SCOPE_OF = {"email": "email", "email_verified": "email", "name": "profile", "given_name": "profile",
             "family_name": "profile", "picture": "profile"}
_APPLE_SCOPE_OF = {"email": "email", "email_verified": "email", "is_private_email": "email",
                   "firstName": "name", "lastName": "name"}


def standin_url(domain: str | None, pool_id: str, name: str) -> str:
    """Where a provider's stand-in lives on managed login's HTTPS port (also its OIDC issuer)."""
    return f"https://{domain}{PREFIX}/{quote(pool_id, safe='')}/{quote(name, safe='')}"


class StandInError(Exception):
    """An OAuth error the stand-in answers with (``error``, and a description for the developer)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True)
class StandInConfig:
    """A provider as the stand-in knows it: the app registered with it (from the pool's configuration)."""

    pool_id: str
    name: str
    type: str
    client_id: str
    client_secret: str = ""
    mapped: tuple[str, ...] = ()  # the provider attributes the pool maps: the page asks for them
    team_id: str = ""
    key_id: str = ""
    apple_public_key: Any = None


@dataclass
class Grant:
    """One sign-in at the stand-in: who the developer said they are, for which app and request."""

    config: StandInConfig
    subject: str
    attributes: dict[str, Any]
    redirect_uri: str
    scopes: tuple[str, ...]
    nonce: str | None = None
    expires: float = 0.0
    used: bool = False

    def released(self) -> dict[str, Any]:
        """The attributes the requested scopes release (custom attributes the pool maps always go)."""
        return {k: v for k, v in self.attributes.items() if withheld_by(self.config.type, k, self.scopes) is None}


def withheld_by(provider_type: str, attribute: str, scopes: tuple[str, ...]) -> str | None:
    """The scope an attribute needs and the request lacks (None: released), as Google, Apple and OIDC
    providers release claims by scope."""
    if provider_type in ("Facebook", "LoginWithAmazon"):
        return None
    needed = (_APPLE_SCOPE_OF if provider_type == "SignInWithApple" else _SCOPE_OF).get(attribute)
    return needed if needed is not None and needed not in scopes else None


def subject_for(provider_type: str, seed: str) -> str:
    """A stable subject in the provider's own format, derived from ``seed`` (the email the developer typed), so
    the same test identity is the same user every time."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    if provider_type == "Google":
        return str(int(digest, 16))[:21]
    if provider_type == "Facebook":
        return str(int(digest, 16))[:16]
    if provider_type == "LoginWithAmazon":
        return "amzn1.account." + base64.b32encode(bytes.fromhex(digest[:34])).decode()[:28]
    if provider_type == "SignInWithApple":
        return f"000{int(digest[:6], 16) % 1000:03d}.{digest[6:38]}.{int(digest[38:42], 16) % 10000:04d}"
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


_substitute_keys: dict[tuple[str, str], ec.EllipticCurvePrivateKey] = {}
_substitute_lock = threading.Lock()


def apple_signing_key(pool_id: str, provider_name: str, private_key_pem: str) -> tuple[Any, bool]:
    """The EC P-256 key the engine signs Apple's client secret with: the template's ``private_key``, or, when
    that is not a PEM EC key (a placeholder such as Amplify's examples use), a substitute made once per engine
    run for this provider, which the stand-in then trusts instead. Returns (key, is_substitute)."""
    try:
        key = serialization.load_pem_private_key(private_key_pem.strip().encode(), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key, False
    except (ValueError, TypeError):
        pass
    with _substitute_lock:
        key = _substitute_keys.setdefault((pool_id, provider_name), ec.generate_private_key(ec.SECP256R1()))
    return key, True


class StandInProviders:
    """Every stand-in of one engine: their configurations, signing key, codes and access tokens."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._configs: dict[tuple[str, str], StandInConfig] = {}
        self._codes: dict[str, Grant] = {}
        self._tokens: dict[str, tuple[Grant, float]] = {}
        self._recent: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)

    # --- configuration ------------------------------------------------------------
    def register(self, config: StandInConfig) -> None:
        with self._lock:
            self._configs[(config.pool_id, config.name)] = config

    def config(self, pool_id: str, name: str) -> StandInConfig:
        with self._lock:
            found = self._configs.get((pool_id, name))
        if found is None:
            raise StandInError("invalid_request", f"This local {name} stand-in has not been configured by a "
                               "sign-in yet (the engine may have restarted). Start again from your app's sign-in.")
        return found

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    # --- authorize ----------------------------------------------------------------
    def remember(self, config: StandInConfig, subject: str, attributes: Mapping[str, Any]) -> None:
        """An identity signed in here: the page offers it again (the newest first, five at most)."""
        key = (config.pool_id, config.name)
        with self._lock:
            kept = [r for r in self._recent.get(key, []) if r[0] != subject]
            self._recent[key] = [(subject, dict(attributes)), *kept][:5]

    def recent(self, config: StandInConfig) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            return list(self._recent.get((config.pool_id, config.name), []))

    def check_client(self, config: StandInConfig, client_id: str | None, redirect_uri: str | None,
                     expected_redirect: str) -> None:
        if client_id != config.client_id:
            raise StandInError("invalid_client", f"client_id {client_id!r} is not the app registered with this "
                               f"stand-in ({config.client_id!r}, the provider's client_id in the template).")
        if redirect_uri != expected_redirect:
            raise StandInError("redirect_uri_mismatch", f"redirect_uri {redirect_uri!r} is not registered for "
                               f"this app; the user pool's is {expected_redirect}.")

    def issue_code(self, grant: Grant, now: float | None = None) -> str:
        code = secrets.token_urlsafe(24)
        now = now or time.time()
        grant.expires = now + _CODE_TTL
        with self._lock:
            self._codes[code] = grant
            self._forget_expired(now)
        return code

    def _forget_expired(self, now: float) -> None:
        """Drop expired codes and tokens (held in memory only: unredeemed ones must not pile up)."""
        for key in [k for k, g in self._codes.items() if g.expires < now]:
            del self._codes[key]
        for key in [k for k, (_, expires) in self._tokens.items() if expires < now]:
            del self._tokens[key]

    # --- token --------------------------------------------------------------------
    def redeem(self, config: StandInConfig, code: str | None, redirect_uri: str | None,
               client_id: str | None, client_secret: str | None, *, issuer: str,
               now: float | None = None) -> dict[str, Any]:
        """The token endpoint: the app proves itself (client secret; Apple: the ES256 client-secret JWT), then
        gets an access token, and for the OIDC providers an RS256 ID token."""
        now = now or time.time()
        if client_id != config.client_id:
            raise StandInError("invalid_client", "unknown client_id", 401)
        if config.type == "SignInWithApple":
            self._check_apple_secret(config, client_secret or "", now)
        elif not secrets.compare_digest(client_secret or "", config.client_secret):
            raise StandInError("invalid_client", "client_secret does not match the app's", 401)
        with self._lock:
            grant = self._codes.pop(code or "", None)
        if grant is None or grant.used or grant.expires < now or grant.config != config:
            raise StandInError("invalid_grant", "the code is unknown, used or expired")
        if redirect_uri != grant.redirect_uri:
            raise StandInError("invalid_grant", "redirect_uri differs from the authorization request's")
        grant.used = True
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[access_token] = (grant, now + _TOKEN_TTL)
        out: dict[str, Any] = {"access_token": access_token, "token_type": "Bearer", "expires_in": int(_TOKEN_TTL)}
        if config.type in ("Google", "OIDC", "SignInWithApple") and (
                "openid" in grant.scopes or config.type == "SignInWithApple"):
            out["id_token"] = self.id_token(grant, issuer=issuer, now=now)
        if config.type == "LoginWithAmazon":
            out.update(token_type="bearer", refresh_token=secrets.token_urlsafe(32))
        return out

    def id_token(self, grant: Grant, *, issuer: str, now: float) -> str:
        claims: dict[str, Any] = {"iss": issuer, "aud": grant.config.client_id, "sub": grant.subject,
                                  "iat": int(now), "exp": int(now + _TOKEN_TTL), "auth_time": int(now)}
        released = grant.released()
        if grant.config.type == "SignInWithApple":  # Apple's ID token: email only; the name comes in `user`
            released = {k: v for k, v in released.items() if k in ("email", "email_verified", "is_private_email")}
            released = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in released.items()}
        claims.update(released)
        if grant.nonce:
            claims["nonce"] = grant.nonce
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def _check_apple_secret(self, config: StandInConfig, secret: str, now: float) -> None:
        """Apple's rule for the client secret: an ES256 JWT by the team's key (``kid``), ``iss`` the team,
        ``sub`` the client id (Services ID), ``aud`` https://appleid.apple.com, at most six months long."""
        try:
            header = jwt.get_unverified_header(secret)
            claims = jwt.decode(secret, config.apple_public_key, algorithms=["ES256"], audience=APPLE_AUDIENCE,
                                issuer=config.team_id, options={"require": ["iat", "exp", "sub"]})
        except jwt.PyJWTError as exc:
            raise StandInError("invalid_client", f"the client secret is not a valid ES256 JWT: {exc}", 401) from exc
        if header.get("kid") != config.key_id or claims.get("sub") != config.client_id:
            raise StandInError("invalid_client", "the client secret's kid or sub does not match the app", 401)
        if claims["exp"] - claims["iat"] > 15777000:
            raise StandInError("invalid_client", "the client secret is valid for more than six months", 401)

    # --- the provider's user APIs ---------------------------------------------------
    def grant_for(self, access_token: str | None, now: float | None = None) -> Grant:
        with self._lock:
            found = self._tokens.get(access_token or "")
        if found is None or found[1] < (now or time.time()):
            raise StandInError("invalid_token", "the access token is unknown or expired", 401)
        return found[0]

    def userinfo(self, grant: Grant) -> dict[str, Any]:
        return {"sub": grant.subject, **grant.released()}

    def facebook_me(self, grant: Grant, fields: str | None) -> dict[str, Any]:
        """Graph API ``/me?fields=``: only the fields asked for (``id`` always), as Graph answers."""
        data = {"id": grant.subject, **grant.released()}
        wanted = [f.strip() for f in (fields or "id,name").split(",") if f.strip()]
        return {k: data[k] for k in dict.fromkeys(["id", *wanted]) if k in data}

    def amazon_profile(self, grant: Grant) -> dict[str, Any]:
        data = {"user_id": grant.subject, **grant.released()}
        if "postal_code" not in grant.scopes:
            data.pop("postal_code", None)
        return data


def attributes_from_form(form: Mapping[str, str], fields: tuple[str, ...]) -> dict[str, Any]:
    """The identity the developer typed: non-empty fields, ``email_verified`` a boolean (a checkbox)."""
    out: dict[str, Any] = {}
    for name in fields:
        if name == "email_verified":
            out[name] = form.get(name) in ("true", "on")
        elif form.get(name):
            out[name] = form[name]
    return out
