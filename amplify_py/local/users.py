"""User operations: sign-up, confirmation, attributes, passwords, MFA settings, sign-out, admin."""

from __future__ import annotations

import secrets
import string
from typing import Any

from amplify_py.local import codes, totp, triggers
from amplify_py.local.lambda_runtime import events
from amplify_py.local.core import Core
from amplify_py.local.errors import (
    CODE_MISMATCH,
    CognitoError,
    invalid_parameter,
    not_authorized,
    resource_not_found,
    user_not_found,
)
from amplify_py.local.pools import Client, Pool
from amplify_py.local.tokens import hash_refresh_token

__all__ = ["OPERATIONS"]

_NOT_FOUND_FOR_CLIENT = "Username/client id combination not found."
_USERNAME_MAX = 128


def _check_username(body: dict) -> None:
    """The request shape's own check of Username (required, at most 128 characters), before anything else."""
    value = body.get("Username")
    prefix = "1 validation error detected: Value"
    if value is None:
        raise invalid_parameter(f"{prefix} null at 'username' failed to satisfy constraint: Member must not be null")
    if len(str(value)) > _USERNAME_MAX:
        raise invalid_parameter(f"{prefix} at 'username' failed to satisfy constraint: "
                                f"Member must have length less than or equal to {_USERNAME_MAX}")


def _fake_delivery(pool: Pool, username: str) -> dict:
    """What Cognito answers for an unknown user when existence errors are prevented."""
    from amplify_py.local.core import mask_email, mask_phone

    if "phone_number" in pool.auto_verified and "email" not in pool.auto_verified:
        return {"Destination": mask_phone(username if username.startswith("+") else "+10000000000"),
                "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    return {"Destination": mask_email(username if "@" in username else "u@example.com"),
            "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def _user_for_client(core: Core, pool: Pool, client: Client, username: str | None,
                     *, prevent_error: CognitoError | None = None) -> dict:
    user = core.find_user(pool, username)
    if user is None:
        if client.prevent_user_existence_errors and prevent_error is not None:
            raise prevent_error
        raise user_not_found(_NOT_FOUND_FOR_CLIENT)
    return user


# --- sign-up ----------------------------------------------------------------
def sign_up(core: Core, body: dict) -> dict:
    _check_username(body)
    pool, client = core.client(body.get("ClientId"))
    if pool.admin_create_only:
        raise not_authorized("SignUp is not permitted for this user pool")
    username = body.get("Username") or ""
    core.check_secret_hash(client, username, body)
    attrs = core.validate_attributes(pool, body.get("UserAttributes"), creating=False)
    if pool.username_attributes:
        if "email" in pool.username_attributes and "@" in username:
            attrs.setdefault("email", username)
            kind = "email"
        elif "phone_number" in pool.username_attributes and username.startswith("+"):
            attrs.setdefault("phone_number", username)
            kind = "phone_number"
        else:
            raise invalid_parameter(
                "Username should be an email." if pool.username_attributes == ["email"]
                else "Username should be a phone number." if pool.username_attributes == ["phone_number"]
                else "Username should be either an email or a phone number."
            )
        taken = CognitoError("UsernameExistsException", f"An account with the given {kind} already exists.")
        if core.find_user(pool, username):
            raise taken
        internal = None
    else:
        if not username or "@" in username and "email" in pool.alias_attributes:
            raise invalid_parameter("Username cannot be of email format, since user pool is configured for email alias.")
        taken = CognitoError("UsernameExistsException", "User already exists")
        if core.store.find_user(pool.id, "username_key", core.username_key(pool, username)):
            raise taken
        internal = username
    attrs = core.validate_attributes(pool, [{"Name": k, "Value": v} for k, v in attrs.items()], creating=True)
    password = body.get("Password")
    if password is not None or not passwordless_allowed(pool):
        core.check_password_policy(pool, password)
    user = core.new_user(pool, internal or "", attrs, "UNCONFIRMED")
    if internal is None:
        user["username"] = user["sub"]
    outcome = pre_sign_up(core, pool, user, client.id, "PreSignUp_SignUp", body)
    # Signed up by a concurrent request while the trigger ran (it runs without the store lock)?
    if (core.find_user(pool, username) if internal is None
            else core.store.find_user(pool.id, "username_key", core.username_key(pool, username))):
        raise taken
    if password is not None:
        core.set_password(pool, user, password)
    delivery = None
    if outcome is not None and outcome.auto_confirm_user:
        user["status"] = "CONFIRMED"
    core.save_user(pool, user)
    if user["status"] == "UNCONFIRMED":
        delivery = core.send_verification(pool, user, "SIGN_UP", "SIGN_UP", codes.SIGN_UP_TTL, client_id=client.id,
                                          client_metadata=body.get("ClientMetadata"))
    else:
        _post_confirmation(core, pool, user, client.id, "PostConfirmation_ConfirmSignUp", body)
    session = core.new_session(pool, client, {"kind": "SIGN_UP", "username": user["username"]})
    out: dict[str, Any] = {"UserConfirmed": user["status"] == "CONFIRMED", "UserSub": user["sub"], "Session": session}
    if delivery:
        out["CodeDeliveryDetails"] = delivery
    return out


def passwordless_allowed(pool: Pool) -> bool:
    """Cognito lets SignUp omit the password when the sign-in policy allows a passwordless first factor."""
    return any(f in pool.first_factors for f in ("EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"))


def _pairs(items: list[dict] | None) -> dict:
    return {i["Name"]: i.get("Value") for i in items or []}


def pre_sign_up(core: Core, pool: Pool, user: dict, client_id: str | None, source: str,
                body: dict) -> events.PreSignUpOutcome | None:
    """Run PreSignUp; marks email/phone verified when the trigger says so (the caller confirms)."""
    if not triggers.configured(core, pool, "PreSignUp"):
        return None
    event = events.pre_sign_up_event(
        source, **triggers.common(core, pool, user["username"], client_id), user_attributes=user["attributes"],
        validation_data=_pairs(body.get("ValidationData")), client_metadata=body.get("ClientMetadata"))
    returned = triggers.invoke(core, pool, "PreSignUp", event)
    if returned is None:
        return None
    outcome = triggers.read(events.read_pre_sign_up_response, returned, user["attributes"])
    if outcome.auto_verify_email:
        user["attributes"]["email_verified"] = "true"
    if outcome.auto_verify_phone:
        user["attributes"]["phone_number_verified"] = "true"
    return outcome


def migrate_user(core: Core, pool: Pool, client_id: str | None, username: str, source: str, body: dict,
                 *, password: str | None = None) -> dict | None:
    """UserMigration: bring in a user the pool does not know from the trigger's answer (None: not found)."""
    if not triggers.configured(core, pool, "UserMigration"):
        return None
    event = events.user_migration_event(
        source, **triggers.common(core, pool, username, client_id), password=password,
        validation_data=_pairs(body.get("ValidationData")) or None, client_metadata=body.get("ClientMetadata"))
    returned = triggers.invoke(core, pool, "UserMigration", event)
    if returned is None:
        return None
    existing = core.find_user(pool, username)
    if existing is not None:  # brought in by a concurrent request (or the handler) while the trigger ran
        return existing
    try:
        outcome = triggers.read(events.read_user_migration_response, returned)
    except CognitoError as exc:
        if exc.name == "UserNotFoundException":
            return None
        raise
    given = [{"Name": k, "Value": v} for k, v in outcome.user_attributes.items() if k != "sub"]
    attrs = core.validate_attributes(pool, given, creating=True)
    if pool.username_attributes:
        key = "email" if "@" in username else "phone_number"
        if key in pool.username_attributes and attrs.get(key, username) != username:
            raise CognitoError("UserLambdaValidationException",
                               f"UserMigration failed with error {key} must equal the user name.")
        attrs.setdefault(key, username)
    # Authentication: the password that worked in the old directory; forgot password: a reset is needed.
    status = outcome.final_user_status or ("CONFIRMED" if password is not None else "RESET_REQUIRED")
    user = core.new_user(pool, username, attrs, status)
    if pool.username_attributes:
        user["username"] = user["sub"]
    if password is not None:
        core.set_password(pool, user, password)
    core.save_user(pool, user)
    return user


def _post_confirmation(core: Core, pool: Pool, user: dict, client_id: str | None, source: str, body: dict) -> None:
    if not triggers.configured(core, pool, "PostConfirmation"):
        return
    triggers.invoke(core, pool, "PostConfirmation", events.post_confirmation_event(
        source, **triggers.common(core, pool, user["username"], client_id), user_attributes=user["attributes"],
        client_metadata=body.get("ClientMetadata")))


def confirm_sign_up(core: Core, body: dict) -> dict:
    _check_username(body)
    pool, client = core.client(body.get("ClientId"))
    core.check_secret_hash(client, body.get("Username") or "", body)
    user = _user_for_client(core, pool, client, body.get("Username"),
                            prevent_error=CognitoError("CodeMismatchException", CODE_MISMATCH))
    if user["status"] != "UNCONFIRMED":
        raise not_authorized(f"User cannot be confirmed. Current status is {user['status']}")
    codes.check(core.store, pool.id, user["username"], "SIGN_UP", body.get("ConfirmationCode", ""), core.now())
    user["status"] = "CONFIRMED"
    # The code went to the first auto-verified attribute; that attribute is now verified.
    sent_to = next((a for a in ("phone_number", "email") if a in pool.auto_verified and user["attributes"].get(a)), None)
    if sent_to:
        user["attributes"][f"{sent_to}_verified"] = "true"
    core.save_user(pool, user)
    _post_confirmation(core, pool, user, client.id, "PostConfirmation_ConfirmSignUp", body)
    session = core.new_session(pool, client, {"kind": "CONFIRMED", "username": user["username"]})
    return {"Session": session}


def resend_confirmation_code(core: Core, body: dict) -> dict:
    _check_username(body)
    pool, client = core.client(body.get("ClientId"))
    username = body.get("Username") or ""
    core.check_secret_hash(client, username, body)
    user = core.find_user(pool, username)
    if user is None:
        if client.prevent_user_existence_errors:
            return {"CodeDeliveryDetails": _fake_delivery(pool, username)}
        raise user_not_found(_NOT_FOUND_FOR_CLIENT)
    if user["status"] != "UNCONFIRMED":
        raise invalid_parameter("User is already confirmed.")
    delivery = core.send_verification(pool, user, "SIGN_UP", "RESEND", codes.SIGN_UP_TTL, client_id=client.id,
                                      client_metadata=body.get("ClientMetadata"))
    if delivery is None:
        raise invalid_parameter("Auto verification not turned on.")
    return {"CodeDeliveryDetails": delivery}


# --- passwords ----------------------------------------------------------------
def forgot_password(core: Core, body: dict) -> dict:
    _check_username(body)
    pool, client = core.client(body.get("ClientId"))
    username = body.get("Username") or ""
    core.check_secret_hash(client, username, body)
    user = core.find_user(pool, username) or migrate_user(core, pool, client.id, username,
                                                         "UserMigration_ForgotPassword", body)
    if user is None:
        if client.prevent_user_existence_errors:
            return {"CodeDeliveryDetails": _fake_delivery(pool, username)}
        raise user_not_found(_NOT_FOUND_FOR_CLIENT)
    if not user["enabled"]:
        raise not_authorized("User is disabled.")
    attribute = None
    for mechanism in pool.recovery_mechanisms:
        attr = {"verified_email": "email", "verified_phone_number": "phone_number"}.get(mechanism)
        if attr and user["attributes"].get(attr) and user["attributes"].get(f"{attr}_verified") == "true":
            attribute = attr
            break
    if attribute is None:
        raise invalid_parameter(
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
        )
    delivery = core.send_verification(pool, user, "FORGOT_PASSWORD", "FORGOT_PASSWORD", codes.FORGOT_TTL,
                                      attribute=attribute, client_id=client.id,
                                      client_metadata=body.get("ClientMetadata"))
    return {"CodeDeliveryDetails": delivery}


def confirm_forgot_password(core: Core, body: dict) -> dict:
    _check_username(body)
    pool, client = core.client(body.get("ClientId"))
    core.check_secret_hash(client, body.get("Username") or "", body)
    user = _user_for_client(core, pool, client, body.get("Username"),
                            prevent_error=CognitoError("CodeMismatchException", CODE_MISMATCH))
    core.check_password_policy(pool, body.get("Password"))
    codes.check(core.store, pool.id, user["username"], "FORGOT_PASSWORD", body.get("ConfirmationCode", ""), core.now())
    core.set_password(pool, user, body["Password"])
    user["failed"] = 0
    if user["status"] in ("RESET_REQUIRED", "FORCE_CHANGE_PASSWORD"):
        user["status"] = "CONFIRMED"
    core.save_user(pool, user)
    _post_confirmation(core, pool, user, client.id, "PostConfirmation_ConfirmForgotPassword", body)
    return {}


def change_password(core: Core, body: dict) -> dict:
    pool, user, _claims = core.authenticate(body.get("AccessToken"))
    core.check_lockout(pool, user)
    if not core.password_matches(pool, user, body.get("PreviousPassword")):
        core.record_failure(pool, user)
        raise not_authorized()
    core.check_password_policy(pool, body.get("ProposedPassword"))
    core.set_password(pool, user, body["ProposedPassword"])
    user["failed"] = 0
    core.save_user(pool, user)
    return {}


# --- the signed-in user --------------------------------------------------------
def get_user(core: Core, body: dict) -> dict:
    pool, user, _claims = core.authenticate(body.get("AccessToken"))
    return {"Username": user["username"], "UserAttributes": core.attribute_list(user), **core.mfa_settings(pool, user)}


def _update_attributes(core: Core, pool: Pool, user: dict, items: list[dict] | None, *, admin: bool,
                       client_id: str | None, body: dict) -> list[dict]:
    values = core.validate_attributes(pool, items, creating=False, existing=user["attributes"])
    deliveries = []
    for name, value in values.items():
        if name in ("email", "phone_number"):
            if value == user["attributes"].get(name):
                continue
            other = core.find_user(pool, value) if name in pool.username_attributes + pool.alias_attributes else None
            if other and other["username"] != user["username"]:
                raise CognitoError("AliasExistsException", f"An account with the given {name} already exists.")
            verified_flag = values.get(f"{name}_verified")
            if admin and verified_flag == "true":
                user["attributes"][name] = value
                user.get("pending", {}).pop(name, None)
                continue
            if name in pool.verify_before_update and user["attributes"].get(f"{name}_verified") == "true":
                user.setdefault("pending", {})[name] = value
            else:
                user["attributes"][name] = value
                user["attributes"][f"{name}_verified"] = "false"
            if name in pool.auto_verified and not admin:
                core.save_user(pool, user)
                deliveries.append(core.send_verification(
                    pool, user, f"ATTR:{name}", "UPDATE_ATTRIBUTE", codes.ATTRIBUTE_TTL, attribute=name,
                    client_id=client_id, client_metadata=body.get("ClientMetadata")))
                core.reload_user(pool, user)  # a custom message trigger may have changed the user meanwhile
        elif name in ("email_verified", "phone_number_verified"):
            if not admin:
                raise invalid_parameter(
                    f"Attributes did not conform to the schema: {name}: Attribute cannot be updated. "
                    "(changing an immutable attribute)")
            user["attributes"][name] = value
        else:
            user["attributes"][name] = value
    core.save_user(pool, user)
    return deliveries


def update_user_attributes(core: Core, body: dict) -> dict:
    pool, user, claims = core.authenticate(body.get("AccessToken"))
    deliveries = _update_attributes(core, pool, user, body.get("UserAttributes"), admin=False,
                                    client_id=claims.get("client_id"), body=body)
    return {"CodeDeliveryDetailsList": deliveries} if deliveries else {}


def delete_user_attributes(core: Core, body: dict) -> dict:
    pool, user, _claims = core.authenticate(body.get("AccessToken"))
    _delete_attributes(core, pool, user, body.get("UserAttributeNames") or [])
    return {}


def _delete_attributes(core: Core, pool: Pool, user: dict, names: list[str]) -> None:
    schema = pool.schema()
    for name in names:
        attr = schema.get(name)
        if attr is None:
            raise invalid_parameter(
                f"Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined")
        if attr.required or name == "sub" or name in pool.username_attributes:
            raise invalid_parameter(f"Attributes did not conform to the schema: {name}: The attribute is required")
        if not attr.mutable:
            raise invalid_parameter(
                f"Attributes did not conform to the schema: {name}: Attribute cannot be updated. "
                "(changing an immutable attribute)")
        user["attributes"].pop(name, None)
        if name in ("email", "phone_number"):
            user["attributes"].pop(f"{name}_verified", None)
            user.get("pending", {}).pop(name, None)
    core.save_user(pool, user)


def get_user_attribute_verification_code(core: Core, body: dict) -> dict:
    pool, user, claims = core.authenticate(body.get("AccessToken"))
    name = body.get("AttributeName")
    if name not in ("email", "phone_number"):
        raise invalid_parameter("Invalid attribute name; only email and phone_number can be verified.")
    if not (user.get("pending", {}).get(name) or user["attributes"].get(name)):
        raise invalid_parameter(f"No {name} attribute exists for the user.")
    delivery = core.send_verification(pool, user, f"ATTR:{name}", "VERIFY_ATTRIBUTE", codes.ATTRIBUTE_TTL,
                                      attribute=name, client_id=claims.get("client_id"),
                                      client_metadata=body.get("ClientMetadata"))
    return {"CodeDeliveryDetails": delivery}


def verify_user_attribute(core: Core, body: dict) -> dict:
    pool, user, _claims = core.authenticate(body.get("AccessToken"))
    name = body.get("AttributeName") or ""
    codes.check(core.store, pool.id, user["username"], f"ATTR:{name}", body.get("Code", ""), core.now())
    pending = user.get("pending", {}).pop(name, None)
    if pending is not None:
        other = core.find_user(pool, pending) if name in pool.username_attributes + pool.alias_attributes else None
        if other and other["username"] != user["username"]:
            raise CognitoError("AliasExistsException", f"An account with the given {name} already exists.")
        user["attributes"][name] = pending
    user["attributes"][f"{name}_verified"] = "true"
    core.save_user(pool, user)
    return {}


def delete_user(core: Core, body: dict) -> dict:
    pool, user, _claims = core.authenticate(body.get("AccessToken"))
    core.store.delete_user(pool.id, user["username"])
    return {}


def global_sign_out(core: Core, body: dict) -> dict:
    pool, user, _claims = core.authenticate(body.get("AccessToken"))
    core.store.revoke_user_tokens(pool.id, user["username"])
    return {}


def revoke_token(core: Core, body: dict) -> dict:
    pool, client = core.client(body.get("ClientId"))
    token = body.get("Token") or ""
    core.check_client_secret(client, body.get("ClientSecret"))
    if token.count(".") == 2 and token.startswith("ey"):
        raise CognitoError("UnsupportedTokenTypeException", "The token type is not supported for revocation.")
    row = core.store.get_refresh(hash_refresh_token(token))
    if row is None:
        raise invalid_parameter("Invalid token")
    if row["client_id"] != client.id:
        raise CognitoError("UnauthorizedException", "The client is not authorized to revoke this token.")
    core.store.revoke_origin(row["origin_jti"])
    return {}


# --- MFA settings -------------------------------------------------------------
def _session_or_token(core: Core, body: dict) -> tuple[Pool, dict, str | None]:
    """The signed-in user, or the user of an MFA_SETUP challenge: only a sign-in that has passed its first
    factor may set up a software token (any other session is handed out before the user proved anything)."""
    if body.get("AccessToken"):
        pool, user, _claims = core.authenticate(body["AccessToken"])
        return pool, user, None
    found = core.store.get_session(body.get("Session") or "")
    if not found or found[1] <= core.now():
        raise not_authorized("Invalid session for the user, session is expired.")
    if found[2].get("kind") != "MFA_SETUP":
        raise not_authorized("Invalid session for the user.")
    pool = core.pool(found[0])
    user = core.store.get_user(pool.id, found[2].get("username", ""))
    if user is None:
        raise user_not_found()
    return pool, user, body["Session"]


def associate_software_token(core: Core, body: dict) -> dict:
    pool, user, session = _session_or_token(core, body)
    if "SOFTWARE_TOKEN_MFA" not in pool.enabled_mfas and pool.mfa_configuration != "OFF":
        raise CognitoError("SoftwareTokenMFANotFoundException", "Software token MFA is not enabled for the user pool.")
    user["totp_pending"] = totp.new_secret()
    core.save_user(pool, user)
    out = {"SecretCode": user["totp_pending"]}
    if session:
        out["Session"] = session
    return out


def verify_software_token(core: Core, body: dict) -> dict:
    pool, user, session = _session_or_token(core, body)
    secret = user.get("totp_pending")
    if not secret:
        raise invalid_parameter("User has not set up software token mfa")
    step = totp.matching_step(secret, body.get("UserCode", ""), core.now())
    if step is None:
        raise CognitoError("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    user["totp_secret"] = secret
    user["totp_last_step"] = step  # this code is spent: a sign-in in the same step needs the next one
    user["totp_pending"] = None
    if session:  # during MFA_SETUP sign-in the new factor becomes the user's MFA
        user["mfa"]["totp"] = True
    core.save_user(pool, user)
    out = {"Status": "SUCCESS"}
    if session:
        out["Session"] = session
    return out


def _apply_mfa_preference(core: Core, pool: Pool, user: dict, body: dict) -> None:
    for key, flag, mfa_name in (("SMSMfaSettings", "sms", "SMS_MFA"), ("SoftwareTokenMfaSettings", "totp", "SOFTWARE_TOKEN_MFA"),
                                ("EmailMfaSettings", "email", "EMAIL_OTP")):
        settings = body.get(key)
        if not settings:
            continue
        enabled = bool(settings.get("Enabled"))
        if enabled:
            if flag == "totp" and not user.get("totp_secret"):
                raise invalid_parameter("User has not set up software token mfa")
            if flag == "sms" and not user["attributes"].get("phone_number"):
                raise invalid_parameter("User does not have delivery config set to turn on SMS_MFA")
            if flag == "email" and not user["attributes"].get("email"):
                raise invalid_parameter("User does not have delivery config set to turn on EMAIL_OTP")
        user["mfa"][flag] = enabled
        if settings.get("PreferredMfa") and enabled:
            user["mfa"]["preferred"] = mfa_name
        elif user["mfa"].get("preferred") == mfa_name and (not enabled or settings.get("PreferredMfa") is False):
            user["mfa"]["preferred"] = None
    core.save_user(pool, user)


def set_user_mfa_preference(core: Core, body: dict) -> dict:
    pool, user, _claims = core.authenticate(body.get("AccessToken"))
    _apply_mfa_preference(core, pool, user, body)
    return {}


# --- admin operations ---------------------------------------------------------
def _admin_user(core: Core, body: dict) -> tuple[Pool, dict]:
    pool = core.pool(body.get("UserPoolId"))
    user = core.find_user(pool, body.get("Username"))
    if user is None:
        raise user_not_found()
    return pool, user


def _temporary_password(pool: Pool) -> str:
    length = max(pool.password_policy["MinimumLength"], 12)
    parts = [secrets.choice(string.ascii_lowercase), secrets.choice(string.ascii_uppercase),
             secrets.choice(string.digits), secrets.choice("!#%&*+-=?^_")]
    parts += [secrets.choice(string.ascii_letters + string.digits) for _ in range(length - 4)]
    secrets.SystemRandom().shuffle(parts)
    return "".join(parts)


def admin_create_user(core: Core, body: dict) -> dict:
    _check_username(body)
    pool = core.pool(body.get("UserPoolId"))
    username = body.get("Username") or ""
    action = body.get("MessageAction")
    existing = core.find_user(pool, username)
    if action == "RESEND":
        if existing is None:
            raise user_not_found()
        user = existing
        password = _temporary_password(pool)
    else:
        if existing:
            raise CognitoError("UsernameExistsException", "User account already exists")
        attrs = core.validate_attributes(pool, body.get("UserAttributes"), creating=False)
        if pool.username_attributes:
            if "@" in username and "email" in pool.username_attributes:
                attrs.setdefault("email", username)
            elif username.startswith("+") and "phone_number" in pool.username_attributes:
                attrs.setdefault("phone_number", username)
            else:
                raise invalid_parameter("Username should be an email." if pool.username_attributes == ["email"]
                                        else "Username should be a phone number.")
        attrs = core.validate_attributes(pool, [{"Name": k, "Value": v} for k, v in attrs.items()], creating=True)
        user = core.new_user(pool, username, attrs, "FORCE_CHANGE_PASSWORD")
        if pool.username_attributes:
            user["username"] = user["sub"]
        password = body.get("TemporaryPassword") or _temporary_password(pool)
        if body.get("TemporaryPassword"):
            core.check_password_policy(pool, password)
        pre_sign_up(core, pool, user, None, "PreSignUp_AdminCreateUser", body)
        if core.find_user(pool, username):  # created by a concurrent request while the trigger ran
            raise CognitoError("UsernameExistsException", "User account already exists")
    core.set_password(pool, user, password)
    core.save_user(pool, user)
    if action != "SUPPRESS":
        mediums = body.get("DesiredDeliveryMediums") or ["SMS"]
        for medium in mediums:
            attribute = "email" if medium == "EMAIL" else "phone_number"
            if user["attributes"].get(attribute):
                core.deliver_code(pool, user, attribute, password, "INVITATION", client_metadata=body.get("ClientMetadata"))
    return {"User": core.user_type(user)}


def admin_get_user(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    return {**core.user_type(user, attributes_key="UserAttributes"), **core.mfa_settings(pool, user)}


def admin_delete_user(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    core.store.delete_user(pool.id, user["username"])
    return {}


def admin_confirm_sign_up(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    if user["status"] != "UNCONFIRMED":
        raise not_authorized(f"User cannot be confirmed. Current status is {user['status']}")
    user["status"] = "CONFIRMED"
    core.save_user(pool, user)
    _post_confirmation(core, pool, user, None, "PostConfirmation_ConfirmSignUp", body)
    return {}


def admin_set_user_password(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    core.check_password_policy(pool, body.get("Password"))
    core.set_password(pool, user, body["Password"])
    user["failed"] = 0
    if body.get("Permanent"):
        if user["status"] in ("FORCE_CHANGE_PASSWORD", "RESET_REQUIRED"):
            user["status"] = "CONFIRMED"
    else:
        user["status"] = "FORCE_CHANGE_PASSWORD"
    core.save_user(pool, user)
    return {}


def admin_update_user_attributes(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    _update_attributes(core, pool, user, body.get("UserAttributes"), admin=True, client_id=None, body=body)
    return {}


def admin_delete_user_attributes(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    _delete_attributes(core, pool, user, body.get("UserAttributeNames") or [])
    return {}


def admin_enable_user(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    user["enabled"] = True
    core.save_user(pool, user)
    return {}


def admin_disable_user(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    user["enabled"] = False
    core.save_user(pool, user)
    core.store.revoke_user_tokens(pool.id, user["username"])
    return {}


def admin_user_global_sign_out(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    core.store.revoke_user_tokens(pool.id, user["username"])
    return {}


def admin_set_user_mfa_preference(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    _apply_mfa_preference(core, pool, user, body)
    return {}


def _group_type(pool: Pool, name: str, props: dict) -> dict:
    out = {"GroupName": name, "UserPoolId": pool.id}
    for key in ("Description", "Precedence", "RoleArn"):
        if props.get(key) is not None:
            out[key] = props[key]
    return out


def _group(core: Core, pool: Pool, name: str | None) -> dict:
    groups = core.groups(pool)
    if name not in groups:
        raise resource_not_found("Group not found.")
    return groups[name]


def admin_add_user_to_group(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    _group(core, pool, body.get("GroupName"))
    core.store.add_membership(pool.id, user["username"], body["GroupName"])
    return {}


def admin_remove_user_from_group(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    _group(core, pool, body.get("GroupName"))
    core.store.remove_membership(pool.id, user["username"], body["GroupName"])
    return {}


def admin_list_groups_for_user(core: Core, body: dict) -> dict:
    pool, user = _admin_user(core, body)
    groups = core.groups(pool)
    names = core.store.groups_of(pool.id, user["username"])
    return {"Groups": [_group_type(pool, n, groups.get(n, {})) for n in sorted(names)]}


def list_groups(core: Core, body: dict) -> dict:
    pool = core.pool(body.get("UserPoolId"))
    return {"Groups": [_group_type(pool, n, p) for n, p in sorted(core.groups(pool).items())]}


def get_group(core: Core, body: dict) -> dict:
    pool = core.pool(body.get("UserPoolId"))
    return {"Group": _group_type(pool, body.get("GroupName"), _group(core, pool, body.get("GroupName")))}


def list_users(core: Core, body: dict) -> dict:
    pool = core.pool(body.get("UserPoolId"))
    users = core.store.list_users(pool.id)
    flt = (body.get("Filter") or "").strip()
    if flt:
        import re

        match = re.fullmatch(r'([\w:]+)\s*(\^?=)\s*"(.*)"', flt)
        if not match:
            raise invalid_parameter("Error while parsing filter.")
        name, op, value = match.groups()

        def get(u: dict) -> str:
            if name == "username":
                return u["username"]
            if name in ("cognito:user_status", "status"):
                return u["status"] if name != "status" else ("Enabled" if u["enabled"] else "Disabled")
            return u["attributes"].get(name, "")

        users = [u for u in users if (get(u) == value if op == "=" else get(u).startswith(value))]
    token = body.get("PaginationToken")
    if token is not None and not (token.isdigit() and token.isascii()):  # ours are offsets into the listing
        raise invalid_parameter(f"Paging marker {token} is invalid for request.")
    start = int(token or 0)
    limit = body.get("Limit") or 60  # the shape check keeps it within 0..60; 0 means the default
    wanted = body.get("AttributesToGet")
    if wanted is not None:
        known = pool.schema()
        if any(name not in known or name == "sub" for name in wanted):  # sub is always returned, never requested
            raise invalid_parameter("One or more requested attributes do not exist.")
    page = users[start:start + limit]
    out: dict[str, Any] = {"Users": [_only(core.user_type(u), wanted) for u in page]}
    if start + limit < len(users):
        out["PaginationToken"] = str(start + limit)
    return out


def _only(user_type: dict, names: list[str] | None) -> dict:
    """A ListUsers entry with just the requested attributes (all when ``AttributesToGet`` is absent)."""
    if names is not None:
        keep = {*names, "sub"}
        user_type["Attributes"] = [a for a in user_type.get("Attributes", []) if a["Name"] in keep]
    return user_type


def list_users_in_group(core: Core, body: dict) -> dict:
    pool = core.pool(body.get("UserPoolId"))
    _group(core, pool, body.get("GroupName"))
    users = [core.store.get_user(pool.id, n) for n in core.store.members_of(pool.id, body["GroupName"])]
    return {"Users": [core.user_type(u) for u in users if u]}


def describe_user_pool(core: Core, body: dict) -> dict:
    pool = core.pool(body.get("UserPoolId"))
    out = pool.describe()
    out["EstimatedNumberOfUsers"] = len(core.store.list_users(pool.id))
    return {"UserPool": out}


def describe_user_pool_client(core: Core, body: dict) -> dict:
    pool, client = core.client(body.get("ClientId"))
    if body.get("UserPoolId") != pool.id:
        raise resource_not_found(f"User pool client {client.id} does not exist.")
    return {"UserPoolClient": client.describe()}


def list_user_pool_clients(core: Core, body: dict) -> dict:
    pool = core.pool(body.get("UserPoolId"))
    from amplify_py.local.pools import CLIENT

    clients = [
        {"ClientId": physical, "UserPoolId": pool.id, "ClientName": config["props"].get("ClientName") or lid}
        for _dep, lid, physical, config in core.store.resources_of_type(CLIENT)
        if config["props"].get("UserPoolId") == pool.id
    ]
    return {"UserPoolClients": clients}


OPERATIONS = {
    "SignUp": sign_up,
    "ConfirmSignUp": confirm_sign_up,
    "ResendConfirmationCode": resend_confirmation_code,
    "ForgotPassword": forgot_password,
    "ConfirmForgotPassword": confirm_forgot_password,
    "ChangePassword": change_password,
    "GetUser": get_user,
    "UpdateUserAttributes": update_user_attributes,
    "DeleteUserAttributes": delete_user_attributes,
    "GetUserAttributeVerificationCode": get_user_attribute_verification_code,
    "VerifyUserAttribute": verify_user_attribute,
    "DeleteUser": delete_user,
    "GlobalSignOut": global_sign_out,
    "RevokeToken": revoke_token,
    "AssociateSoftwareToken": associate_software_token,
    "VerifySoftwareToken": verify_software_token,
    "SetUserMFAPreference": set_user_mfa_preference,
    "AdminCreateUser": admin_create_user,
    "AdminGetUser": admin_get_user,
    "AdminDeleteUser": admin_delete_user,
    "AdminConfirmSignUp": admin_confirm_sign_up,
    "AdminSetUserPassword": admin_set_user_password,
    "AdminUpdateUserAttributes": admin_update_user_attributes,
    "AdminDeleteUserAttributes": admin_delete_user_attributes,
    "AdminEnableUser": admin_enable_user,
    "AdminDisableUser": admin_disable_user,
    "AdminUserGlobalSignOut": admin_user_global_sign_out,
    "AdminSetUserMFAPreference": admin_set_user_mfa_preference,
    "AdminAddUserToGroup": admin_add_user_to_group,
    "AdminRemoveUserFromGroup": admin_remove_user_from_group,
    "AdminListGroupsForUser": admin_list_groups_for_user,
    "ListGroups": list_groups,
    "GetGroup": get_group,
    "ListUsers": list_users,
    "ListUsersInGroup": list_users_in_group,
    "DescribeUserPool": describe_user_pool,
    "DescribeUserPoolClient": describe_user_pool_client,
    "ListUserPoolClients": list_user_pool_clients,
}
