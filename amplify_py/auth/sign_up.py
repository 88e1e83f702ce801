"""sign_up, confirm_sign_up, resend_sign_up_code, auto_sign_in (aws-amplify/auth signUp & co.)."""

from __future__ import annotations

from amplify_py.auth import _auto_sign_in
from amplify_py.auth._common import check_options, code_delivery, to_attribute_list, user_pool
from amplify_py.auth._config import get_auth_config
from amplify_py.auth.errors import AutoSignInException, assert_validation
from amplify_py.auth.types import (
    ClientMetadataOptions,
    CodeDeliveryDetails,
    ConfirmSignUpOptions,
    SignInOutput,
    SignUpNextStep,
    SignUpOptions,
    SignUpOutput,
)

__all__ = ["sign_up", "confirm_sign_up", "resend_sign_up_code", "auto_sign_in"]


def sign_up(username: str, password: str | None = None, options: SignUpOptions | None = None) -> SignUpOutput:
    """Create a user (Cognito SignUp). ``password`` may be omitted for passwordless pools.

    ``options["auto_sign_in"]`` (True, or sign-in options such as ``{"auth_flow_type": "USER_AUTH"}``)
    lets ``auto_sign_in()`` sign the user in once the sign-up is confirmed.
    """
    opts = check_options(options, ("user_attributes", "validation_data", "client_metadata", "auto_sign_in"), "sign_up")
    config = get_auth_config()
    assert_validation(username, "EmptySignUpUsername")
    auto = opts.get("auto_sign_in")
    sign_in_options = dict(auto) if isinstance(auto, dict) else None
    sign_in_input: dict = {"username": username, "options": sign_in_options}
    if (sign_in_options or {}).get("auth_flow_type") != "CUSTOM_WITHOUT_SRP":
        sign_in_input["password"] = password

    response = user_pool(
        "SignUp",
        {
            "Username": username,
            "Password": password or None,
            "UserAttributes": to_attribute_list(opts.get("user_attributes")),
            "ClientMetadata": opts.get("client_metadata"),
            "ValidationData": to_attribute_list(opts.get("validation_data")),
            "ClientId": config.user_pool_client_id,
        },
    )
    user_id = response.get("UserSub")
    confirmed = bool(response.get("UserConfirmed"))
    details = code_delivery(response.get("CodeDeliveryDetails"))
    auto_started = bool(sign_in_options) or auto is True
    if auto_started:
        _auto_sign_in.start(username, response.get("Session"), sign_in_input, confirmed=confirmed)

    if confirmed:
        step = "COMPLETE_AUTO_SIGN_IN" if auto_started else "DONE"
        return SignUpOutput(is_sign_up_complete=True, next_step=SignUpNextStep(sign_up_step=step), user_id=user_id)
    return SignUpOutput(
        is_sign_up_complete=False,
        next_step=SignUpNextStep(sign_up_step="CONFIRM_SIGN_UP", code_delivery_details=details),
        user_id=user_id,
    )


def confirm_sign_up(
    username: str, confirmation_code: str, options: ConfirmSignUpOptions | None = None
) -> SignUpOutput:
    """Confirm a sign-up with the code that was sent (Cognito ConfirmSignUp)."""
    opts = check_options(options, ("client_metadata", "force_alias_creation"), "confirm_sign_up")
    config = get_auth_config()
    assert_validation(username, "EmptyConfirmSignUpUsername")
    assert_validation(confirmation_code, "EmptyConfirmSignUpCode")
    response = user_pool(
        "ConfirmSignUp",
        {
            "Username": username,
            "ConfirmationCode": confirmation_code,
            "ClientMetadata": opts.get("client_metadata"),
            "ForceAliasCreation": opts.get("force_alias_creation"),
            "ClientId": config.user_pool_client_id,
        },
    )
    if _auto_sign_in.ready_after_confirm(username, response.get("Session")):
        return SignUpOutput(is_sign_up_complete=True, next_step=SignUpNextStep(sign_up_step="COMPLETE_AUTO_SIGN_IN"))
    return SignUpOutput(is_sign_up_complete=True, next_step=SignUpNextStep(sign_up_step="DONE"))


def resend_sign_up_code(username: str, options: ClientMetadataOptions | None = None) -> CodeDeliveryDetails:
    """Send a new sign-up confirmation code (Cognito ResendConfirmationCode)."""
    assert_validation(username, "EmptySignUpUsername")
    opts = check_options(options, ("client_metadata",), "resend_sign_up_code")
    config = get_auth_config()
    response = user_pool(
        "ResendConfirmationCode",
        {"Username": username, "ClientMetadata": opts.get("client_metadata"), "ClientId": config.user_pool_client_id},
    )
    return code_delivery(response.get("CodeDeliveryDetails"))


def auto_sign_in() -> SignInOutput:
    """Finish the sign-in that ``sign_up(..., options={"auto_sign_in": ...})`` started."""
    state = _auto_sign_in.state
    if not state.callback_ready or state.sign_in_input is None:
        raise AutoSignInException(
            "The autoSignIn flow has not started, or has been cancelled/completed.",
            "Please try to use the signIn API or log out before starting a new autoSignIn flow.",
        )
    # Imported here: sign_in imports _auto_sign_in, which sign_up shares.
    from amplify_py.auth.sign_in import sign_in, sign_in_with_user_auth

    sign_in_input = state.sign_in_input
    try:
        if (sign_in_input.get("options") or {}).get("auth_flow_type") == "USER_AUTH":
            return sign_in_with_user_auth(
                sign_in_input["username"], sign_in_input.get("password"), sign_in_input.get("options")
            )
        return sign_in(sign_in_input["username"], sign_in_input.get("password"), sign_in_input.get("options"))
    finally:
        _auto_sign_in.reset()
