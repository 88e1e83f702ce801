"""sign_in and confirm_sign_in: Cognito's auth flows and challenges as Amplify's next steps.

The flow is picked by ``options["auth_flow_type"]`` as in aws-amplify v6:
USER_SRP_AUTH (default), USER_PASSWORD_AUTH, USER_AUTH (with ``preferred_challenge`` or
first-factor selection), CUSTOM_WITH_SRP and CUSTOM_WITHOUT_SRP (InitiateAuth CUSTOM_AUTH).
Each challenge Cognito answers with becomes a ``SignInNextStep`` whose ``sign_in_step`` is
Amplify's string; the session between calls lives in the token storage (see ``_session``).
WEB_AUTHN (a passkey, preferred or chosen as the first factor) is answered with the passkey client
(``web_authn.set_passkey_client``), as aws-amplify answers it with the browser. A remembered device
(DEVICE_KEY, DEVICE_SRP_AUTH, ConfirmDevice) is handled in ``_devices``, in ``_initiate``, ``_respond`` and
``_signed_in``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from amplify_py.auth import _auto_sign_in, _devices, web_authn
from amplify_py.auth._common import check_options, user_pool
from amplify_py.auth._config import AuthConfig, get_auth_config
from amplify_py.auth._session import SignInState, cognito_user_pools_token_provider
from amplify_py.auth._srp import SrpClient
from amplify_py.auth.errors import (
    AuthError,
    PasskeyError,
    SignInException,
    UserAlreadyAuthenticatedException,
    assert_validation,
)
from amplify_py.auth.types import (
    CodeDeliveryDetails,
    ConfirmSignInOptions,
    SignInDetails,
    SignInNextStep,
    SignInOptions,
    SignInOutput,
    TOTPSetupDetails,
)

__all__ = ["sign_in", "confirm_sign_in", "sign_in_with_user_auth"]

_SIGN_IN_OPTIONS = ("auth_flow_type", "client_metadata", "preferred_challenge")
_USER_ATTRIBUTES = "userAttributes."
_MFA_TYPE_TO_COGNITO = {"TOTP": "SOFTWARE_TOKEN_MFA", "EMAIL": "EMAIL_OTP", "SMS": "SMS_MFA"}
_COGNITO_TO_MFA_TYPE = {"SMS_MFA": "SMS", "SOFTWARE_TOKEN_MFA": "TOTP", "EMAIL_OTP": "EMAIL"}


def sign_in(username: str, password: str | None = None, options: SignInOptions | None = None) -> SignInOutput:
    """Start signing in; returns DONE or the next step to pass to ``confirm_sign_in``."""
    opts = check_options(options, _SIGN_IN_OPTIONS, "sign_in")
    _auto_sign_in.reset(reset_callback=False)
    _assert_user_not_authenticated()
    flow = opts.get("auth_flow_type") or "USER_SRP_AUTH"
    if flow == "USER_AUTH":
        return sign_in_with_user_auth(username, password, opts)
    config = get_auth_config()
    metadata = opts.get("client_metadata")
    assert_validation(username, "EmptySignInUsername")
    if flow == "CUSTOM_WITHOUT_SRP":
        assert_validation(not password, "CustomAuthSignInPassword")
    else:
        assert_validation(password, "EmptySignInPassword")
    details = SignInDetails(login_id=username, auth_flow_type=flow)

    def run() -> tuple[dict[str, Any], str]:
        if flow == "USER_PASSWORD_AUTH":
            return _user_password_flow(config, username, password or "", metadata)
        if flow == "CUSTOM_WITHOUT_SRP":
            return _custom_without_srp_flow(config, username, metadata)
        if flow == "CUSTOM_WITH_SRP":
            return _custom_srp_flow(config, username, password or "", metadata)
        if flow == "USER_SRP_AUTH":
            return _password_srp_flow(config, username, password or "", metadata, "USER_SRP_AUTH")
        raise SignInException(
            f"Unknown auth_flow_type {flow!r}.",
            "Use USER_SRP_AUTH, USER_PASSWORD_AUTH, USER_AUTH, CUSTOM_WITH_SRP or CUSTOM_WITHOUT_SRP.",
        )

    return _start(run, details)


def sign_in_with_user_auth(
    username: str, password: str | None = None, options: SignInOptions | None = None
) -> SignInOutput:
    """The USER_AUTH flow (choice-based sign-in); ``sign_in`` calls it for auth_flow_type USER_AUTH."""
    opts = check_options(options, _SIGN_IN_OPTIONS, "sign_in")
    config = get_auth_config()
    assert_validation(username, "EmptySignInUsername")
    preferred = opts.get("preferred_challenge") or (config.passwordless.preferred_challenge if config.passwordless else None)
    metadata = opts.get("client_metadata")
    details = SignInDetails(login_id=username, auth_flow_type="USER_AUTH")
    auto = _auto_sign_in.state
    session = auto.session if auto.active and auto.username == username else None

    def run() -> tuple[dict[str, Any], str]:
        parameters: dict[str, str] = {"USERNAME": username}
        if preferred:
            pwl = config.passwordless
            if pwl is not None and (
                (preferred == "EMAIL_OTP" and not pwl.email_otp_enabled)
                or (preferred == "SMS_OTP" and not pwl.sms_otp_enabled)
                or (preferred == "WEB_AUTHN" and not pwl.web_authn)
            ):
                assert_validation(False, "InvalidPreferredChallenge")
            if preferred == "PASSWORD_SRP":
                assert_validation(password, "EmptySignInPassword")
                return _password_srp_flow(config, username, password or "", metadata, "USER_AUTH", preferred)
            if preferred == "PASSWORD":
                assert_validation(password, "EmptySignInPassword")
                parameters["PASSWORD"] = password or ""
            parameters["PREFERRED_CHALLENGE"] = preferred
        return _initiate(config, "USER_AUTH", parameters, metadata, session=session or None), username

    return _start(run, details, with_available_challenges=True)


def confirm_sign_in(challenge_response: str, options: ConfirmSignInOptions | None = None) -> SignInOutput:
    """Answer the current next step (a code, a password, an MFA choice, an email, ...)."""
    opts = check_options(options, ("user_attributes", "client_metadata", "friendly_device_name"), "confirm_sign_in")
    provider = cognito_user_pools_token_provider
    state = provider.get_sign_in_state()
    config = get_auth_config()
    assert_validation(challenge_response, "EmptyChallengeResponse")
    if not state.username or not state.challenge_name or not state.session:
        raise SignInException(
            "An error occurred during the sign in process. This most likely occurred due to: "
            "1. sign_in was not called before confirm_sign_in. 2. sign_in raised an exception. "
            "3. the sign-in state was lost (a new process with in-memory token storage) or the session has expired.",
            "Make sure a successful call to sign_in is made before calling confirm_sign_in, in the same process "
            "or with a FileStorage that keeps the sign-in state, and that the session has not expired.",
        )
    try:
        response = _handle_challenge(config, state, challenge_response, opts)
        provider.set_sign_in_state(
            SignInState(
                username=state.username,
                challenge_name=response.get("ChallengeName"),
                session=response.get("Session"),
                sign_in_details=state.sign_in_details,
            )
        )
        if response.get("AuthenticationResult"):
            return _signed_in(response["AuthenticationResult"], state.username, state.sign_in_details)
        return _sign_in_result(config, response.get("ChallengeName"), response.get("ChallengeParameters") or {})
    except AuthError as exc:
        result = _result_from_error(exc)
        if result is not None:
            return result
        raise


# -- flows ------------------------------------------------------------------------------------
def _start(run: Any, details: SignInDetails, *, with_available_challenges: bool = False) -> SignInOutput:
    provider = cognito_user_pools_token_provider
    config = get_auth_config()
    provider.reset_sign_in_state()
    try:
        response, active_username = run()
        provider.set_sign_in_state(
            SignInState(
                username=active_username,
                challenge_name=response.get("ChallengeName"),
                session=response.get("Session"),
                sign_in_details=details,
            )
        )
        if response.get("AuthenticationResult"):
            return _signed_in(response["AuthenticationResult"], active_username, details)
        return _sign_in_result(
            config,
            response.get("ChallengeName"),
            response.get("ChallengeParameters") or {},
            response.get("AvailableChallenges") if with_available_challenges else None,
        )
    except AuthError as exc:
        provider.reset_sign_in_state()
        _auto_sign_in.reset()
        result = _result_from_error(exc)
        if result is not None:
            return result
        raise


def _signed_in(result: dict[str, Any], username: str, details: SignInDetails | None) -> SignInOutput:
    provider = cognito_user_pools_token_provider
    device = _devices.confirm_new_device(get_auth_config(), result)
    provider.cache_authentication_result(result, username, details, device)
    provider.reset_sign_in_state()
    _auto_sign_in.reset()
    return SignInOutput(is_signed_in=True, next_step=SignInNextStep(sign_in_step="DONE"))


def _result_from_error(exc: AuthError) -> SignInOutput | None:
    if exc.name == "PasswordResetRequiredException":
        return SignInOutput(is_signed_in=False, next_step=SignInNextStep(sign_in_step="RESET_PASSWORD"))
    if exc.name == "UserNotConfirmedException":
        return SignInOutput(is_signed_in=False, next_step=SignInNextStep(sign_in_step="CONFIRM_SIGN_UP"))
    return None


def _assert_user_not_authenticated() -> None:
    try:
        tokens = cognito_user_pools_token_provider.get_tokens()
    except AuthError:
        return
    payload = tokens.id_token.payload if tokens and tokens.id_token else {}
    if payload.get("sub") and payload.get("cognito:username"):
        raise UserAlreadyAuthenticatedException()


def _initiate(
    config: AuthConfig, flow: str, parameters: dict[str, str], metadata: Any, *, session: str | None = None
) -> dict[str, Any]:
    """InitiateAuth; ``session`` is auto sign-in's (USER_AUTH after ConfirmSignUp)."""

    def call(auth_parameters: dict[str, str]) -> dict[str, Any]:
        return user_pool(
            "InitiateAuth",
            {
                "AuthFlow": flow,
                "AuthParameters": auth_parameters,
                "ClientMetadata": metadata,
                "ClientId": config.user_pool_client_id,
                "Session": session,
            },
        )

    if not _devices.sends_device_key(flow, parameters):
        return call(parameters)
    username = parameters["USERNAME"]
    response = _devices.with_device(config, username, flow, parameters, call)
    return _devices.after_response(config, username, response, lambda c, r, s: _respond(config, c, r, s, metadata))


def _respond(
    config: AuthConfig, challenge: str, responses: dict[str, str], session: str | None, metadata: Any
) -> dict[str, Any]:
    def call(answers: dict[str, str]) -> dict[str, Any]:
        return user_pool(
            "RespondToAuthChallenge",
            {
                "ChallengeName": challenge,
                "ChallengeResponses": answers,
                "Session": session,
                "ClientMetadata": metadata,
                "ClientId": config.user_pool_client_id,
            },
        )

    if challenge not in _devices.DEVICE_KEY_CHALLENGES:
        return call(responses)
    username = responses.get("USERNAME") or ""
    response = _devices.with_device(config, username, challenge, responses, call)
    return _devices.after_response(config, username, response, lambda c, r, s: _respond(config, c, r, s, metadata))


def _user_password_flow(config: AuthConfig, username: str, password: str, metadata: Any) -> tuple[dict[str, Any], str]:
    response = _initiate(config, "USER_PASSWORD_AUTH", {"USERNAME": username, "PASSWORD": password}, metadata)
    params = response.get("ChallengeParameters") or {}
    return response, params.get("USERNAME") or params.get("USER_ID_FOR_SRP") or username


def _custom_without_srp_flow(config: AuthConfig, username: str, metadata: Any) -> tuple[dict[str, Any], str]:
    response = _initiate(config, "CUSTOM_AUTH", {"USERNAME": username}, metadata)
    return response, (response.get("ChallengeParameters") or {}).get("USERNAME") or username


def _password_srp_flow(
    config: AuthConfig,
    username: str,
    password: str,
    metadata: Any,
    flow: str,
    preferred_challenge: str | None = None,
) -> tuple[dict[str, Any], str]:
    srp = SrpClient.create(config.user_pool_name)
    parameters = {"USERNAME": username, "SRP_A": srp.srp_a}
    if flow == "USER_AUTH" and preferred_challenge:
        parameters["PREFERRED_CHALLENGE"] = preferred_challenge
    response = _initiate(config, flow, parameters, metadata)
    params = response.get("ChallengeParameters") or {}
    active = params.get("USERNAME") or username
    if response.get("ChallengeName") == "PASSWORD_VERIFIER":
        return _password_verifier(config, srp, password, params, response.get("Session"), metadata), active
    return response, active


def _custom_srp_flow(config: AuthConfig, username: str, password: str, metadata: Any) -> tuple[dict[str, Any], str]:
    srp = SrpClient.create(config.user_pool_name)
    response = _initiate(
        config, "CUSTOM_AUTH", {"USERNAME": username, "SRP_A": srp.srp_a, "CHALLENGE_NAME": "SRP_A"}, metadata
    )
    params = response.get("ChallengeParameters") or {}
    active = params.get("USERNAME") or username
    return _password_verifier(config, srp, password, params, response.get("Session"), metadata), active


def _password_verifier(
    config: AuthConfig, srp: SrpClient, password: str, params: dict[str, str], session: str | None, metadata: Any
) -> dict[str, Any]:
    if not params.get("USER_ID_FOR_SRP"):
        raise AuthError("EmptyUserIdForSRPException", "USER_ID_FOR_SRP was not found in challengeParameters")
    responses = srp.password_verifier_responses(params, password)
    return _respond(config, "PASSWORD_VERIFIER", responses, session, metadata)


# -- challenges -> next steps ------------------------------------------------------------------
def _mfa_types(raw: str | None) -> list[str]:
    names = json.loads(raw) if raw else []
    return [_COGNITO_TO_MFA_TYPE[n] for n in names if n in _COGNITO_TO_MFA_TYPE]


def _step(step: str, **fields: Any) -> SignInOutput:
    return SignInOutput(is_signed_in=False, next_step=SignInNextStep(sign_in_step=step, **fields))  # type: ignore[arg-type]


def _sign_in_result(
    config: AuthConfig,
    challenge: str | None,
    params: dict[str, str],
    available_challenges: list[str] | None = None,
) -> SignInOutput:
    """Amplify's getSignInResult: one Cognito challenge, one next step."""
    if challenge == "CUSTOM_CHALLENGE":
        return _step("CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", additional_info=dict(params))
    if challenge == "MFA_SETUP":
        can_setup = [t for t in _mfa_types(params.get("MFAS_CAN_SETUP")) if t in ("EMAIL", "TOTP")]
        if "TOTP" in can_setup and "EMAIL" in can_setup:
            return _step("CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION", allowed_mfa_types=can_setup)
        if "EMAIL" in can_setup:
            return _step("CONTINUE_SIGN_IN_WITH_EMAIL_SETUP")
        if "TOTP" in can_setup:
            provider = cognito_user_pools_token_provider
            state = provider.get_sign_in_state()
            response = user_pool("AssociateSoftwareToken", {"Session": state.session})
            provider.update_sign_in_state(session=response.get("Session"))
            return _step(
                "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
                totp_setup_details=TOTPSetupDetails(shared_secret=response["SecretCode"], username=state.username),
            )
        raise SignInException(f"Cannot initiate MFA setup from available types: {','.join(can_setup)}")
    if challenge == "NEW_PASSWORD_REQUIRED":
        required = json.loads(params["requiredAttributes"]) if params.get("requiredAttributes") else []
        return _step(
            "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED",
            missing_attributes=[a.replace(_USER_ATTRIBUTES, "") for a in required],
        )
    if challenge == "SELECT_MFA_TYPE":
        return _step("CONTINUE_SIGN_IN_WITH_MFA_SELECTION", allowed_mfa_types=_mfa_types(params.get("MFAS_CAN_CHOOSE")))
    if challenge in ("SMS_OTP", "SMS_MFA", "EMAIL_OTP"):
        step = "CONFIRM_SIGN_IN_WITH_EMAIL_CODE" if challenge == "EMAIL_OTP" else "CONFIRM_SIGN_IN_WITH_SMS_CODE"
        return _step(
            step,
            code_delivery_details=CodeDeliveryDetails(
                delivery_medium=params.get("CODE_DELIVERY_DELIVERY_MEDIUM"),
                destination=params.get("CODE_DELIVERY_DESTINATION"),
            ),
        )
    if challenge == "SOFTWARE_TOKEN_MFA":
        return _step("CONFIRM_SIGN_IN_WITH_TOTP_CODE")
    if challenge in ("PASSWORD", "PASSWORD_SRP"):
        return _step("CONFIRM_SIGN_IN_WITH_PASSWORD")
    if challenge == "SELECT_CHALLENGE":
        return _step("CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION", available_challenges=available_challenges)
    if challenge == "WEB_AUTHN":
        return _web_authn_sign_in(config, params)
    raise SignInException(
        "An error occurred during the sign in process. "
        f"{challenge} challengeName returned by the underlying service was not addressed."
    )


def _web_authn_sign_in(config: AuthConfig, params: dict[str, str]) -> SignInOutput:
    """Amplify's handleWebAuthnSignInResult: the passkey client answers CREDENTIAL_REQUEST_OPTIONS at once."""
    provider = cognito_user_pools_token_provider
    state = provider.get_sign_in_state()
    if state.challenge_name != "WEB_AUTHN" or not state.username:
        raise SignInException("Unable to proceed due to invalid sign in state.")
    raw = params.get("CREDENTIAL_REQUEST_OPTIONS")
    if not raw:
        raise PasskeyError("InvalidPasskeyAuthenticationOptions")
    credential = web_authn.get_passkey(json.loads(raw))
    response = _respond(config, "WEB_AUTHN", {"USERNAME": state.username, "CREDENTIAL": json.dumps(credential)},
                        state.session, None)
    provider.set_sign_in_state(SignInState(username=state.username, challenge_name=response.get("ChallengeName"),
                                           session=response.get("Session"), sign_in_details=state.sign_in_details))
    if response.get("AuthenticationResult"):
        return _signed_in(response["AuthenticationResult"], state.username, state.sign_in_details)
    if response.get("ChallengeName") == "WEB_AUTHN":
        raise SignInException("Sequential WEB_AUTHN challenges returned from underlying service cannot be handled.")
    return _sign_in_result(config, response.get("ChallengeName"), response.get("ChallengeParameters") or {})


def _handle_challenge(
    config: AuthConfig, state: SignInState, answer: str, opts: dict[str, Any]
) -> dict[str, Any]:
    """Amplify's handleChallengeName: the RespondToAuthChallenge (or local step) for the current challenge."""
    challenge, username, session = state.challenge_name, state.username or "", state.session
    metadata = opts.get("client_metadata")
    if challenge in ("SELECT_CHALLENGE", "WEB_AUTHN"):
        if answer in ("PASSWORD", "PASSWORD_SRP"):
            return {"ChallengeName": answer, "Session": session}
        return _respond(config, "SELECT_CHALLENGE", {"USERNAME": username, "ANSWER": answer}, session, metadata)
    if challenge == "SELECT_MFA_TYPE":
        assert_validation(answer in ("TOTP", "SMS", "EMAIL"), "IncorrectMFAMethod")
        return _respond(
            config, "SELECT_MFA_TYPE", {"USERNAME": username, "ANSWER": _MFA_TYPE_TO_COGNITO[answer]}, session, metadata
        )
    if challenge == "MFA_SETUP":
        return _mfa_setup(config, username, session, answer, metadata, opts.get("friendly_device_name"))
    if challenge == "NEW_PASSWORD_REQUIRED":
        responses = {f"{_USER_ATTRIBUTES}{k}": v for k, v in (opts.get("user_attributes") or {}).items() if v}
        responses.update({"NEW_PASSWORD": answer, "USERNAME": username})
        return _respond(config, "NEW_PASSWORD_REQUIRED", responses, session, metadata)
    if challenge == "CUSTOM_CHALLENGE":
        return _respond(config, "CUSTOM_CHALLENGE", {"USERNAME": username, "ANSWER": answer}, session, metadata)
    if challenge in ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "SMS_OTP", "EMAIL_OTP"):
        key = {
            "EMAIL_OTP": "EMAIL_OTP_CODE",
            "SMS_MFA": "SMS_MFA_CODE",
            "SMS_OTP": "SMS_OTP_CODE",
            "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
        }[challenge]
        return _respond(config, challenge, {"USERNAME": username, key: answer}, session, metadata)
    if challenge == "PASSWORD":
        return _respond(
            config, "SELECT_CHALLENGE", {"ANSWER": "PASSWORD", "USERNAME": username, "PASSWORD": answer}, session, metadata
        )
    if challenge == "PASSWORD_SRP":
        srp = SrpClient.create(config.user_pool_name)
        response = _respond(
            config,
            "SELECT_CHALLENGE",
            {"ANSWER": "PASSWORD_SRP", "USERNAME": username, "SRP_A": srp.srp_a},
            session,
            metadata,
        )
        if response.get("ChallengeName") == "PASSWORD_VERIFIER":
            return _password_verifier(
                config, srp, answer, response.get("ChallengeParameters") or {}, response.get("Session"), metadata
            )
        return response
    raise SignInException(
        "An error occurred during the sign in process. "
        f"{challenge} challengeName returned by the underlying service was not addressed."
    )


def _mfa_setup(
    config: AuthConfig, username: str, session: str | None, answer: str, metadata: Any, device_name: str | None
) -> dict[str, Any]:
    if answer == "EMAIL":
        return {"ChallengeName": "MFA_SETUP", "Session": session, "ChallengeParameters": {"MFAS_CAN_SETUP": '["EMAIL_OTP"]'}}
    if answer == "TOTP":
        return {
            "ChallengeName": "MFA_SETUP",
            "Session": session,
            "ChallengeParameters": {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'},
        }
    if re.fullmatch(r"\d+", answer):
        verified = user_pool(
            "VerifySoftwareToken", {"UserCode": answer, "Session": session, "FriendlyDeviceName": device_name}
        )
        cognito_user_pools_token_provider.update_sign_in_state(session=verified.get("Session"))
        return _respond(config, "MFA_SETUP", {"USERNAME": username}, verified.get("Session"), metadata)
    if "@" in answer:
        return _respond(config, "MFA_SETUP", {"USERNAME": username, "EMAIL": answer}, session, metadata)
    raise SignInException(
        f"Cannot proceed with MFA setup using challengeResponse: {answer}",
        'Try passing "EMAIL", "TOTP", a valid email, or OTP code as the challengeResponse.',
    )
