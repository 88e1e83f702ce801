"""Results and option shapes of the auth APIs: aws-amplify/auth's output types in snake_case.

Step strings (``sign_in_step``, ``sign_up_step``, ...) are Amplify's, unchanged, so the
seed's ``if next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_TOTP_CODE"`` reads the same.
Options are TypedDicts mirroring Amplify's ``options`` objects (``user_attributes`` for
``userAttributes``, ...), so the docs translate key by key.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict
from urllib.parse import quote

__all__ = [
    "JWT",
    "AuthTokens",
    "AWSCredentials",
    "AuthSession",
    "AuthUser",
    "SignInDetails",
    "CodeDeliveryDetails",
    "SignUpNextStep",
    "SignUpOutput",
    "SignInNextStep",
    "SignInOutput",
    "TOTPSetupDetails",
    "ResetPasswordNextStep",
    "ResetPasswordOutput",
    "UpdateUserAttributeNextStep",
    "UpdateUserAttributeOutput",
    "FetchMFAPreferenceOutput",
    "MFAPreference",
    "AuthFlowType",
    "SignUpOptions",
    "AutoSignInOptions",
    "SignInOptions",
    "ConfirmSignInOptions",
    "ClientMetadataOptions",
    "ConfirmSignUpOptions",
    "VerifyTOTPSetupOptions",
    "UserAttribute",
]

AuthFlowType = Literal["USER_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_AUTH", "CUSTOM_WITH_SRP", "CUSTOM_WITHOUT_SRP"]
MFAPreference = Literal["ENABLED", "DISABLED", "PREFERRED", "NOT_PREFERRED"]


@dataclass(frozen=True)
class JWT:
    """A decoded JSON web token: ``payload`` holds the claims, ``str(jwt)`` the token (Amplify's ``toString()``)."""

    payload: dict[str, Any]
    token: str = field(repr=False)

    @classmethod
    def decode(cls, token: str) -> JWT:
        # Decoding only: Cognito signed it and the service checks it; the client reads claims.
        try:
            body = token.split(".")[1]
            payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except (IndexError, ValueError) as exc:
            from amplify_py.auth.errors import AuthError

            raise AuthError(
                "InvalidJWTTokenException", "Invalid JWT token.", "Sign in again.", underlying=exc
            ) from exc
        return cls(payload=payload, token=token)

    def __str__(self) -> str:
        return self.token


@dataclass(frozen=True)
class SignInDetails:
    login_id: str | None = None
    auth_flow_type: str | None = None


@dataclass(frozen=True)
class AuthTokens:
    access_token: JWT
    id_token: JWT | None = None
    sign_in_details: SignInDetails | None = None


@dataclass(frozen=True)
class AWSCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    expiration: Any = None


@dataclass(frozen=True)
class AuthSession:
    """fetch_auth_session's result; ``tokens`` is None when nobody is signed in."""

    tokens: AuthTokens | None = None
    credentials: AWSCredentials | None = None
    identity_id: str | None = None
    user_sub: str | None = None


@dataclass(frozen=True)
class AuthUser:
    username: str
    user_id: str
    sign_in_details: SignInDetails | None = None


@dataclass(frozen=True)
class CodeDeliveryDetails:
    destination: str | None = None
    delivery_medium: str | None = None
    attribute_name: str | None = None


@dataclass(frozen=True)
class SignUpNextStep:
    sign_up_step: Literal["CONFIRM_SIGN_UP", "DONE", "COMPLETE_AUTO_SIGN_IN"]
    code_delivery_details: CodeDeliveryDetails | None = None


@dataclass(frozen=True)
class SignUpOutput:
    is_sign_up_complete: bool
    next_step: SignUpNextStep
    user_id: str | None = None


@dataclass(frozen=True)
class TOTPSetupDetails:
    """The shared secret to put in an authenticator app, and its ``otpauth://`` URI."""

    shared_secret: str
    username: str | None = None

    def get_setup_uri(self, app_name: str, account_name: str | None = None) -> str:
        label = f"{app_name}:{account_name if account_name is not None else self.username}"
        # Amplify builds the URI with URL(), which percent-encodes these in a path.
        return f"otpauth://totp/{quote(label, safe=_PATH_SAFE)}?secret={self.shared_secret}&issuer={quote(app_name, safe=_QUERY_SAFE)}"


# WHATWG percent-encode sets for a non-special URL's path and query (printable ASCII kept).
_PATH_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"#<>?`{}')
_QUERY_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"#<>')


@dataclass(frozen=True)
class SignInNextStep:
    sign_in_step: Literal[
        "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED",
        "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE",
        "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
        "CONFIRM_SIGN_IN_WITH_SMS_CODE",
        "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
        "CONFIRM_SIGN_IN_WITH_PASSWORD",
        "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
        "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
        "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION",
        "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
        "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
        "RESET_PASSWORD",
        "CONFIRM_SIGN_UP",
        "DONE",
    ]
    code_delivery_details: CodeDeliveryDetails | None = None
    additional_info: dict[str, str] | None = None
    missing_attributes: list[str] | None = None
    allowed_mfa_types: list[str] | None = None
    available_challenges: list[str] | None = None
    totp_setup_details: TOTPSetupDetails | None = None


@dataclass(frozen=True)
class SignInOutput:
    is_signed_in: bool
    next_step: SignInNextStep


@dataclass(frozen=True)
class ResetPasswordNextStep:
    reset_password_step: Literal["CONFIRM_RESET_PASSWORD_WITH_CODE", "DONE"]
    code_delivery_details: CodeDeliveryDetails | None = None


@dataclass(frozen=True)
class ResetPasswordOutput:
    is_password_reset: bool
    next_step: ResetPasswordNextStep


@dataclass(frozen=True)
class UpdateUserAttributeNextStep:
    update_attribute_step: Literal["CONFIRM_ATTRIBUTE_WITH_CODE", "DONE"]
    code_delivery_details: CodeDeliveryDetails | None = None


@dataclass(frozen=True)
class UpdateUserAttributeOutput:
    is_updated: bool
    next_step: UpdateUserAttributeNextStep


@dataclass(frozen=True)
class FetchMFAPreferenceOutput:
    preferred: str | None = None
    enabled: list[str] | None = None


class ClientMetadataOptions(TypedDict, total=False):
    client_metadata: dict[str, str]


class SignInOptions(TypedDict, total=False):
    auth_flow_type: AuthFlowType
    client_metadata: dict[str, str]
    preferred_challenge: str


#: sign_up's ``auto_sign_in`` takes the same options as sign_in (amplify-js: ``autoSignIn?: SignInOptions | boolean``).
AutoSignInOptions = SignInOptions


class SignUpOptions(TypedDict, total=False):
    user_attributes: dict[str, str]
    validation_data: dict[str, str]
    client_metadata: dict[str, str]
    auto_sign_in: bool | AutoSignInOptions


class ConfirmSignUpOptions(TypedDict, total=False):
    client_metadata: dict[str, str]
    force_alias_creation: bool


class ConfirmSignInOptions(TypedDict, total=False):
    user_attributes: dict[str, str]
    client_metadata: dict[str, str]
    friendly_device_name: str


class VerifyTOTPSetupOptions(TypedDict, total=False):
    friendly_device_name: str


class UserAttribute(TypedDict):
    attribute_key: str
    value: str
