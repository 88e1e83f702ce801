"""The define_auth DSL as frozen pydantic models (no aws_cdk import).

Field names are Amplify's in snake_case. Plain dicts and these models are both
accepted wherever a model is expected. Message fields take callables that are
evaluated at synth time with placeholder functions (see ``_messages``).
Secret-valued fields take a plain string or ``secret("NAME")``.
"""

from __future__ import annotations

from typing import Annotated, Any, Callable, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, StrictBool, Tag
from pydantic_core import PydanticCustomError

from amplify_py.backend.secret import Secret

__all__ = [
    "DslModel",
    "UserInvitation",
    "EmailLogin",
    "PhoneLogin",
    "WebAuthn",
    "OidcEndpoints",
    "SamlMetadata",
    "GoogleProvider",
    "FacebookProvider",
    "AmazonProvider",
    "AppleProvider",
    "OidcProvider",
    "SamlProvider",
    "ExternalProviders",
    "LoginWith",
    "StandardAttribute",
    "CustomAttribute",
    "SmsMfa",
    "Multifactor",
    "SesEmailSender",
    "SnsSmsSender",
    "CustomSender",
    "Senders",
    "PasswordlessOptions",
    "AuthConfig",
]

MessageFn = Callable[..., Any]
SecretStr = Union[str, Secret]


def _only_true(value: Any) -> Any:
    """``True`` itself: pydantic's ``Literal[True]`` also takes ``1`` and ``1.0`` (they equal True)."""
    if value == 1 and not isinstance(value, bool):
        raise PydanticCustomError("literal_error", "Input should be True", {"expected": "True"})
    return value


#: ``True`` and nothing that merely equals it. Booleans in the DSL are strict (StrictBool): 'yes', 'true' and 1
#: are mistakes, not booleans.
StrictTrue = Annotated[Literal[True], BeforeValidator(_only_true)]


class DslModel(BaseModel):
    """Base of every DSL model: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class UserInvitation(DslModel):
    email_subject: str | None = None
    email_body: MessageFn | None = None
    sms_message: MessageFn | None = None


class EmailLogin(DslModel):
    verification_email_style: Literal["CODE", "LINK"] | None = None
    verification_email_subject: str | None = None
    verification_email_body: MessageFn | None = None
    user_invitation: UserInvitation | None = None
    otp_login: StrictBool | None = None


class PhoneLogin(DslModel):
    verification_message: MessageFn | None = None
    otp_login: StrictBool | None = None


class WebAuthn(DslModel):
    relying_party_id: str
    user_verification: Literal["required", "preferred"] | None = None


class AttributeMapping(DslModel):
    """Provider attribute → user pool attribute (snake_case standard names, plus ``custom``)."""

    address: str | None = None
    birthdate: str | None = None
    email: str | None = None
    email_verified: str | None = None
    family_name: str | None = None
    gender: str | None = None
    given_name: str | None = None
    locale: str | None = None
    middle_name: str | None = None
    fullname: str | None = None
    nickname: str | None = None
    phone_number: str | None = None
    profile_picture: str | None = None
    preferred_username: str | None = None
    profile_page: str | None = None
    timezone: str | None = None
    last_update_time: str | None = None
    website: str | None = None
    custom: dict[str, str] | None = None


class _Provider(DslModel):
    scopes: list[str] | None = None
    attribute_mapping: AttributeMapping | None = None


class GoogleProvider(_Provider):
    client_id: SecretStr
    client_secret: SecretStr | None = None


class FacebookProvider(_Provider):
    client_id: SecretStr
    client_secret: SecretStr
    api_version: str | None = None


class AmazonProvider(_Provider):
    client_id: SecretStr
    client_secret: SecretStr


class AppleProvider(_Provider):
    client_id: SecretStr
    team_id: SecretStr
    key_id: SecretStr
    private_key: SecretStr


class OidcEndpoints(DslModel):
    authorization: str
    token: str
    user_info: str
    jwks_uri: str


class OidcProvider(_Provider):
    client_id: SecretStr
    client_secret: SecretStr
    issuer_url: str
    name: str | None = None
    identifiers: list[str] | None = None
    attribute_request_method: Literal["GET", "POST"] | None = None
    endpoints: OidcEndpoints | None = None


class SamlMetadata(DslModel):
    metadata_content: str
    metadata_type: Literal["URL", "FILE"]


class SamlProvider(DslModel):
    metadata: SamlMetadata
    name: str | None = None
    identifiers: list[str] | None = None
    idp_signout: StrictBool | None = None
    attribute_mapping: AttributeMapping | None = None


OAuthScope = Literal["PHONE", "EMAIL", "OPENID", "PROFILE", "COGNITO_ADMIN"]


class ExternalProviders(DslModel):
    google: GoogleProvider | None = None
    facebook: FacebookProvider | None = None
    login_with_amazon: AmazonProvider | None = None
    sign_in_with_apple: AppleProvider | None = None
    oidc: list[OidcProvider] | None = None
    saml: SamlProvider | None = None
    scopes: list[OAuthScope] | None = None
    callback_urls: list[str]
    logout_urls: list[str]
    domain_prefix: str | None = None  # default: the backend's stable hash (as defineAuth), set at build


class LoginWith(DslModel):
    email: StrictTrue | EmailLogin | None = None
    phone: StrictTrue | PhoneLogin | None = None
    web_authn: StrictTrue | WebAuthn | None = None
    external_providers: ExternalProviders | None = None


class StandardAttribute(DslModel):
    mutable: StrictBool | None = None
    required: StrictBool | None = None


class CustomAttribute(DslModel):
    data_type: Literal["String", "Number", "Boolean", "DateTime"]
    mutable: StrictBool | None = None
    min_len: Annotated[int, Field(ge=0)] | None = None
    max_len: Annotated[int, Field(ge=0)] | None = None
    min: int | None = None
    max: int | None = None


def _attribute_kind(value: Any) -> str:
    if isinstance(value, CustomAttribute):
        return "custom"
    if isinstance(value, dict) and ("data_type" in value or "dataType" in value):
        return "custom"
    return "standard"


UserAttribute = Annotated[
    Union[Annotated[StandardAttribute, Tag("standard")], Annotated[CustomAttribute, Tag("custom")]],
    Discriminator(_attribute_kind),
]


class SmsMfa(DslModel):
    sms_message: MessageFn


class Multifactor(DslModel):
    mode: Literal["OFF", "OPTIONAL", "REQUIRED"]
    totp: StrictBool | None = None
    sms: StrictBool | SmsMfa | None = None
    email: StrictBool | None = None


class SesEmailSender(DslModel):
    from_email: str
    from_name: str | None = None
    reply_to: str | None = None


class SnsSmsSender(DslModel):
    external_id: str | None = None
    sns_caller_arn: str | None = None
    sns_region: str | None = None


class CustomSender(DslModel):
    """A custom sender Lambda: a CDK ``IFunction`` or an object with ``resolve_function(scope)``."""

    handler: Any
    kms_key_arn: str | None = None


def _sender_kind(value: Any) -> str:
    if isinstance(value, CustomSender) or (isinstance(value, dict) and "handler" in value):
        return "custom"
    return "service"


class Senders(DslModel):
    email: Annotated[
        Union[Annotated[SesEmailSender, Tag("service")], Annotated[CustomSender, Tag("custom")]],
        Discriminator(_sender_kind),
    ] | None = None
    sms: Annotated[
        Union[Annotated[SnsSmsSender, Tag("service")], Annotated[CustomSender, Tag("custom")]],
        Discriminator(_sender_kind),
    ] | None = None


class PasswordlessOptions(DslModel):
    preferred_challenge: Literal["EMAIL_OTP", "SMS_OTP", "PASSWORD", "WEB_AUTHN"] | None = None


AccountRecovery = Literal[
    "EMAIL_AND_PHONE_WITHOUT_MFA",
    "PHONE_WITHOUT_MFA_AND_EMAIL",
    "EMAIL_ONLY",
    "PHONE_ONLY_WITHOUT_MFA",
    "PHONE_AND_EMAIL",
    "NONE",
]


class AuthConfig(DslModel):
    """Everything ``define_auth`` takes."""

    login_with: LoginWith
    user_attributes: dict[str, UserAttribute] | None = None
    multifactor: Multifactor | None = None
    account_recovery: AccountRecovery | None = None
    groups: list[str] | None = None
    senders: Senders | None = None
    passwordless_options: PasswordlessOptions | None = None
    triggers: dict[str, Any] | None = None
    name: str | None = None
