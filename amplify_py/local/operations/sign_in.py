"""Sign-in: InitiateAuth, RespondToAuthChallenge and their Admin twins.

``initiate_auth`` picks the flow; ``respond_to_auth_challenge`` loads the typed session the client sends
back and hands the answer to the step that session belongs to (``_sign_in_steps``, ``_custom_auth``).
State between steps lives in a stored session with the client's AuthSessionValidity (3 minutes by default).
"""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, invalid_parameter, not_authorized, user_not_found
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.user import User
from amplify_py.local.model.session import (
    CodeChallengeSession,
    ConfirmedSession,
    CustomChallengeSession,
    MfaSetupSession,
    NewPasswordSession,
    SelectChallengeSession,
    SelectMfaSession,
    WebAuthnSession,
)
from amplify_py.local.operations import _custom_auth as custom_auth
from amplify_py.local.operations import _device_sign_in as device_sign_in
from amplify_py.local.operations import _sign_in_steps as steps
from amplify_py.local.operations._sign_in_steps import MFA_CODE_KEYS, SignIn
from amplify_py.local.rules import devices, directory, sessions, tokens
from amplify_py.local.rules.attributes import pairs
from amplify_py.local.rules.clients import check_secret_hash
from amplify_py.local.rules.migration import migrate_user

__all__ = ["OPERATIONS", "PASSWORD_FLOWS", "pool_and_client", "sign_in_with_password", "answer_challenge"]

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
PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")


def pool_and_client(ctx: EngineContext, body: dict, admin: bool) -> tuple[Pool, Client]:
    pool, client = ctx.client(body.get("ClientId"))
    if admin and body.get("UserPoolId") != pool.id:
        raise CognitoError("ResourceNotFoundException", f"User pool client {client.id} does not exist.")
    return pool, client


# --- InitiateAuth -------------------------------------------------------------------------
def initiate_auth(ctx: EngineContext, body: dict, *, admin: bool = False) -> dict:
    pool, client = pool_and_client(ctx, body, admin)
    flow = body.get("AuthFlow") or ""
    params = body.get("AuthParameters") or {}
    if flow not in _FLOW_PERMISSION or (flow.startswith("ADMIN_") and not admin):
        raise invalid_parameter("Initiate Auth method not supported.")
    if _FLOW_PERMISSION[flow] not in client.auth_flows:
        raise invalid_parameter(f"{flow.replace('ADMIN_NO_SRP_AUTH', 'ADMIN_USER_PASSWORD_AUTH')} flow not enabled for this client")
    s = SignIn(ctx, pool, client, client_metadata=body.get("ClientMetadata") or {},
               validation_data=pairs(body.get("ValidationData")), device_key=params.get("DEVICE_KEY"))
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return {"AuthenticationResult": tokens.refresh(ctx, pool, client, params.get("REFRESH_TOKEN"),
                                                       device_key=s.device_key), "ChallengeParameters": {}}
    username = params.get("USERNAME")
    if not username:
        raise invalid_parameter("Missing required parameter USERNAME")
    check_secret_hash(client, username, params.get("SECRET_HASH") or body.get("SecretHash"))
    user = directory.find_user(ctx, pool, username)
    if user is not None:
        devices.for_sign_in(ctx, pool, user, s.device_key)  # an unknown DEVICE_KEY fails before the password
    if flow == "USER_SRP_AUTH":
        if not params.get("SRP_A"):
            raise invalid_parameter("Missing required parameter SRP_A")
        return steps.srp_challenge(s, user, params["SRP_A"], username, with_session=False)
    if flow in PASSWORD_FLOWS:
        return sign_in_with_password(s, username, params.get("PASSWORD"), body.get("ValidationData"), user=user,
                                     looked_up=True)
    if flow == "USER_AUTH":
        return _user_auth(s, user, username, params, body.get("Session"))
    return custom_auth.start(s, user, params)


def sign_in_with_password(s: SignIn, username: str, password: str | None, validation_data: object = None, *,
                          user: User | None = None, looked_up: bool = False) -> dict:
    """A user name and password (USER_PASSWORD_AUTH, the admin password flows, managed login's sign-in form):
    UserMigration for an unknown user, then the password, then what comes after the first factor."""
    if user is None and not looked_up:  # looked_up: the caller's lookup found nobody (not looked up twice)
        user = directory.find_user(s.ctx, s.pool, username)
    if user is None and password is not None:
        user = migrate_user(s.ctx, s.pool, s.client.id, username, "UserMigration_Authentication",
                            {"ClientMetadata": s.client_metadata, "ValidationData": validation_data},
                            password=password)
    if user is None:
        raise steps.unknown_user_password(s, username, password)
    steps.check_password(s, user, password)
    return steps.after_first_factor(s, user)


def _user_auth(s: SignIn, user: User | None, username: str, params: dict, session_id: str | None) -> dict:
    if session_id:  # auto sign-in with the session ConfirmSignUp returned
        session = sessions.load(s.ctx, session_id, s.client)
        if not isinstance(session, ConfirmedSession) or user is None or session.username != user.username:
            raise not_authorized(sessions.INVALID)
        sessions.end(s.ctx, session_id)
        return steps.after_first_factor(s, user, mfa=False)
    if user is None and not s.client.prevent_user_existence_errors:
        raise user_not_found()
    preferred = params.get("PREFERRED_CHALLENGE")
    if preferred and preferred in steps.available_first_factors(s, user):
        return steps.answer_first_factor(s, user, username, preferred, params)
    return steps.select_challenge(s, user, username)


# --- RespondToAuthChallenge -----------------------------------------------------------------
def respond_to_auth_challenge(ctx: EngineContext, body: dict, *, admin: bool = False) -> dict:
    pool, client = pool_and_client(ctx, body, admin)
    responses = body.get("ChallengeResponses") or {}
    s = SignIn(ctx, pool, client, client_metadata=body.get("ClientMetadata") or {},
               device_key=responses.get("DEVICE_KEY"))
    if responses.get("USERNAME"):
        check_secret_hash(client, responses["USERNAME"], responses.get("SECRET_HASH") or body.get("SecretHash"))
    return answer_challenge(s, body.get("ChallengeName") or "", responses, body.get("Session") or "")


def answer_challenge(s: SignIn, name: str, responses: dict, session_id: str) -> dict:
    """Hand an answer to the step its session belongs to (RespondToAuthChallenge, and managed login's pages)."""
    ctx, pool, client = s.ctx, s.pool, s.client
    if name == "DEVICE_SRP_AUTH":
        return device_sign_in.answer_srp(ctx, pool, client, session_id, responses)
    if name == "DEVICE_PASSWORD_VERIFIER":
        user, device = device_sign_in.verify(ctx, pool, client, responses)
        s.device_key, s.device_verified = device.key, True
        return steps.complete(s, user)
    if name == "PASSWORD_VERIFIER":
        devices.check_exists(ctx, pool, s.device_key)  # before the proof is spent, so it can be sent again
        user, srp_session = steps.password_verifier(s, responses)
        if srp_session.custom_history is not None:  # CUSTOM_WITH_SRP: DefineAuthChallenge decides what comes next
            return custom_auth.next_step(s, user, srp_session.custom_history + [custom_auth.PASSWORD_VERIFIED])
        return steps.after_first_factor(s, user)
    session = sessions.load(ctx, session_id, client)
    user = directory.get_user(ctx, pool, session.username) if session.username else None

    if isinstance(session, SelectChallengeSession) and name in ("SELECT_CHALLENGE", "PASSWORD", "PASSWORD_SRP"):
        answer = responses.get("ANSWER") if name == "SELECT_CHALLENGE" else name
        sessions.end(ctx, session_id)
        return steps.answer_first_factor(s, user, session.given, answer or "", responses)
    if isinstance(session, WebAuthnSession) and name == "WEB_AUTHN":
        sessions.end(ctx, session_id)  # a challenge is answered once, right or wrong
        return steps.web_authn_answer(s, session, user, responses.get("CREDENTIAL"))
    if isinstance(session, WebAuthnSession) and name == "SELECT_CHALLENGE":  # another factor instead (amplify-js)
        sessions.end(ctx, session_id)
        return steps.answer_first_factor(s, user, responses.get("USERNAME") or session.username or "",
                                         responses.get("ANSWER") or "", responses)
    if isinstance(session, NewPasswordSession) and name == "NEW_PASSWORD_REQUIRED" and user:
        steps.new_password(s, user, responses)
        sessions.end(ctx, session_id)
        return steps.after_first_factor(s, user)
    if isinstance(session, SelectMfaSession) and name == "SELECT_MFA_TYPE" and user:
        answer = responses.get("ANSWER")
        if answer not in session.choices:
            raise invalid_parameter("Invalid MFA type selected.")
        sessions.end(ctx, session_id)
        return steps.code_challenge(s, user, answer)
    if isinstance(session, MfaSetupSession) and name == "MFA_SETUP" and user:
        if responses.get("EMAIL") is not None:  # email MFA setup: a code to this address, then EMAIL_OTP
            sessions.end(ctx, session_id)
            return steps.email_mfa_setup(s, user, responses["EMAIL"])
        if not (user.mfa.totp and user.totp_secret):
            raise invalid_parameter("Software token MFA is not set up for the user.")
        sessions.end(ctx, session_id)
        return steps.complete(s, user)
    if isinstance(session, CodeChallengeSession) and name in MFA_CODE_KEYS and session.challenge == name:
        steps.check_code_answer(s, session_id, session, user, responses.get(MFA_CODE_KEYS[name]))
        sessions.end(ctx, session_id)
        if session.setup_email and user:  # the address proved itself: it becomes the user's verified email MFA
            user.attributes["email"] = session.setup_email
            user.attributes["email_verified"] = "true"
            user.pending.pop("email", None)
            user.mfa.email = True
            directory.save_user(ctx, pool, user)
        if user is None:
            raise steps.unknown_user(client)
        return steps.complete(s, user)
    if isinstance(session, CustomChallengeSession) and name == "CUSTOM_CHALLENGE":
        sessions.end(ctx, session_id)
        return custom_auth.answer(s, session, responses)
    raise invalid_parameter(f"Invalid challenge name {name} for the current session.")


OPERATIONS = {
    "InitiateAuth": initiate_auth,
    "AdminInitiateAuth": lambda ctx, body: initiate_auth(ctx, body, admin=True),
    "RespondToAuthChallenge": respond_to_auth_challenge,
    "AdminRespondToAuthChallenge": lambda ctx, body: respond_to_auth_challenge(ctx, body, admin=True),
}
