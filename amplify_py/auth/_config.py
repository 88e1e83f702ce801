"""``Amplify.configure``: read the ``auth`` section of amplify_outputs.json.

Mirrors aws-amplify's ``parseAmplifyOutputs`` for the fields the auth client uses.
The endpoints are Cognito's public ones for the pool's region, unless the outputs
carry ``custom.local_engine`` (``user_pool_endpoint``, ``identity_pool_endpoint``),
which ``ampy sandbox`` writes for the local engine: the client never knows which
one it talks to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amplify_py.auth.errors import AuthError

__all__ = ["Amplify", "AuthConfig", "OAuthConfig", "PasswordlessConfig", "get_auth_config"]


@dataclass(frozen=True)
class PasswordlessConfig:
    email_otp_enabled: bool = False
    sms_otp_enabled: bool = False
    preferred_challenge: str | None = None
    web_authn: dict[str, Any] | None = None  # relying_party_id, user_verification (passkeys on)


@dataclass(frozen=True)
class OAuthConfig:
    """``auth.oauth``: managed login's domain and what the app registered (Amplify's ``loginWith.oauth``)."""

    domain: str
    scopes: tuple[str, ...] = ()
    redirect_sign_in: tuple[str, ...] = ()
    redirect_sign_out: tuple[str, ...] = ()
    response_type: str = "code"
    identity_providers: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthConfig:
    """What the auth APIs need from the outputs (Amplify's ``Auth.Cognito`` config)."""

    user_pool_id: str
    user_pool_client_id: str
    region: str
    user_pool_endpoint: str
    identity_pool_id: str | None = None
    identity_pool_endpoint: str | None = None
    allow_guest_access: bool = False
    username_attributes: tuple[str, ...] = ()
    passwordless: PasswordlessConfig | None = None
    oauth: OAuthConfig | None = None
    # The local engine's CA (custom.local_engine.ca_certificate): managed login's HTTPS certificate chains to it.
    ca_certificate: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def user_pool_name(self) -> str:
        """The part after ``_`` in the pool id: the SRP salt prefix Cognito uses."""
        return self.user_pool_id.split("_", 1)[1] if "_" in self.user_pool_id else ""


def _region_of(pool_id: str) -> str | None:
    for sep in ("_", ":"):
        if sep in pool_id:
            return pool_id.split(sep, 1)[0]
    return None


def _parse(outputs: dict[str, Any]) -> AuthConfig:
    auth = outputs.get("auth")
    if not isinstance(auth, dict) or not auth.get("user_pool_id") or not auth.get("user_pool_client_id"):
        raise AuthError(
            "AuthUserPoolException",
            "Auth UserPool not configured.",
            "Make sure to call Amplify.configure in your app with userPoolId and userPoolClientId.",
        )
    user_pool_id = str(auth["user_pool_id"])
    # Amplify derives the region from the pool id; aws_region is the fallback for odd ids.
    region = _region_of(user_pool_id) or str(auth.get("aws_region") or "")
    identity_pool_id = auth.get("identity_pool_id") or None
    local = (outputs.get("custom") or {}).get("local_engine") or {}
    user_pool_endpoint = local.get("user_pool_endpoint") or f"https://cognito-idp.{region}.amazonaws.com/"
    identity_pool_endpoint = None
    if identity_pool_id:
        identity_region = _region_of(identity_pool_id) or region
        identity_pool_endpoint = (
            local.get("identity_pool_endpoint") or f"https://cognito-identity.{identity_region}.amazonaws.com/"
        )
    passwordless = None
    if isinstance(auth.get("passwordless"), dict):
        pw = auth["passwordless"]
        passwordless = PasswordlessConfig(
            email_otp_enabled=bool(pw.get("email_otp_enabled")),
            sms_otp_enabled=bool(pw.get("sms_otp_enabled")),
            preferred_challenge=pw.get("preferred_challenge"),
            web_authn=dict(pw["web_authn"]) if isinstance(pw.get("web_authn"), dict) else None,
        )
    oauth = None
    if isinstance(auth.get("oauth"), dict) and auth["oauth"].get("domain"):
        o = auth["oauth"]
        oauth = OAuthConfig(
            domain=str(o["domain"]),
            scopes=tuple(o.get("scopes") or ()),
            redirect_sign_in=tuple(o.get("redirect_sign_in_uri") or ()),
            redirect_sign_out=tuple(o.get("redirect_sign_out_uri") or ()),
            response_type=str(o.get("response_type") or "code"),
            identity_providers=tuple(o.get("identity_providers") or ()),
        )
    return AuthConfig(
        user_pool_id=user_pool_id,
        user_pool_client_id=str(auth["user_pool_client_id"]),
        region=region,
        user_pool_endpoint=user_pool_endpoint,
        identity_pool_id=identity_pool_id,
        identity_pool_endpoint=identity_pool_endpoint,
        allow_guest_access=bool(auth.get("unauthenticated_identities_enabled")),
        username_attributes=tuple(auth.get("username_attributes") or ()),
        passwordless=passwordless,
        oauth=oauth,
        ca_certificate=local.get("ca_certificate") or None,
        raw=dict(auth),
    )


class Amplify:
    """Process-wide configuration, as ``Amplify.configure(outputs)`` in aws-amplify."""

    _auth: AuthConfig | None = None

    @classmethod
    def configure(cls, outputs: str | Path | dict[str, Any]) -> None:
        """Configure from a path to amplify_outputs.json or its parsed dict."""
        if isinstance(outputs, (str, Path)):
            path = Path(outputs)
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError as exc:
                raise AuthError(
                    "AmplifyOutputsNotFound",
                    f"{path} does not exist.",
                    "Pass the path of amplify_outputs.json (run `ampy sandbox` or `ampy generate outputs`).",
                    underlying=exc,
                ) from exc
            except json.JSONDecodeError as exc:
                raise AuthError(
                    "InvalidAmplifyOutputs",
                    f"{path} is not valid JSON: {exc}.",
                    "Regenerate it with `ampy generate outputs`.",
                    underlying=exc,
                ) from exc
        else:
            data = outputs
        config = _parse(data)
        from amplify_py.auth import _session  # the session depends on config, not the reverse

        cls._auth = config
        _session.on_configure(config)

    @classmethod
    def get_config(cls) -> AuthConfig | None:
        return cls._auth


def get_auth_config() -> AuthConfig:
    """The configured auth section, or Amplify's error when configure was not called."""
    config = Amplify._auth
    if config is None:
        raise AuthError(
            "AuthUserPoolException",
            "Auth UserPool not configured.",
            "Make sure to call Amplify.configure in your app with userPoolId and userPoolClientId.",
        )
    return config
