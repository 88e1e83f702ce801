"""Reading a trigger's response as Cognito reads it: each reader applies Cognito's rules and raises
``TriggerResponseError`` (Cognito's error name and message) for a response Cognito would reject."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from amplify_py.local.rules.trigger_events._events import TriggerResponseError

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
