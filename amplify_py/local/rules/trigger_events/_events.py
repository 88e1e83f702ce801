"""The events Cognito sends to each Lambda trigger, shaped exactly as Cognito shapes them (common fields, then
``request`` and ``response`` with Cognito's defaults per trigger source)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from amplify_py.errors import AmpyUserError


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
    # The custom senders' sources, as the developer guide's tables list them.
    "CustomEmailSender": tuple(f"CustomEmailSender_{s}" for s in (
        "SignUp", "ResendCode", "ForgotPassword", "UpdateUserAttribute", "VerifyUserAttribute", "AdminCreateUser",
        "AccountTakeOverNotification", "Authentication")),
    "CustomSMSSender": tuple(f"CustomSMSSender_{s}" for s in (
        "SignUp", "ResendCode", "ForgotPassword", "UpdateUserAttribute", "VerifyUserAttribute", "AdminCreateUser",
        "Authentication")),
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
