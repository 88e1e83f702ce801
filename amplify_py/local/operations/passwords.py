"""Passwords: ForgotPassword, ConfirmForgotPassword, ChangePassword."""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CODE_MISMATCH, CognitoError, invalid_parameter, not_authorized, user_not_found
from amplify_py.local.model.user import UserStatus
from amplify_py.local.operations._request import client_request
from amplify_py.local.rules import codes, directory, passwords, tokens, triggers
from amplify_py.local.rules.messages import MessageKind, send_verification
from amplify_py.local.rules.phantoms import phantom_user, refuse_code, simulated_delivery
from amplify_py.local.rules.migration import migrate_user

__all__ = ["OPERATIONS"]

_RECOVERY_ATTRIBUTE = {"verified_email": "email", "verified_phone_number": "phone_number"}


def forgot_password(ctx: EngineContext, body: dict) -> dict:
    pool, client, username = client_request(ctx, body)
    user = directory.find_user(ctx, pool, username) or migrate_user(
        ctx, pool, client.id, username, "UserMigration_ForgotPassword", body)
    prevent = client.prevent_user_existence_errors
    if user is None and not prevent:
        raise user_not_found(directory.NOT_FOUND_FOR_CLIENT)
    if user is not None and not user.enabled and not prevent:
        raise not_authorized(tokens.DISABLED)
    attribute = next((attr for mechanism in pool.recovery_mechanisms
                      if (attr := _RECOVERY_ATTRIBUTE.get(mechanism)) and user.attributes.get(attr)
                      and user.verified(attr)), None) if user is not None and user.enabled else None
    if attribute is None and prevent:  # unknown, disabled or unreachable: a simulated delivery, as Cognito answers
        return {"CodeDeliveryDetails": simulated_delivery(ctx, pool, user or phantom_user(ctx, pool, username),
                                                          username, codes.FORGOT_PASSWORD,
                                                          MessageKind.FORGOT_PASSWORD, codes.FORGOT_TTL)}
    if user is None or attribute is None:
        raise invalid_parameter(
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
        )
    codes.count_attempt(ctx, pool, user, codes.FORGOT_PASSWORD)
    delivery = send_verification(ctx, pool, user, codes.FORGOT_PASSWORD, MessageKind.FORGOT_PASSWORD,
                                 codes.FORGOT_TTL, attribute=attribute, client_id=client.id,
                                 client_metadata=body.get("ClientMetadata"))
    return {"CodeDeliveryDetails": delivery}


def confirm_forgot_password(ctx: EngineContext, body: dict) -> dict:
    pool, client, username = client_request(ctx, body)
    mismatch = CognitoError("CodeMismatchException", CODE_MISMATCH)
    user = directory.find_user(ctx, pool, username)
    if user is None and not client.prevent_user_existence_errors:
        raise user_not_found(directory.NOT_FOUND_FOR_CLIENT)
    passwords.check_policy(pool, body.get("Password"))
    if user is None:
        refuse_code(ctx, pool, username, codes.FORGOT_PASSWORD, mismatch)
    codes.count_attempt(ctx, pool, user, codes.FORGOT_PASSWORD)
    if not user.enabled and client.prevent_user_existence_errors:
        raise mismatch  # Cognito: "CodeMismatchException error for users that don't exist or are disabled"
    codes.check(ctx, pool, user.username, codes.FORGOT_PASSWORD, body.get("ConfirmationCode", ""))
    passwords.set_password(pool, user, body["Password"])
    user.failed = 0
    if user.status in (UserStatus.RESET_REQUIRED, UserStatus.FORCE_CHANGE_PASSWORD):
        user.status = UserStatus.CONFIRMED
    directory.save_user(ctx, pool, user)
    triggers.post_confirmation(ctx, pool, user, client.id, "PostConfirmation_ConfirmForgotPassword",
                               body.get("ClientMetadata"))
    return {}


def change_password(ctx: EngineContext, body: dict) -> dict:
    pool, user, _claims = tokens.authenticate(ctx, body.get("AccessToken"))
    passwords.check_lockout(ctx, pool, user)
    if not passwords.password_matches(pool, user, body.get("PreviousPassword")):
        passwords.record_failure(ctx, pool, user)
        raise not_authorized()
    passwords.check_policy(pool, body.get("ProposedPassword"))
    passwords.set_password(pool, user, body["ProposedPassword"])
    user.failed = 0
    directory.save_user(ctx, pool, user)
    return {}


OPERATIONS = {
    "ForgotPassword": forgot_password,
    "ConfirmForgotPassword": confirm_forgot_password,
    "ChangePassword": change_password,
}
