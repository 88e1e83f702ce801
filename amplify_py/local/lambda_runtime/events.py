"""The events Cognito sends to each Lambda trigger, and the responses read as Cognito reads them.

Builders return the event exactly as Cognito shapes it (common fields, then
``request`` and ``response`` with Cognito's defaults per trigger source).
Readers take the event the handler returned and apply Cognito's rules,
raising :class:`TriggerResponseError` (Cognito's error name and message) when
the response is invalid. The engine decides when each trigger runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from amplify_py.errors import AmpyUserError

__all__ = [
    "TRIGGER_SOURCES",
    "CODE_PARAMETER",
    "USERNAME_PARAMETER",
    "LINK_PARAMETER",
    "CLIENT_ID_NOT_APPLICABLE",
    "TriggerResponseError",
    "trigger_failure",
    "build_event",
    "pre_sign_up_event",
    "post_confirmation_event",
    "pre_authentication_event",
    "post_authentication_event",
    "custom_message_event",
    "pre_token_generation_event",
    "define_auth_challenge_event",
    "create_auth_challenge_event",
    "verify_auth_challenge_event",
    "user_migration_event",
    "PreSignUpOutcome",
    "CustomMessage",
    "TokenCustomisation",
    "DefineAuthChallengeOutcome",
    "CreateAuthChallengeOutcome",
    "UserMigrationOutcome",
    "read_pre_sign_up_response",
    "read_custom_message_response",
    "read_pre_token_generation_response",
    "read_define_auth_challenge_response",
    "read_create_auth_challenge_response",
    "read_verify_auth_challenge_response",
    "read_user_migration_response",
]

# LambdaConfig key → the trigger sources Cognito invokes it with.
TRIGGER_SOURCES: dict[str, tuple[str, ...]] = {
    "PreSignUp": ("PreSignUp_SignUp", "PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"),
    "PostConfirmation": ("PostConfirmation_ConfirmSignUp", "PostConfirmation_ConfirmForgotPassword"),
    "PreAuthentication": ("PreAuthentication_Authentication",),
    "PostAuthentication": ("PostAuthentication_Authentication",),
    "CustomMessage": (
        "CustomMessage_SignUp",
        "CustomMessage_AdminCreateUser",
        "CustomMessage_ResendCode",
        "CustomMessage_ForgotPassword",
        "CustomMessage_UpdateUserAttribute",
        "CustomMessage_VerifyUserAttribute",
        "CustomMessage_Authentication",
    ),
    "PreTokenGeneration": (
        "TokenGeneration_HostedAuth",
        "TokenGeneration_Authentication",
        "TokenGeneration_NewPasswordChallenge",
        "TokenGeneration_AuthenticateDevice",
        "TokenGeneration_RefreshTokens",
    ),
    "DefineAuthChallenge": ("DefineAuthChallenge_Authentication",),
    "CreateAuthChallenge": ("CreateAuthChallenge_Authentication",),
    "VerifyAuthChallengeResponse": ("VerifyAuthChallengeResponse_Authentication",),
    "UserMigration": ("UserMigration_Authentication", "UserMigration_ForgotPassword"),
}
_TRIGGER_OF_SOURCE = {source: trigger for trigger, sources in TRIGGER_SOURCES.items() for source in sources}

CODE_PARAMETER = "{####}"
USERNAME_PARAMETER = "{username}"
LINK_PARAMETER = "{##Click Here##}"
CLIENT_ID_NOT_APPLICABLE = "CLIENT_ID_NOT_APPLICABLE"  # admin operations carry no app client
_SDK_VERSION = "aws-sdk-unknown-unknown"


class TriggerResponseError(AmpyUserError):
    """A trigger's response Cognito would reject; ``name`` is Cognito's exception name."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(name, message, "Fix the trigger handler's response.")


def trigger_failure(trigger_source: str, error_message: str) -> tuple[str, str]:
    """Cognito's error for a handler that raised or timed out: ``UserLambdaValidationException``, "<Trigger> failed with error <message>."."""
    trigger = _TRIGGER_OF_SOURCE.get(trigger_source, trigger_source.split("_", 1)[0])
    return "UserLambdaValidationException", f"{trigger} failed with error {error_message}."


def build_event(
    trigger_source: str,
    *,
    region: str,
    user_pool_id: str,
    user_name: str | None,
    client_id: str | None,
    request: dict[str, Any],
    response: dict[str, Any],
    version: str = "1",
) -> dict[str, Any]:
    """The common envelope Cognito wraps around every trigger's request and response."""
    if trigger_source not in _TRIGGER_OF_SOURCE:
        raise ValueError(f"unknown Cognito trigger source {trigger_source!r}")
    event: dict[str, Any] = {
        "version": version,
        "triggerSource": trigger_source,
        "region": region,
        "userPoolId": user_pool_id,
        "userName": user_name,
        "callerContext": {"awsSdkVersion": _SDK_VERSION, "clientId": client_id or CLIENT_ID_NOT_APPLICABLE},
        "request": request,
        "response": response,
    }
    return event


def _request(
    request: dict[str, Any],
    *,
    user_not_found: bool | None = None,
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``request`` with ``userNotFound`` (sent only when the pool prevents user existence errors)
    and ``clientMetadata`` (sent only when the caller passed some)."""
    if user_not_found is not None:
        request["userNotFound"] = user_not_found
    if client_metadata:
        request["clientMetadata"] = dict(client_metadata)
    return request


def _check_source(trigger: str, trigger_source: str) -> None:
    if trigger_source not in TRIGGER_SOURCES[trigger]:
        raise ValueError(f"{trigger_source!r} is not a {trigger} trigger source; use one of {TRIGGER_SOURCES[trigger]}")


def pre_sign_up_event(
    trigger_source: str = "PreSignUp_SignUp",
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str | None,
    user_attributes: Mapping[str, str],
    validation_data: Mapping[str, str] | None = None,
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    _check_source("PreSignUp", trigger_source)
    request = {"userAttributes": dict(user_attributes), "validationData": dict(validation_data) if validation_data else None}
    return build_event(
        trigger_source, region=region, user_pool_id=user_pool_id, user_name=user_name, client_id=client_id,
        request=_request(request, client_metadata=client_metadata),
        response={"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    )  # fmt: skip


def post_confirmation_event(
    trigger_source: str = "PostConfirmation_ConfirmSignUp",
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str | None,
    user_attributes: Mapping[str, str],
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    _check_source("PostConfirmation", trigger_source)
    return build_event(
        trigger_source, region=region, user_pool_id=user_pool_id, user_name=user_name, client_id=client_id,
        request=_request({"userAttributes": dict(user_attributes)}, client_metadata=client_metadata), response={},
    )  # fmt: skip


def pre_authentication_event(
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str | None,
    user_attributes: Mapping[str, str],
    validation_data: Mapping[str, str] | None = None,
    user_not_found: bool | None = None,
) -> dict[str, Any]:
    """``user_not_found`` is sent only when the pool prevents user existence errors."""
    request = {"userAttributes": dict(user_attributes), "validationData": dict(validation_data or {})}
    return build_event(
        "PreAuthentication_Authentication", region=region, user_pool_id=user_pool_id, user_name=user_name,
        client_id=client_id, request=_request(request, user_not_found=user_not_found), response={},
    )  # fmt: skip


def post_authentication_event(
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str | None,
    user_attributes: Mapping[str, str],
    new_device_used: bool = False,
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    request = {"userAttributes": dict(user_attributes), "newDeviceUsed": new_device_used}
    return build_event(
        "PostAuthentication_Authentication", region=region, user_pool_id=user_pool_id, user_name=user_name,
        client_id=client_id, request=_request(request, client_metadata=client_metadata), response={},
    )  # fmt: skip


def custom_message_event(
    trigger_source: str,
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str | None,
    user_attributes: Mapping[str, str],
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Placeholders: ``{####}`` for the code, ``{username}`` for AdminCreateUser's user name."""
    _check_source("CustomMessage", trigger_source)
    request = {
        "userAttributes": dict(user_attributes),
        "codeParameter": CODE_PARAMETER,
        "linkParameter": LINK_PARAMETER,
        "usernameParameter": USERNAME_PARAMETER if trigger_source == "CustomMessage_AdminCreateUser" else None,
    }
    return build_event(
        trigger_source, region=region, user_pool_id=user_pool_id, user_name=user_name, client_id=client_id,
        request=_request(request, client_metadata=client_metadata),
        response={"smsMessage": None, "emailMessage": None, "emailSubject": None},
    )  # fmt: skip


def pre_token_generation_event(
    trigger_source: str = "TokenGeneration_Authentication",
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str | None,
    user_attributes: Mapping[str, str],
    groups: Sequence[str] = (),
    iam_roles: Sequence[str] = (),
    preferred_role: str | None = None,
    scopes: Sequence[str] = (),
    version: str = "1",
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Version "1" customises the ID token; "2" and "3" (the pool's PreTokenGenerationConfig) also the access token."""
    _check_source("PreTokenGeneration", trigger_source)
    request: dict[str, Any] = {
        "userAttributes": dict(user_attributes),
        "groupConfiguration": {
            "groupsToOverride": list(groups),
            "iamRolesToOverride": list(iam_roles),
            "preferredRole": preferred_role,
        },
    }
    if version == "1":
        response: dict[str, Any] = {"claimsOverrideDetails": None}
    else:
        request["scopes"] = list(scopes)
        response = {"claimsAndScopeOverrideDetails": None}
    return build_event(
        trigger_source, region=region, user_pool_id=user_pool_id, user_name=user_name, client_id=client_id,
        request=_request(request, client_metadata=client_metadata), response=response, version=version,
    )  # fmt: skip


def _challenge_session(session: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each element: challengeName, challengeResult, challengeMetadata (Cognito's ChallengeResult list)."""
    return [
        {
            "challengeName": item["challengeName"],
            "challengeResult": bool(item.get("challengeResult", False)),
            "challengeMetadata": item.get("challengeMetadata"),
        }
        for item in session
    ]


def define_auth_challenge_event(
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str | None,
    user_attributes: Mapping[str, str],
    session: Sequence[Mapping[str, Any]],
    user_not_found: bool | None = None,
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    request: dict[str, Any] = {"userAttributes": dict(user_attributes), "session": _challenge_session(session)}
    return build_event(
        "DefineAuthChallenge_Authentication", region=region, user_pool_id=user_pool_id, user_name=user_name,
        client_id=client_id, request=_request(request, user_not_found=user_not_found, client_metadata=client_metadata),
        response={"challengeName": None, "issueTokens": None, "failAuthentication": None},
    )  # fmt: skip


def create_auth_challenge_event(
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str | None,
    user_attributes: Mapping[str, str],
    challenge_name: str,
    session: Sequence[Mapping[str, Any]],
    user_not_found: bool | None = None,
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "userAttributes": dict(user_attributes),
        "challengeName": challenge_name,
        "session": _challenge_session(session),
    }
    return build_event(
        "CreateAuthChallenge_Authentication", region=region, user_pool_id=user_pool_id, user_name=user_name,
        client_id=client_id, request=_request(request, user_not_found=user_not_found, client_metadata=client_metadata),
        response={"publicChallengeParameters": None, "privateChallengeParameters": None, "challengeMetadata": None},
    )  # fmt: skip


def verify_auth_challenge_event(
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str | None,
    user_attributes: Mapping[str, str],
    private_challenge_parameters: Mapping[str, str],
    challenge_answer: str,
    user_not_found: bool | None = None,
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "userAttributes": dict(user_attributes),
        "privateChallengeParameters": dict(private_challenge_parameters),
        "challengeAnswer": challenge_answer,
    }
    return build_event(
        "VerifyAuthChallengeResponse_Authentication", region=region, user_pool_id=user_pool_id, user_name=user_name,
        client_id=client_id, response={"answerCorrect": None},
        request=_request(request, user_not_found=user_not_found, client_metadata=client_metadata),
    )  # fmt: skip


def user_migration_event(
    trigger_source: str,
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str | None,
    password: str | None = None,
    validation_data: Mapping[str, str] | None = None,
    client_metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The password is sent only on sign-in (UserMigration_Authentication)."""
    _check_source("UserMigration", trigger_source)
    request: dict[str, Any] = {"validationData": dict(validation_data) if validation_data else None}
    if trigger_source == "UserMigration_Authentication":
        request["password"] = password
    return build_event(
        trigger_source, region=region, user_pool_id=user_pool_id, user_name=user_name, client_id=client_id,
        request=_request(request, client_metadata=client_metadata),
        response={
            "userAttributes": None,
            "finalUserStatus": None,
            "messageAction": None,
            "desiredDeliveryMediums": None,
            "forceAliasCreation": None,
            "enableSMSMFA": None,
        },
    )  # fmt: skip


# ---------------------------------------------------------------- responses


def _response(event: Any) -> dict[str, Any]:
    if not isinstance(event, Mapping) or not isinstance(event.get("response", {}), Mapping | None):
        raise TriggerResponseError("InvalidLambdaResponseException", "Unrecognizable lambda output")
    return dict(event.get("response") or {})


def _flag(response: Mapping[str, Any], key: str) -> bool:
    value = response.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise TriggerResponseError("InvalidLambdaResponseException", "Unrecognizable lambda output")
    return value


@dataclass(frozen=True)
class PreSignUpOutcome:
    auto_confirm_user: bool
    auto_verify_email: bool
    auto_verify_phone: bool


def read_pre_sign_up_response(event: Any, user_attributes: Mapping[str, str]) -> PreSignUpOutcome:
    """autoVerifyEmail/autoVerifyPhone need a non-empty email/phone_number attribute."""
    response = _response(event)
    outcome = PreSignUpOutcome(
        auto_confirm_user=_flag(response, "autoConfirmUser"),
        auto_verify_email=_flag(response, "autoVerifyEmail"),
        auto_verify_phone=_flag(response, "autoVerifyPhone"),
    )
    if outcome.auto_verify_email and not user_attributes.get("email"):
        raise TriggerResponseError(
            "InvalidLambdaResponseException", "Invalid lambda response: autoVerifyEmail requires an email attribute"
        )
    if outcome.auto_verify_phone and not user_attributes.get("phone_number"):
        raise TriggerResponseError(
            "InvalidLambdaResponseException",
            "Invalid lambda response: autoVerifyPhone requires a phone_number attribute",
        )
    return outcome


@dataclass(frozen=True)
class CustomMessage:
    """The message to send; None fields keep the pool's own message."""

    email_subject: str | None
    email_message: str | None
    sms_message: str | None


def read_custom_message_response(event: Any) -> CustomMessage:
    """A custom message must keep the code placeholder (and ``{username}`` for AdminCreateUser)."""
    response = _response(event)
    request = event.get("request") or {}
    code = request.get("codeParameter") or CODE_PARAMETER
    required = [code]
    if event.get("triggerSource") == "CustomMessage_AdminCreateUser":
        required.append(request.get("usernameParameter") or USERNAME_PARAMETER)
    values: dict[str, str | None] = {}
    for key in ("emailSubject", "emailMessage", "smsMessage"):
        value = response.get(key)
        if value is not None and not isinstance(value, str):
            raise TriggerResponseError("InvalidLambdaResponseException", "Unrecognizable lambda output")
        values[key] = value or None
    for key in ("emailMessage", "smsMessage"):
        message = values[key]
        if message is not None:
            missing = [placeholder for placeholder in required if placeholder not in message]
            if missing:
                raise TriggerResponseError(
                    "InvalidLambdaResponseException",
                    f"Invalid lambda response: {key} must contain {' and '.join(missing)}",
                )
    return CustomMessage(values["emailSubject"], values["emailMessage"], values["smsMessage"])


@dataclass(frozen=True)
class TokenCustomisation:
    """What a pre token generation response changes (V1: ID token and groups; V2/V3: also the access token)."""

    id_token_claims_to_add_or_override: dict[str, Any] = field(default_factory=dict)
    id_token_claims_to_suppress: tuple[str, ...] = ()
    access_token_claims_to_add_or_override: dict[str, Any] = field(default_factory=dict)
    access_token_claims_to_suppress: tuple[str, ...] = ()
    access_token_scopes_to_add: tuple[str, ...] = ()
    access_token_scopes_to_suppress: tuple[str, ...] = ()
    groups_to_override: tuple[str, ...] | None = None
    iam_roles_to_override: tuple[str, ...] | None = None
    preferred_role: str | None = None


# Claims a trigger cannot add, override or suppress (Cognito ignores or rejects them).
_PROTECTED_CLAIMS = frozenset(
    {"acr", "amr", "at_hash", "auth_time", "azp", "exp", "iat", "iss", "jti", "nbf", "nonce", "origin_jti", "sub",
     "token_use", "aud", "client_id", "event_id", "username", "cognito:username", "scope"}
)  # fmt: skip


def _claims(details: Mapping[str, Any], key: str) -> dict[str, Any]:
    claims = details.get(key) or {}
    if not isinstance(claims, Mapping):
        raise TriggerResponseError("InvalidLambdaResponseException", "Unrecognizable lambda output")
    return {name: value for name, value in claims.items() if name not in _PROTECTED_CLAIMS}


def _names(details: Mapping[str, Any], key: str) -> tuple[str, ...]:
    names = details.get(key) or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise TriggerResponseError("InvalidLambdaResponseException", "Unrecognizable lambda output")
    return tuple(n for n in names if n not in _PROTECTED_CLAIMS)


def _group_override(details: Mapping[str, Any]) -> dict[str, Any]:
    config = details.get("groupOverrideDetails") or details.get("groupConfiguration")
    if not config:
        return {}
    groups = config.get("groupsToOverride")
    roles = config.get("iamRolesToOverride")
    return {
        "groups_to_override": tuple(groups) if groups is not None else None,
        "iam_roles_to_override": tuple(roles) if roles is not None else None,
        "preferred_role": config.get("preferredRole"),
    }


def read_pre_token_generation_response(event: Any) -> TokenCustomisation:
    """``claimsOverrideDetails`` (version 1) or ``claimsAndScopeOverrideDetails`` (versions 2 and 3)."""
    response = _response(event)
    if event.get("version", "1") == "1" or "claimsOverrideDetails" in response and "claimsAndScopeOverrideDetails" not in response:
        details = response.get("claimsOverrideDetails") or {}
        return TokenCustomisation(
            id_token_claims_to_add_or_override=_claims(details, "claimsToAddOrOverride"),
            id_token_claims_to_suppress=_names(details, "claimsToSuppress"),
            **_group_override(details),
        )
    details = response.get("claimsAndScopeOverrideDetails") or {}
    id_token = details.get("idTokenGeneration") or {}
    access_token = details.get("accessTokenGeneration") or {}
    return TokenCustomisation(
        id_token_claims_to_add_or_override=_claims(id_token, "claimsToAddOrOverride"),
        id_token_claims_to_suppress=_names(id_token, "claimsToSuppress"),
        access_token_claims_to_add_or_override=_claims(access_token, "claimsToAddOrOverride"),
        access_token_claims_to_suppress=_names(access_token, "claimsToSuppress"),
        access_token_scopes_to_add=tuple(access_token.get("scopesToAdd") or ()),
        access_token_scopes_to_suppress=tuple(access_token.get("scopesToSuppress") or ()),
        **_group_override(details),
    )


@dataclass(frozen=True)
class DefineAuthChallengeOutcome:
    """Exactly one happens: tokens are issued, authentication fails, or ``challenge_name`` is presented."""

    issue_tokens: bool
    fail_authentication: bool
    challenge_name: str | None


_CHALLENGE_NAMES = frozenset({"CUSTOM_CHALLENGE", "PASSWORD_VERIFIER", "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SRP_A"})


def read_define_auth_challenge_response(event: Any) -> DefineAuthChallengeOutcome:
    response = _response(event)
    issue = _flag(response, "issueTokens")
    fail = _flag(response, "failAuthentication")
    name = response.get("challengeName")
    if fail:
        return DefineAuthChallengeOutcome(issue_tokens=False, fail_authentication=True, challenge_name=None)
    if issue:
        return DefineAuthChallengeOutcome(issue_tokens=True, fail_authentication=False, challenge_name=None)
    if not isinstance(name, str) or name not in _CHALLENGE_NAMES:
        raise TriggerResponseError("InvalidLambdaResponseException", "Invalid lambda response: challengeName")
    return DefineAuthChallengeOutcome(issue_tokens=False, fail_authentication=False, challenge_name=name)


@dataclass(frozen=True)
class CreateAuthChallengeOutcome:
    public_challenge_parameters: dict[str, str]
    private_challenge_parameters: dict[str, str]
    challenge_metadata: str | None


def _string_map(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TriggerResponseError("InvalidLambdaResponseException", "Unrecognizable lambda output")
    return {str(k): v if isinstance(v, str) else str(v) for k, v in value.items()}


def read_create_auth_challenge_response(event: Any) -> CreateAuthChallengeOutcome:
    """Public parameters go to the client (``ChallengeParameters``); private ones to the verify trigger."""
    response = _response(event)
    metadata = response.get("challengeMetadata")
    return CreateAuthChallengeOutcome(
        public_challenge_parameters=_string_map(response.get("publicChallengeParameters")),
        private_challenge_parameters=_string_map(response.get("privateChallengeParameters")),
        challenge_metadata=metadata if isinstance(metadata, str) else None,
    )


def read_verify_auth_challenge_response(event: Any) -> bool:
    return _flag(_response(event), "answerCorrect")


@dataclass(frozen=True)
class UserMigrationOutcome:
    user_attributes: dict[str, str]
    final_user_status: str | None  # "CONFIRMED" or "RESET_REQUIRED"
    message_action: str | None  # "SUPPRESS" or None (send the welcome message)
    desired_delivery_mediums: tuple[str, ...]
    force_alias_creation: bool
    enable_sms_mfa: bool


def read_user_migration_response(event: Any) -> UserMigrationOutcome:
    """No ``userAttributes`` in the response means the user was not found in the old directory."""
    response = _response(event)
    attributes = response.get("userAttributes")
    if not attributes:
        raise TriggerResponseError("UserNotFoundException", "User does not exist.")
    status = response.get("finalUserStatus")
    if status not in (None, "CONFIRMED", "RESET_REQUIRED"):
        raise TriggerResponseError("InvalidLambdaResponseException", "Invalid lambda response: finalUserStatus")
    action = response.get("messageAction")
    if action not in (None, "SUPPRESS", "RESEND"):
        raise TriggerResponseError("InvalidLambdaResponseException", "Invalid lambda response: messageAction")
    mediums = response.get("desiredDeliveryMediums") or []
    if any(m not in ("EMAIL", "SMS") for m in mediums):
        raise TriggerResponseError("InvalidLambdaResponseException", "Invalid lambda response: desiredDeliveryMediums")
    return UserMigrationOutcome(
        user_attributes=_string_map(attributes),
        final_user_status=status,
        message_action=action,
        desired_delivery_mediums=tuple(mediums),
        force_alias_creation=bool(response.get("forceAliasCreation")),
        enable_sms_mfa=bool(response.get("enableSMSMFA")),
    )
