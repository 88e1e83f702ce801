"""Sign-up: SignUp, ConfirmSignUp, ResendConfirmationCode."""

from __future__ import annotations

from typing import Any

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CODE_MISMATCH, CognitoError, invalid_parameter, not_authorized, user_not_found
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.session import ConfirmedSession, SignUpSession
from amplify_py.local.model.user import UserStatus
from amplify_py.local.operations._request import check_username, client_request
from amplify_py.local.rules import codes, directory, passwords, sessions, triggers
from amplify_py.local.rules.attributes import pairs, validate_attributes
from amplify_py.local.rules.clients import check_secret_hash
from amplify_py.local.rules.messages import MessageKind, send_verification
from amplify_py.local.rules.phantoms import phantom_user, refuse_code, simulated_delivery

__all__ = ["OPERATIONS", "passwordless_allowed", "username_attributes_for"]


def passwordless_allowed(pool: Pool) -> bool:
    """Cognito lets SignUp omit the password when the sign-in policy allows a passwordless first factor."""
    return any(f in pool.first_factors for f in ("EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"))


def username_attributes_for(pool: Pool, username: str, attrs: dict[str, str]) -> str:
    """In a pool that signs in with email or phone, the user name is one of them: fill that attribute in and
    return its name, or raise Cognito's error for a name that is neither."""
    if "email" in pool.username_attributes and "@" in username:
        attrs.setdefault("email", username)
        return "email"
    if "phone_number" in pool.username_attributes and username.startswith("+"):
        attrs.setdefault("phone_number", username)
        return "phone_number"
    raise invalid_parameter(
        "Username should be an email." if pool.username_attributes == ["email"]
        else "Username should be a phone number." if pool.username_attributes == ["phone_number"]
        else "Username should be either an email or a phone number."
    )


def _sent_to(pool: Pool, attrs: dict[str, str]) -> str | None:
    """The attribute a sign-up code goes to: the first auto-verified one the user has."""
    return next((a for a in ("phone_number", "email") if a in pool.auto_verified and attrs.get(a)), None)


def sign_up(ctx: EngineContext, body: dict) -> dict:
    check_username(body)
    pool, client = ctx.client(body.get("ClientId"))
    if pool.admin_create_only:
        raise not_authorized("SignUp is not permitted for this user pool")
    username = body.get("Username") or ""
    check_secret_hash(client, username, body.get("SecretHash"))
    attrs = validate_attributes(pool, body.get("UserAttributes"), creating=False)
    if pool.username_attributes:
        kind = username_attributes_for(pool, username, attrs)
        taken = CognitoError("UsernameExistsException", f"An account with the given {kind} already exists.")

        def exists() -> bool:
            return directory.find_user(ctx, pool, username) is not None
        internal = None
    else:
        if not username or "@" in username and "email" in pool.alias_attributes:
            raise invalid_parameter("Username cannot be of email format, since user pool is configured for email alias.")
        taken = CognitoError("UsernameExistsException", "User already exists")

        def exists() -> bool:
            return directory.find_by_username(ctx, pool, username) is not None
        internal = username
    if exists():
        raise taken
    attrs = validate_attributes(pool, [{"Name": k, "Value": v} for k, v in attrs.items()], creating=True)
    password = body.get("Password")
    if password is not None or not passwordless_allowed(pool):
        passwords.check_policy(pool, password)
    user = directory.new_user(ctx, internal or "", attrs, UserStatus.UNCONFIRMED)
    if internal is None:
        user.username = user.sub
    outcome = triggers.pre_sign_up(ctx, pool, user, client.id, "PreSignUp_SignUp",
                                   validation_data=pairs(body.get("ValidationData")),
                                   client_metadata=body.get("ClientMetadata"))
    if password is not None:
        passwords.set_password(pool, user, password)  # the math, before the write lock (WRITES_LATE)
    ctx.store.start_writing()
    if exists():  # signed up meanwhile, by another worker or while the trigger ran without the store lock
        raise taken
    if outcome is not None and outcome.auto_confirm_user:
        user.status = UserStatus.CONFIRMED
    directory.save_user(ctx, pool, user)
    delivery = None
    if user.status == UserStatus.UNCONFIRMED:
        delivery = send_verification(ctx, pool, user, codes.SIGN_UP, MessageKind.SIGN_UP, codes.SIGN_UP_TTL,
                                     client_id=client.id, client_metadata=body.get("ClientMetadata"))
    else:
        triggers.post_confirmation(ctx, pool, user, client.id, "PostConfirmation_ConfirmSignUp",
                                   body.get("ClientMetadata"))
    session = sessions.start(ctx, pool, client, SignUpSession(client.id, user.username))
    out: dict[str, Any] = {"UserConfirmed": user.status == UserStatus.CONFIRMED, "UserSub": user.sub,
                           "Session": session}
    if delivery:
        out["CodeDeliveryDetails"] = delivery
    return out


def confirm_sign_up(ctx: EngineContext, body: dict) -> dict:
    pool, client, username = client_request(ctx, body)
    user = directory.find_user(ctx, pool, username)
    if user is None and client.prevent_user_existence_errors:
        refuse_code(ctx, pool, username, codes.SIGN_UP, CognitoError("CodeMismatchException", CODE_MISMATCH))
    if user is None:
        raise user_not_found(directory.NOT_FOUND_FOR_CLIENT)
    if user.status != UserStatus.UNCONFIRMED:
        raise not_authorized(f"User cannot be confirmed. Current status is {user.status}")
    codes.count_attempt(ctx, pool, user, codes.SIGN_UP)
    codes.check(ctx, pool, user.username, codes.SIGN_UP, body.get("ConfirmationCode", ""))
    user.status = UserStatus.CONFIRMED
    sent_to = _sent_to(pool, user.attributes)
    if sent_to:  # the code went there: that attribute is now verified
        user.attributes[f"{sent_to}_verified"] = "true"
    directory.save_user(ctx, pool, user)
    triggers.post_confirmation(ctx, pool, user, client.id, "PostConfirmation_ConfirmSignUp", body.get("ClientMetadata"))
    return {"Session": sessions.start(ctx, pool, client, ConfirmedSession(client.id, user.username))}


def resend_confirmation_code(ctx: EngineContext, body: dict) -> dict:
    pool, client, username = client_request(ctx, body)
    user = directory.find_user(ctx, pool, username)
    if (user is None or not user.enabled) and client.prevent_user_existence_errors:
        # Cognito "returns CodeDeliveryDetails for a disabled user or a user that doesn't exist"
        return {"CodeDeliveryDetails": simulated_delivery(ctx, pool, user or phantom_user(ctx, pool, username),
                                                          username, codes.SIGN_UP, MessageKind.RESEND,
                                                          codes.SIGN_UP_TTL)}
    if user is None:
        raise user_not_found(directory.NOT_FOUND_FOR_CLIENT)
    if user.status != UserStatus.UNCONFIRMED:
        raise invalid_parameter("User is already confirmed.")
    codes.count_attempt(ctx, pool, user, codes.SIGN_UP)
    delivery = send_verification(ctx, pool, user, codes.SIGN_UP, MessageKind.RESEND, codes.SIGN_UP_TTL,
                                 client_id=client.id, client_metadata=body.get("ClientMetadata"))
    if delivery is None:
        raise invalid_parameter("Auto verification not turned on.")
    return {"CodeDeliveryDetails": delivery}


OPERATIONS = {
    "SignUp": sign_up,
    "ConfirmSignUp": confirm_sign_up,
    "ResendConfirmationCode": resend_confirmation_code,
}
