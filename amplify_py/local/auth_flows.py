"""Sign-in: InitiateAuth, RespondToAuthChallenge and refresh, with Cognito's challenge sequence.

First factor (SRP, password, one-time code, custom challenge) → account state
(unconfirmed, disabled, temporary password) → MFA (choose, set up, answer) →
tokens. State between steps lives in a stored session with the client's
AuthSessionValidity (3 minutes by default).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from amplify_py.local import codes, srp, totp, triggers
from amplify_py.local.lambda_runtime import events
from amplify_py.local.users import migrate_user
from amplify_py.local.core import Core, mask_email, mask_phone
from amplify_py.local.errors import (
    INCORRECT_CREDENTIALS,
    CognitoError,
    invalid_parameter,
    not_authorized,
    user_not_found,
)
from amplify_py.local.pools import Client, Pool
from amplify_py.local.tokens import hash_refresh_token

__all__ = ["OPERATIONS"]

_FLOW_PERMISSION = {
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "USER_AUTH": "ALLOW_USER_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
}
_MFA_CODE_KEYS = {"SMS_MFA": "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
                  "EMAIL_OTP": "EMAIL_OTP_CODE", "SMS_OTP": "SMS_OTP_CODE"}
_MAX_CHALLENGE_ATTEMPTS = 3
_INVALID_MFA_CODE = "Invalid code received for user"
# Cognito words a wrong SMS MFA code differently from a wrong TOTP code (amplify-js issues #3066, #11069 quote it).
_INVALID_SMS_MFA_CODE = "Invalid code or auth state for the user."


def _unknown_user(client: Client) -> CognitoError:
    if client.prevent_user_existence_errors:
        return not_authorized(INCORRECT_CREDENTIALS)
    return user_not_found()


def _pool_and_client(core: Core, body: dict, admin: bool) -> tuple[Pool, Client]:
    pool, client = core.client(body.get("ClientId"))
    if admin and body.get("UserPoolId") != pool.id:
        raise CognitoError("ResourceNotFoundException", f"User pool client {client.id} does not exist.")
    return pool, client


# --- InitiateAuth ---------------------------------------------------------------
def initiate_auth(core: Core, body: dict, *, admin: bool = False) -> dict:
    pool, client = _pool_and_client(core, body, admin)
    flow = body.get("AuthFlow") or ""
    params = body.get("AuthParameters") or {}
    if flow not in _FLOW_PERMISSION or (flow.startswith("ADMIN_") and not admin):
        raise invalid_parameter(f"Initiate Auth method not supported.")
    if _FLOW_PERMISSION[flow] not in client.auth_flows:
        raise invalid_parameter(f"{flow.replace('ADMIN_NO_SRP_AUTH', 'ADMIN_USER_PASSWORD_AUTH')} flow not enabled for this client")
    ctx = {"client_metadata": body.get("ClientMetadata") or {},
           "validation_data": {p["Name"]: p.get("Value") for p in body.get("ValidationData") or []}}
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return {"AuthenticationResult": _refresh(core, pool, client, params.get("REFRESH_TOKEN")), "ChallengeParameters": {}}
    username = params.get("USERNAME")
    if not username:
        raise invalid_parameter("Missing required parameter USERNAME")
    core.check_secret_hash(client, username, body, params)
    user = core.find_user(pool, username)
    if flow == "USER_SRP_AUTH":
        if not params.get("SRP_A"):
            raise invalid_parameter("Missing required parameter SRP_A")
        return _srp_challenge(core, pool, client, user, params["SRP_A"], username, with_session=False)
    if flow in ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        user = user or _migrate(core, pool, client, username, params.get("PASSWORD"), ctx)
        if user is None:
            raise _unknown_user(client)
        _check_password(core, pool, client.id, user, params.get("PASSWORD"), ctx)
        return _after_first_factor(core, pool, client, user, ctx)
    if flow == "USER_AUTH":
        return _user_auth(core, pool, client, user, username, params, body.get("Session"), ctx)
    return _custom_auth_start(core, pool, client, user, params, ctx)


def _migrate(core: Core, pool: Pool, client: Client, username: str, password: str | None, ctx: dict) -> dict | None:
    """The UserMigration trigger: bring an unknown user in on a password sign-in (the old directory checks it)."""
    if password is None:
        return None
    return migrate_user(core, pool, client.id, username, "UserMigration_Authentication",
                        {"ClientMetadata": ctx["client_metadata"], "ValidationData": ctx.get("validation_data")},
                        password=password)


def _check_password(core: Core, pool: Pool, client_id: str, user: dict, password: str | None, ctx: dict) -> None:
    core.check_lockout(pool, user)
    _pre_authentication(core, pool, client_id, user, ctx)
    core.reload_user(pool, user)  # the trigger ran without the store lock; count failures on the fresh row
    if not core.password_matches(pool, user, password):
        core.record_failure(pool, user)
        raise not_authorized(INCORRECT_CREDENTIALS)


def _pre_authentication(core: Core, pool: Pool, client_id: str, user: dict, ctx: dict) -> None:
    if triggers.configured(core, pool, "PreAuthentication"):
        triggers.invoke(core, pool, "PreAuthentication", events.pre_authentication_event(
            **triggers.common(core, pool, user["username"], client_id), user_attributes=user["attributes"],
            validation_data=ctx.get("validation_data")))


def _srp_challenge(core: Core, pool: Pool, client: Client, user: dict | None, srp_a: str, given_username: str,
                   *, with_session: bool, custom_history: list[dict] | None = None) -> dict:
    if user is None and not client.prevent_user_existence_errors:
        raise user_not_found()
    if user is None or not user.get("srp_verifier"):
        # Unknown (existence errors prevented) or passwordless: a challenge like a real one that never succeeds.
        user_id = user["username"] if user else given_username
        verifier_salt, verifier = secrets.token_hex(16), secrets.token_hex(384)
    else:
        user_id, verifier_salt, verifier = user["username"], srp.canonical_salt(user["srp_salt"]), user["srp_verifier"]
    try:
        challenge = srp.start(srp_a, verifier)
    except ValueError as exc:
        raise not_authorized(INCORRECT_CREDENTIALS) from exc
    data = {"kind": "SRP", "username": user["username"] if user else None, "user_id": user_id,
            "b": format(challenge.b, "x"), "B": challenge.srp_b_hex, "A": srp_a, "secret_block": challenge.secret_block,
            "custom_history": custom_history}
    core.new_session(pool, client, data, session_id="srp:" + challenge.secret_block)
    out: dict[str, Any] = {
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": verifier_salt,
            "SECRET_BLOCK": challenge.secret_block,
            "SRP_B": challenge.srp_b_hex,
            "USERNAME": user_id,
            "USER_ID_FOR_SRP": user_id,
        },
    }
    if with_session:
        out["Session"] = core.new_session(pool, client, data)
    return out


def _password_verifier(core: Core, pool: Pool, client: Client, responses: dict, ctx: dict) -> dict:
    block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
    data = core.load_session("srp:" + block, client)
    core.store.delete_session("srp:" + block)
    if data.get("username") is None:
        raise not_authorized(INCORRECT_CREDENTIALS)
    user = core.store.get_user(pool.id, data["username"])
    if user is None:
        raise _unknown_user(client)
    core.check_lockout(pool, user)
    _pre_authentication(core, pool, client.id, user, ctx)
    core.reload_user(pool, user)  # the trigger ran without the store lock; count failures on the fresh row
    challenge = srp.ServerChallenge(b=int(data["b"], 16), big_b=int(data["B"], 16), a=int(data["A"], 16),
                                    secret_block=data["secret_block"])
    ok = bool(user.get("srp_verifier")) and srp.verify_proof(challenge, user["srp_verifier"], pool.id, data["user_id"], block,
                          responses.get("TIMESTAMP") or "", responses.get("PASSWORD_CLAIM_SIGNATURE") or "")
    if not ok:
        core.record_failure(pool, user)
        raise not_authorized(INCORRECT_CREDENTIALS)
    if data.get("custom_history") is not None:  # CUSTOM_WITH_SRP: DefineAuthChallenge decides what comes next
        history = data["custom_history"] + [{"challengeName": "PASSWORD_VERIFIER", "challengeResult": True,
                                             "challengeMetadata": None}]
        return _custom_next(core, pool, client, user, history, ctx)
    return _after_first_factor(core, pool, client, user, ctx)


# --- after the first factor -------------------------------------------------------
def _after_first_factor(core: Core, pool: Pool, client: Client, user: dict, ctx: dict, *, mfa: bool = True) -> dict:
    if not user["enabled"]:
        raise not_authorized("User is disabled.")
    if user["status"] == "UNCONFIRMED":
        raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
    if user["status"] == "RESET_REQUIRED":
        raise CognitoError("PasswordResetRequiredException", "Password reset required for the user")
    if user["status"] == "FORCE_CHANGE_PASSWORD":
        attrs = {k: v for k, v in user["attributes"].items() if k != "sub"}
        session = core.new_session(pool, client, {"kind": "NEW_PASSWORD", "username": user["username"]})
        return {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session, "ChallengeParameters": {
            "USER_ID_FOR_SRP": user["username"], "requiredAttributes": "[]", "userAttributes": json.dumps(attrs)}}
    if mfa:
        step = _mfa_step(core, pool, client, user)
        if step is not None:
            return step
    return _complete(core, pool, client, user, ctx)


def _user_mfas(pool: Pool, user: dict) -> list[str]:
    enabled = []
    if user["mfa"].get("sms") and user["attributes"].get("phone_number"):
        enabled.append("SMS_MFA")
    if user["mfa"].get("totp") and user.get("totp_secret"):
        enabled.append("SOFTWARE_TOKEN_MFA")
    if user["mfa"].get("email") and user["attributes"].get("email"):
        enabled.append("EMAIL_OTP")
    return [m for m in enabled if m in pool.enabled_mfas]


def _mfa_step(core: Core, pool: Pool, client: Client, user: dict) -> dict | None:
    if pool.mfa_configuration == "OFF":
        return None
    enabled = _user_mfas(pool, user)
    if not enabled and pool.mfa_configuration == "ON":
        if "SMS_MFA" in pool.enabled_mfas and user["attributes"].get("phone_number"):
            enabled = ["SMS_MFA"]
        elif user.get("totp_secret") and "SOFTWARE_TOKEN_MFA" in pool.enabled_mfas:
            enabled = ["SOFTWARE_TOKEN_MFA"]
        else:
            can_setup = [m for m in pool.enabled_mfas if m in ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")]
            session = core.new_session(pool, client, {"kind": "MFA_SETUP", "username": user["username"]})
            return {"ChallengeName": "MFA_SETUP", "Session": session,
                    "ChallengeParameters": {"MFAS_CAN_SETUP": json.dumps(can_setup)}}
    if not enabled:
        return None
    preferred = user["mfa"].get("preferred")
    if preferred in enabled:
        return _mfa_challenge(core, pool, client, user, preferred)
    if len(enabled) == 1:
        return _mfa_challenge(core, pool, client, user, enabled[0])
    session = core.new_session(pool, client, {"kind": "SELECT_MFA", "username": user["username"], "choices": enabled})
    return {"ChallengeName": "SELECT_MFA_TYPE", "Session": session,
            "ChallengeParameters": {"MFAS_CAN_CHOOSE": json.dumps(enabled)}}


def _send_otp(core: Core, pool: Pool, user: dict, attribute: str, kind: str) -> tuple[str, dict]:
    code = codes.new_code()
    delivery = core.deliver_code(pool, user, attribute, code, kind)
    return code, {"CODE_DELIVERY_DELIVERY_MEDIUM": delivery["DeliveryMedium"],
                  "CODE_DELIVERY_DESTINATION": delivery["Destination"]}


def _mfa_challenge(core: Core, pool: Pool, client: Client, user: dict, name: str, *, first_factor: bool = False) -> dict:
    data: dict[str, Any] = {"kind": "OTP" if first_factor else "MFA", "username": user["username"], "challenge": name,
                            "attempts": 0}
    params: dict[str, str] = {}
    if name in ("SMS_MFA", "SMS_OTP"):
        data["code"], params = _send_otp(core, pool, user, "phone_number", "SMS_OTP" if first_factor else "MFA")
    elif name == "EMAIL_OTP":
        data["code"], params = _send_otp(core, pool, user, "email", "EMAIL_OTP" if first_factor else "MFA")
    data["code_expires"] = core.now() + codes.OTP_TTL
    session = core.new_session(pool, client, data)
    return {"ChallengeName": name, "Session": session, "ChallengeParameters": params}


def _email_mfa_setup(core: Core, pool: Pool, client: Client, user: dict, email: str) -> dict:
    if "EMAIL_OTP" not in pool.enabled_mfas:
        raise invalid_parameter("Email MFA is not enabled for the user pool.")
    values = core.validate_attributes(pool, [{"Name": "email", "Value": email}], creating=False)
    other = core.find_user(pool, values["email"]) if "email" in pool.username_attributes + pool.alias_attributes else None
    if other and other["username"] != user["username"]:
        raise CognitoError("AliasExistsException", "An account with the given email already exists.")
    code = codes.new_code()
    delivery = core.deliver_code(pool, user, "email", code, "MFA", destination=values["email"])
    session = core.new_session(pool, client, {
        "kind": "MFA", "username": user["username"], "challenge": "EMAIL_OTP", "attempts": 0, "code": code,
        "code_expires": core.now() + codes.OTP_TTL, "setup_email": values["email"]})
    return {"ChallengeName": "EMAIL_OTP", "Session": session, "ChallengeParameters": {
        "CODE_DELIVERY_DELIVERY_MEDIUM": delivery["DeliveryMedium"],
        "CODE_DELIVERY_DESTINATION": delivery["Destination"]}}


def _complete(core: Core, pool: Pool, client: Client, user: dict, ctx: dict) -> dict:
    core.record_success(pool, user)  # only a whole sign-in resets the lockout count (MFA failures count too)
    if triggers.configured(core, pool, "PostAuthentication"):
        triggers.invoke(core, pool, "PostAuthentication", events.post_authentication_event(
            **triggers.common(core, pool, user["username"], client.id), user_attributes=user["attributes"],
            client_metadata=ctx.get("client_metadata")))
        core.reload_user(pool, user)  # the tokens carry what the handler may have changed
    result = core.issue_tokens(pool, client, user, client_metadata=ctx.get("client_metadata"))
    return {"AuthenticationResult": result, "ChallengeParameters": {}}


# --- USER_AUTH (choice-based sign-in) ---------------------------------------------
def _available(pool: Pool, user: dict | None) -> list[str]:
    factors = pool.first_factors
    out = []
    if "PASSWORD" in factors and (user is None or user.get("srp_verifier")):  # passwordless users have none
        out += ["PASSWORD", "PASSWORD_SRP"]
    if "EMAIL_OTP" in factors and (user is None or user["attributes"].get("email")):
        out.append("EMAIL_OTP")
    if "SMS_OTP" in factors and (user is None or user["attributes"].get("phone_number")):
        out.append("SMS_OTP")
    return out


def _user_auth(core: Core, pool: Pool, client: Client, user: dict | None, username: str, params: dict,
               session_id: str | None, ctx: dict) -> dict:
    if session_id:  # auto sign-in with the session ConfirmSignUp returned
        data = core.load_session(session_id, client)
        if data.get("kind") != "CONFIRMED" or user is None or data.get("username") != user["username"]:
            raise not_authorized("Invalid session for the user.")
        core.store.delete_session(session_id)
        return _after_first_factor(core, pool, client, user, ctx, mfa=False)
    if user is None and not client.prevent_user_existence_errors:
        raise user_not_found()
    preferred = params.get("PREFERRED_CHALLENGE")
    available = _available(pool, user)
    if preferred and preferred in available:
        return _answer_first_factor(core, pool, client, user, username, preferred, params, ctx)
    session = core.new_session(pool, client, {"kind": "SELECT_CHALLENGE",
                                              "username": user["username"] if user else None,
                                              "given": username})
    return {"ChallengeName": "SELECT_CHALLENGE", "Session": session, "ChallengeParameters": {},
            "AvailableChallenges": available}


def _answer_first_factor(core: Core, pool: Pool, client: Client, user: dict | None, username: str, answer: str,
                         params: dict, ctx: dict) -> dict:
    if answer not in _available(pool, user):
        raise invalid_parameter(f"The challenge {answer} is not available for this user.")
    if answer == "PASSWORD":
        if user is None:
            raise not_authorized(INCORRECT_CREDENTIALS)
        _check_password(core, pool, client.id, user, params.get("PASSWORD"), ctx)
        return _after_first_factor(core, pool, client, user, ctx)
    if answer == "PASSWORD_SRP":
        if not params.get("SRP_A"):
            raise invalid_parameter("Missing required parameter SRP_A")
        return _srp_challenge(core, pool, client, user, params["SRP_A"], username, with_session=True)
    if user is None:  # a code is "sent" nowhere; any answer fails as a wrong code would
        data = {"kind": "OTP", "username": None, "challenge": answer, "attempts": 0,
                "code_expires": core.now() + codes.OTP_TTL, "code": None}
        dest = (mask_email(username) if answer == "EMAIL_OTP"
                else mask_phone(username if username.startswith("+") else "+10000000000"))
        return {"ChallengeName": answer, "Session": core.new_session(pool, client, data), "ChallengeParameters": {
            "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL" if answer == "EMAIL_OTP" else "SMS",
            "CODE_DELIVERY_DESTINATION": dest}}
    if user["status"] == "UNCONFIRMED":
        raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
    if not user["enabled"]:
        raise not_authorized("User is disabled.")
    return _mfa_challenge(core, pool, client, user, answer, first_factor=True)


# --- CUSTOM_AUTH -------------------------------------------------------------------
# Cognito asks DefineAuthChallenge after every step, with the session so far: [SRP_A, PASSWORD_VERIFIER,
# CUSTOM_CHALLENGE...]. Nothing is issued unless it says issueTokens.
_SRP_A = {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}


def _custom_auth_start(core: Core, pool: Pool, client: Client, user: dict | None, params: dict, ctx: dict) -> dict:
    if not all(triggers.configured(core, pool, k) for k in ("DefineAuthChallenge", "CreateAuthChallenge",
                                                            "VerifyAuthChallengeResponse")):
        raise invalid_parameter("Custom auth lambda trigger is not configured for the user pool.")
    if user is None:
        raise _unknown_user(client)
    if params.get("SRP_A"):  # CUSTOM_WITH_SRP: the password through SRP first, if DefineAuthChallenge asks for it
        return _custom_next(core, pool, client, user, [_SRP_A], ctx, srp_a=params["SRP_A"],
                            given_username=params["USERNAME"])
    return _custom_next(core, pool, client, user, [], ctx)


def _custom_next(core: Core, pool: Pool, client: Client, user: dict, history: list[dict], ctx: dict,
                 *, srp_a: str | None = None, given_username: str | None = None) -> dict:
    common = triggers.common(core, pool, user["username"], client.id)
    metadata = ctx.get("client_metadata")
    returned = triggers.invoke(core, pool, "DefineAuthChallenge", events.define_auth_challenge_event(
        **common, user_attributes=user["attributes"], session=history, client_metadata=metadata))
    outcome = triggers.read(events.read_define_auth_challenge_response, returned or {})
    if outcome.fail_authentication:
        raise not_authorized(INCORRECT_CREDENTIALS)
    if outcome.issue_tokens:
        return _after_first_factor(core, pool, client, user, ctx)
    name = outcome.challenge_name
    if name == "PASSWORD_VERIFIER":
        if srp_a is None or any(h["challengeName"] == "PASSWORD_VERIFIER" for h in history):
            raise not_authorized(INCORRECT_CREDENTIALS)
        return _srp_challenge(core, pool, client, user, srp_a, given_username or user["username"],
                              with_session=True, custom_history=history)
    if name != "CUSTOM_CHALLENGE":
        raise CognitoError("InvalidLambdaResponseException", f"Invalid lambda response: challengeName {name}")
    returned = triggers.invoke(core, pool, "CreateAuthChallenge", events.create_auth_challenge_event(
        **common, user_attributes=user["attributes"], challenge_name=name, session=history, client_metadata=metadata))
    created = triggers.read(events.read_create_auth_challenge_response, returned or {})
    session = core.new_session(pool, client, {"kind": "CUSTOM", "username": user["username"], "history": history,
                                              "challenge": name, "private": created.private_challenge_parameters,
                                              "metadata": created.challenge_metadata})
    public = {"USERNAME": user["username"], **created.public_challenge_parameters}
    return {"ChallengeName": name, "Session": session, "ChallengeParameters": public}


def _custom_answer(core: Core, pool: Pool, client: Client, data: dict, responses: dict, ctx: dict) -> dict:
    user = core.store.get_user(pool.id, data["username"])
    if user is None:
        raise _unknown_user(client)
    returned = triggers.invoke(core, pool, "VerifyAuthChallengeResponse", events.verify_auth_challenge_event(
        **triggers.common(core, pool, user["username"], client.id), user_attributes=user["attributes"],
        private_challenge_parameters=data["private"], challenge_answer=responses.get("ANSWER") or "",
        client_metadata=ctx.get("client_metadata")))
    correct = triggers.read(events.read_verify_auth_challenge_response, returned or {})
    history = data["history"] + [{"challengeName": data["challenge"], "challengeResult": correct,
                                  "challengeMetadata": data.get("metadata")}]
    return _custom_next(core, pool, client, user, history, ctx)


# --- RespondToAuthChallenge ---------------------------------------------------------
def respond_to_auth_challenge(core: Core, body: dict, *, admin: bool = False) -> dict:
    pool, client = _pool_and_client(core, body, admin)
    name = body.get("ChallengeName") or ""
    responses = body.get("ChallengeResponses") or {}
    ctx = {"client_metadata": body.get("ClientMetadata") or {}}
    if responses.get("USERNAME"):
        core.check_secret_hash(client, responses["USERNAME"], body, responses)
    if name == "PASSWORD_VERIFIER":
        return _password_verifier(core, pool, client, responses, ctx)
    session_id = body.get("Session")
    data = core.load_session(session_id, client)
    user = core.store.get_user(pool.id, data["username"]) if data.get("username") else None

    if name in ("SELECT_CHALLENGE", "PASSWORD", "PASSWORD_SRP") and data.get("kind") == "SELECT_CHALLENGE":
        answer = responses.get("ANSWER") if name == "SELECT_CHALLENGE" else name
        core.store.delete_session(session_id)
        return _answer_first_factor(core, pool, client, user, data.get("given") or "", answer or "", responses, ctx)
    if name == "NEW_PASSWORD_REQUIRED" and data.get("kind") == "NEW_PASSWORD" and user:
        core.check_password_policy(pool, responses.get("NEW_PASSWORD"))
        extra = [{"Name": k[len("userAttributes."):], "Value": v} for k, v in responses.items()
                 if k.startswith("userAttributes.")]
        user["attributes"].update(core.validate_attributes(pool, extra, creating=False))
        core.set_password(pool, user, responses["NEW_PASSWORD"])
        user["status"] = "CONFIRMED"
        core.save_user(pool, user)
        core.store.delete_session(session_id)
        return _after_first_factor(core, pool, client, user, ctx)
    if name == "SELECT_MFA_TYPE" and data.get("kind") == "SELECT_MFA" and user:
        answer = responses.get("ANSWER")
        if answer not in data["choices"]:
            raise invalid_parameter("Invalid MFA type selected.")
        core.store.delete_session(session_id)
        return _mfa_challenge(core, pool, client, user, answer)
    if name == "MFA_SETUP" and data.get("kind") == "MFA_SETUP" and user:
        if responses.get("EMAIL") is not None:  # email MFA setup: a code to this address, then EMAIL_OTP
            core.store.delete_session(session_id)
            return _email_mfa_setup(core, pool, client, user, responses["EMAIL"])
        if not (user["mfa"].get("totp") and user.get("totp_secret")):
            raise invalid_parameter("Software token MFA is not set up for the user.")
        core.store.delete_session(session_id)
        return _complete(core, pool, client, user, ctx)
    if name in _MFA_CODE_KEYS and data.get("kind") in ("MFA", "OTP") and data.get("challenge") == name:
        _check_challenge_code(core, pool, session_id, data, user, name, responses.get(_MFA_CODE_KEYS[name]))
        core.store.delete_session(session_id)
        if data.get("setup_email") and user:  # the address proved itself: it becomes the user's verified email MFA
            user["attributes"]["email"] = data["setup_email"]
            user["attributes"]["email_verified"] = "true"
            user.get("pending", {}).pop("email", None)
            user["mfa"]["email"] = True
            core.save_user(pool, user)
        return _complete(core, pool, client, user, ctx)
    if name == "CUSTOM_CHALLENGE" and data.get("kind") == "CUSTOM":
        core.store.delete_session(session_id)
        return _custom_answer(core, pool, client, data, responses, ctx)
    raise invalid_parameter(f"Invalid challenge name {name} for the current session.")


def _check_challenge_code(core: Core, pool: Pool, session_id: str, data: dict, user: dict | None, name: str,
                          code: str | None) -> None:
    """An MFA or OTP code; a wrong MFA code counts toward the user's lockout, as a wrong password does."""
    now = core.now()
    if data["attempts"] >= _MAX_CHALLENGE_ATTEMPTS:
        core.store.delete_session(session_id)
        raise not_authorized("Invalid session for the user.")
    mfa = data.get("kind") == "MFA" and user is not None
    if mfa:
        core.check_lockout(pool, user)
    if name == "SOFTWARE_TOKEN_MFA":
        step = totp.matching_step(user["totp_secret"], code or "", now) if user else None
        if step is not None and step <= user.get("totp_last_step", -1):
            raise CognitoError("ExpiredCodeException", totp.ALREADY_USED)
        ok = step is not None
        if ok:
            user["totp_last_step"] = step
            user.pop("last_totp", None)
            core.save_user(pool, user)
    else:
        if data.get("code_expires", 0) <= now:
            raise CognitoError("ExpiredCodeException", "Invalid code provided, please request a code again.")
        ok = user is not None and data.get("code") is not None and secrets.compare_digest(str(data["code"]), str(code or ""))
    if not ok:
        if mfa:
            core.record_failure(pool, user)
        data["attempts"] += 1
        found = core.store.get_session(session_id)
        if found:
            core.store.put_session(session_id, found[0], found[1], data)
        raise CognitoError("CodeMismatchException", _INVALID_SMS_MFA_CODE if name == "SMS_MFA" else _INVALID_MFA_CODE)


# --- refresh -------------------------------------------------------------------------
def _refresh(core: Core, pool: Pool, client: Client, token: str | None) -> dict:
    row = core.store.get_refresh(hash_refresh_token(token or ""))
    if row is None or row["client_id"] != client.id:
        raise not_authorized("Invalid Refresh Token")
    if row["revoked"]:
        raise not_authorized("Refresh Token has been revoked")
    if row["expires"] <= core.now():
        raise not_authorized("Refresh Token has expired")
    user = core.store.get_user(pool.id, row["username"])
    if user is None:
        raise not_authorized("User does not exist.")
    if not user["enabled"]:
        raise not_authorized("User is disabled.")
    return core.issue_tokens(pool, client, user, auth_time=row["data"]["auth_time"], origin_jti=row["origin_jti"],
                             event_id=row["data"]["event_id"], refresh=False, source="TokenGeneration_RefreshTokens")


def get_tokens_from_refresh_token(core: Core, body: dict) -> dict:
    pool, client = core.client(body.get("ClientId"))
    if "ALLOW_REFRESH_TOKEN_AUTH" not in client.auth_flows:
        raise invalid_parameter("REFRESH_TOKEN_AUTH flow not enabled for this client")
    core.check_client_secret(client, body.get("ClientSecret"))
    return {"AuthenticationResult": _refresh(core, pool, client, body.get("RefreshToken"))}


OPERATIONS = {
    "InitiateAuth": initiate_auth,
    "AdminInitiateAuth": lambda core, body: initiate_auth(core, body, admin=True),
    "RespondToAuthChallenge": respond_to_auth_challenge,
    "AdminRespondToAuthChallenge": lambda core, body: respond_to_auth_challenge(core, body, admin=True),
    "GetTokensFromRefreshToken": get_tokens_from_refresh_token,
}
