"""TOTP setup and MFA preferences of the signed-in user."""

from __future__ import annotations

import json

from amplify_py.auth._common import check_options, require_tokens, user_pool
from amplify_py.auth.errors import AuthError, AuthValidationError, assert_validation
from amplify_py.auth.types import FetchMFAPreferenceOutput, MFAPreference, TOTPSetupDetails, VerifyTOTPSetupOptions

__all__ = ["set_up_totp", "verify_totp_setup", "update_mfa_preference", "fetch_mfa_preference"]

_MFA_TYPE = {"SMS_MFA": "SMS", "SOFTWARE_TOKEN_MFA": "TOTP", "EMAIL_OTP": "EMAIL"}
_SETTINGS: dict[str, dict[str, bool]] = {
    "DISABLED": {"Enabled": False},
    "PREFERRED": {"Enabled": True, "PreferredMfa": True},
    "ENABLED": {"Enabled": True},
    "NOT_PREFERRED": {"Enabled": True, "PreferredMfa": False},
}


def set_up_totp() -> TOTPSetupDetails:
    """Start TOTP setup (Cognito AssociateSoftwareToken); put ``get_setup_uri(app_name)`` in an authenticator app.

    As in Amplify, the default account name in the URI is the JSON-quoted username.
    """
    tokens = require_tokens()
    username = (tokens.id_token.payload.get("cognito:username") if tokens.id_token else None) or ""
    response = user_pool("AssociateSoftwareToken", {"AccessToken": str(tokens.access_token)})
    secret = response.get("SecretCode")
    if not secret:
        raise AuthError("SetUpTOTPException", "Failed to set up TOTP.")
    return TOTPSetupDetails(shared_secret=secret, username=json.dumps(username))


def verify_totp_setup(code: str, options: VerifyTOTPSetupOptions | None = None) -> None:
    """Finish TOTP setup with a code from the app (Cognito VerifySoftwareToken)."""
    opts = check_options(options, ("friendly_device_name",), "verify_totp_setup")
    assert_validation(code, "EmptyVerifyTOTPSetupCode")
    tokens = require_tokens()
    user_pool(
        "VerifySoftwareToken",
        {"AccessToken": str(tokens.access_token), "UserCode": code, "FriendlyDeviceName": opts.get("friendly_device_name")},
    )


def _settings(kind: str, preference: MFAPreference | None) -> dict[str, bool] | None:
    if preference is None:
        return None
    if preference not in _SETTINGS:
        raise AuthValidationError(
            "InvalidMFAPreference",
            f"{kind}={preference!r} is not an MFA preference.",
            "Use 'ENABLED', 'DISABLED', 'PREFERRED' or 'NOT_PREFERRED'.",
        )
    return dict(_SETTINGS[preference])


def update_mfa_preference(
    *, sms: MFAPreference | None = None, totp: MFAPreference | None = None, email: MFAPreference | None = None
) -> None:
    """Enable, disable or prefer SMS, TOTP and email MFA (Cognito SetUserMFAPreference); None leaves one as is."""
    body = {
        "SMSMfaSettings": _settings("sms", sms),
        "SoftwareTokenMfaSettings": _settings("totp", totp),
        "EmailMfaSettings": _settings("email", email),
    }
    tokens = require_tokens()
    user_pool("SetUserMFAPreference", {"AccessToken": str(tokens.access_token), **body})


def fetch_mfa_preference() -> FetchMFAPreferenceOutput:
    """The preferred MFA type and the enabled ones, as "SMS" | "TOTP" | "EMAIL" (Cognito GetUser)."""
    tokens = require_tokens()
    response = user_pool("GetUser", {"AccessToken": str(tokens.access_token)})
    enabled = response.get("UserMFASettingList")
    return FetchMFAPreferenceOutput(
        preferred=_MFA_TYPE.get(response.get("PreferredMfaSetting") or ""),
        enabled=[_MFA_TYPE[m] for m in enabled if m in _MFA_TYPE] if enabled is not None else None,
    )
