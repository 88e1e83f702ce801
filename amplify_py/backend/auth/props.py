"""Props of the ``AmplifyAuth`` construct: plain frozen dataclasses, no DSL, no aws_cdk import.

Messages are final strings (placeholders already inserted), secrets are strings
or CDK ``SecretValue``s, functions are CDK ``IFunction``s. A plain CDK app can
build these directly; ``translate`` builds them from a validated definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AuthProps",
    "LoginWithProps",
    "EmailLoginProps",
    "PhoneLoginProps",
    "WebAuthnProps",
    "UserInvitationProps",
    "ExternalProvidersProps",
    "ProviderProps",
    "OidcProviderProps",
    "SamlProviderProps",
    "StandardAttributeProps",
    "CustomAttributeProps",
    "MultifactorProps",
    "SesEmailSenderProps",
    "SnsSmsSenderProps",
    "CustomSenderProps",
]

_KW = {"frozen": True, "kw_only": True}


@dataclass(**_KW)
class UserInvitationProps:
    email_subject: str | None = None
    email_body: str | None = None
    sms_message: str | None = None


@dataclass(**_KW)
class EmailLoginProps:
    verification_email_style: str | None = None  # "CODE" | "LINK"
    verification_email_subject: str | None = None
    verification_email_body: str | None = None
    user_invitation: UserInvitationProps | None = None
    otp_login: bool = False


@dataclass(**_KW)
class PhoneLoginProps:
    verification_message: str | None = None
    otp_login: bool = False


@dataclass(**_KW)
class WebAuthnProps:
    relying_party_id: str = "AUTO"
    user_verification: str | None = None  # "required" | "preferred"


@dataclass(**_KW)
class ProviderProps:
    """Google, Facebook, Login with Amazon or Sign in with Apple.

    ``attribute_mapping`` maps snake_case user pool attribute names (and ``custom``:
    ``{"custom:x": "claim"}``) to provider attribute names.
    """

    client_id: str
    client_secret: Any = None  # str or aws_cdk.SecretValue
    scopes: tuple[str, ...] | None = None
    attribute_mapping: Mapping[str, Any] | None = None
    api_version: str | None = None  # Facebook
    team_id: str | None = None  # Apple
    key_id: str | None = None  # Apple
    private_key: Any = None  # Apple: str or aws_cdk.SecretValue


@dataclass(**_KW)
class OidcProviderProps:
    client_id: str
    client_secret: Any
    issuer_url: str
    name: str | None = None
    scopes: tuple[str, ...] | None = None
    identifiers: tuple[str, ...] | None = None
    attribute_request_method: str | None = None  # "GET" | "POST"
    endpoints: Mapping[str, str] | None = None  # authorization, token, user_info, jwks_uri
    attribute_mapping: Mapping[str, Any] | None = None


@dataclass(**_KW)
class SamlProviderProps:
    metadata_content: str
    metadata_type: str  # "URL" | "FILE"
    name: str | None = None
    identifiers: tuple[str, ...] | None = None
    idp_signout: bool | None = None
    attribute_mapping: Mapping[str, Any] | None = None


@dataclass(**_KW)
class ExternalProvidersProps:
    callback_urls: tuple[str, ...]
    logout_urls: tuple[str, ...]
    domain_prefix: str | None = None
    scopes: tuple[str, ...] | None = None  # PHONE, EMAIL, OPENID, PROFILE, COGNITO_ADMIN
    google: ProviderProps | None = None
    facebook: ProviderProps | None = None
    login_with_amazon: ProviderProps | None = None
    sign_in_with_apple: ProviderProps | None = None
    oidc: tuple[OidcProviderProps, ...] = ()
    saml: SamlProviderProps | None = None


@dataclass(**_KW)
class LoginWithProps:
    email: bool | EmailLoginProps = False
    phone: bool | PhoneLoginProps = False
    web_authn: bool | WebAuthnProps = False
    external_providers: ExternalProvidersProps | None = None


@dataclass(**_KW)
class StandardAttributeProps:
    mutable: bool | None = None
    required: bool | None = None


@dataclass(**_KW)
class CustomAttributeProps:
    data_type: str  # String | Number | Boolean | DateTime
    mutable: bool | None = None
    min_len: int | None = None
    max_len: int | None = None
    min: int | None = None
    max: int | None = None


@dataclass(**_KW)
class MultifactorProps:
    mode: str  # OFF | OPTIONAL | REQUIRED
    totp: bool = False
    sms: bool = False
    email: bool = False
    sms_message: str | None = None


@dataclass(**_KW)
class SesEmailSenderProps:
    from_email: str
    from_name: str | None = None
    reply_to: str | None = None


@dataclass(**_KW)
class SnsSmsSenderProps:
    external_id: str | None = None
    sns_caller_arn: str | None = None
    sns_region: str | None = None


@dataclass(**_KW)
class CustomSenderProps:
    handler: Any  # aws_lambda.IFunction
    kms_key_arn: str | None = None


@dataclass(**_KW)
class AuthProps:
    """Everything ``AmplifyAuth`` needs. ``user_attributes`` keys: snake_case standard names or ``custom:<name>``."""

    login_with: LoginWithProps = field(default_factory=lambda: LoginWithProps(email=True))
    user_attributes: Mapping[str, StandardAttributeProps | CustomAttributeProps] = field(default_factory=dict)
    multifactor: MultifactorProps | None = None
    account_recovery: str | None = None
    groups: tuple[str, ...] = ()
    email_sender: SesEmailSenderProps | CustomSenderProps | None = None
    sms_sender: SnsSmsSenderProps | CustomSenderProps | None = None
    preferred_challenge: str | None = None
    #: camelCase Cognito trigger operation (e.g. "preSignUp") → aws_lambda.IFunction
    triggers: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""
    #: Add the stack Outputs and the AWS::Amplify::Auth metadata (amplify_outputs.json is derived from them).
    store_outputs: bool = True
