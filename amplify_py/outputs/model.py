"""Typed model of amplify_outputs.json (schema 1.5; older versions are subsets).

Field order is the order ``@aws-amplify/client-config`` writes keys in, so
``to_dict()`` followed by ``json.dumps(indent=2)`` is byte-for-byte what ampx
writes. Keys client-config leaves undefined are ``None`` here and omitted.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "OUTPUTS_VERSIONS",
    "OutputsVersion",
    "PasswordPolicy",
    "OAuth",
    "WebAuthn",
    "Passwordless",
    "AuthOutputs",
    "AmplifyOutputs",
]

OutputsVersion = Literal["1", "1.1", "1.2", "1.3", "1.4", "1.5"]
#: Every version ``--outputs-version`` accepts, oldest first.
OUTPUTS_VERSIONS: tuple[str, ...] = ("1", "1.1", "1.2", "1.3", "1.4", "1.5")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PasswordPolicy(_Model):
    min_length: int = Field(ge=6, le=99)
    require_lowercase: bool
    require_numbers: bool
    require_symbols: bool
    require_uppercase: bool


class OAuth(_Model):
    identity_providers: list[Literal["GOOGLE", "FACEBOOK", "LOGIN_WITH_AMAZON", "SIGN_IN_WITH_APPLE"]]
    redirect_sign_in_uri: list[str]
    redirect_sign_out_uri: list[str]
    response_type: Literal["code", "token"] | None = None
    scopes: list[str]
    domain: str


class WebAuthn(_Model):
    relying_party_id: str
    user_verification: Literal["required", "preferred"]


class Passwordless(_Model):
    email_otp_enabled: bool | None = None
    sms_otp_enabled: bool | None = None
    web_authn: WebAuthn | None = None
    preferred_challenge: Literal["EMAIL_OTP", "SMS_OTP", "PASSWORD", "WEB_AUTHN"] | None = None


class AuthOutputs(_Model):
    """The ``auth`` section: what the frontend libraries need to reach Cognito."""

    user_pool_id: str
    aws_region: str
    user_pool_client_id: str
    identity_pool_id: str | None = None
    mfa_methods: list[Literal["SMS", "TOTP", "EMAIL"]] | None = None
    standard_required_attributes: list[str] | None = None
    username_attributes: list[Literal["email", "phone_number", "username"]] | None = None
    user_verification_types: list[Literal["email", "phone_number"]] | None = None
    groups: list[dict[str, dict[str, int]]] | None = None
    mfa_configuration: Literal["NONE", "OPTIONAL", "REQUIRED"] | None = None
    password_policy: PasswordPolicy | None = None
    oauth: OAuth | None = None
    unauthenticated_identities_enabled: bool | None = None
    passwordless: Passwordless | None = None


class AmplifyOutputs(_Model):
    """The whole file. Categories this project does not produce are kept as plain dicts."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_uri: str | None = Field(default=None, alias="$schema")
    auth: AuthOutputs | None = None
    data: dict[str, Any] | None = None
    storage: dict[str, Any] | None = None
    version: OutputsVersion = "1.5"
    custom: dict[str, Any] | None = None
    analytics: dict[str, Any] | None = None
    geo: dict[str, Any] | None = None
    notifications: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, keys in client-config's order, undefined keys left out."""
        result: dict[str, Any] = {}
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if value is None:
                continue
            key = field.alias or name
            result[key] = value.model_dump(exclude_none=True) if isinstance(value, BaseModel) else value
        return result

    def to_json(self) -> str:
        """``JSON.stringify(config, null, 2)``: two-space indent, no trailing newline."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AmplifyOutputs:
        return cls.model_validate(data)
