"""reset_password, confirm_reset_password (forgotten passwords) and update_password (signed in)."""

from __future__ import annotations

from amplify_py.auth._common import check_options, code_delivery, require_tokens, user_pool
from amplify_py.auth._config import get_auth_config
from amplify_py.auth.errors import assert_validation
from amplify_py.auth.types import ClientMetadataOptions, ResetPasswordNextStep, ResetPasswordOutput

__all__ = ["reset_password", "confirm_reset_password", "update_password"]


def reset_password(username: str, options: ClientMetadataOptions | None = None) -> ResetPasswordOutput:
    """Send a password reset code (Cognito ForgotPassword); next step CONFIRM_RESET_PASSWORD_WITH_CODE."""
    assert_validation(username, "EmptyResetPasswordUsername")
    opts = check_options(options, ("client_metadata",), "reset_password")
    config = get_auth_config()
    response = user_pool(
        "ForgotPassword",
        {"Username": username, "ClientMetadata": opts.get("client_metadata"), "ClientId": config.user_pool_client_id},
    )
    return ResetPasswordOutput(
        is_password_reset=False,
        next_step=ResetPasswordNextStep(
            reset_password_step="CONFIRM_RESET_PASSWORD_WITH_CODE",
            code_delivery_details=code_delivery(response.get("CodeDeliveryDetails")),
        ),
    )


def confirm_reset_password(
    username: str, confirmation_code: str, new_password: str, options: ClientMetadataOptions | None = None
) -> None:
    """Set the new password with the reset code (Cognito ConfirmForgotPassword)."""
    opts = check_options(options, ("client_metadata",), "confirm_reset_password")
    config = get_auth_config()
    assert_validation(username, "EmptyConfirmResetPasswordUsername")
    assert_validation(new_password, "EmptyConfirmResetPasswordNewPassword")
    assert_validation(confirmation_code, "EmptyConfirmResetPasswordConfirmationCode")
    user_pool(
        "ConfirmForgotPassword",
        {
            "Username": username,
            "ConfirmationCode": confirmation_code,
            "Password": new_password,
            "ClientMetadata": opts.get("client_metadata"),
            "ClientId": config.user_pool_client_id,
        },
    )


def update_password(old_password: str, new_password: str) -> None:
    """Change the signed-in user's password (Cognito ChangePassword)."""
    assert_validation(old_password, "EmptyUpdatePassword")
    assert_validation(new_password, "EmptyUpdatePassword")
    tokens = require_tokens()
    user_pool(
        "ChangePassword",
        {"AccessToken": str(tokens.access_token), "PreviousPassword": old_password, "ProposedPassword": new_password},
    )
