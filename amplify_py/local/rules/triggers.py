"""When the engine runs a pool's Lambda triggers, and how it honours their answers.

Each trigger Cognito has is one typed call here: it checks the trigger is configured, builds the event
(``trigger_events``, Cognito's contract), invokes the deployment's invoker, and reads the answer as Cognito
does. Failures become Cognito's errors: a handler that raises or times out is
``UserLambdaValidationException`` "<Trigger> failed with error <message>.", a response Cognito would reject
is ``InvalidLambdaResponseException``. The handler's traceback goes to the console; the engine keeps serving.

A handler may call the engine back (boto3 ``AdminAddUserToGroup`` from a post confirmation trigger), so the
store lock is released while it runs: callers save what they changed before a trigger and re-read the user
(``directory.reload_user``) before saving it again.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping, Sequence
from typing import Any, Callable

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.lambda_runtime.runner import LambdaInvocationError, LambdaNotFoundError
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.user import User
from amplify_py.local.rules import trigger_events as events
from amplify_py.local.rules.trigger_events import TriggerResponseError

__all__ = ["configured", "custom_auth_configured", "pre_sign_up", "post_confirmation", "pre_authentication",
           "post_authentication", "custom_message", "pre_token_generation", "define_auth_challenge",
           "create_auth_challenge", "verify_auth_challenge", "user_migration", "token_generation_version",
           "custom_sender_configured", "custom_sender"]

_CUSTOM_AUTH = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
SENDERS = {"EMAIL": "CustomEmailSender", "SMS": "CustomSMSSender"}  # LambdaConfig key per delivery medium


def _lambda_ref(pool: Pool, name: str) -> Any:
    """The pool's unresolved ``LambdaConfig`` value for trigger ``name`` (None when not configured)."""
    config = pool.raw_lambda_config
    ref = config.get(name)
    if name == "PreTokenGeneration" and ref is None:
        ref = (config.get("PreTokenGenerationConfig") or {}).get("LambdaArn")
    return ref


def token_generation_version(pool: Pool) -> str:
    """The pre token generation event version: "1", or "2"/"3" from PreTokenGenerationConfig.LambdaVersion."""
    config = pool.raw_lambda_config.get("PreTokenGenerationConfig") or {}
    version = str(config.get("LambdaVersion") or "V1_0")
    return {"V2_0": "2", "V3_0": "3"}.get(version, "1")


def configured(ctx: EngineContext, pool: Pool, name: str) -> bool:
    return _lambda_ref(pool, name) is not None and ctx.invoker_for(pool.deployment) is not None


def custom_auth_configured(ctx: EngineContext, pool: Pool) -> bool:
    return all(configured(ctx, pool, name) for name in _CUSTOM_AUTH)


def _invoke(ctx: EngineContext, pool: Pool, name: str, event: dict[str, Any], *,
            answers: bool = True) -> dict[str, Any] | None:
    """Run trigger ``name`` with ``event``; the event the handler returned, or None when no trigger runs.
    ``answers=False``: Cognito reads nothing back (a sender), so whatever the handler returns is accepted."""
    ref = _lambda_ref(pool, name)
    invoker = ctx.invoker_for(pool.deployment)
    if ref is None or invoker is None:
        return None
    source = event["triggerSource"]
    try:
        returned = _timed_run(ctx, pool, name, source, lambda: invoker(pool.deployment, ref, event))
    except CognitoError:
        raise
    except LambdaInvocationError as exc:
        # The runner has already logged the handler's [ERROR] line and traceback through its on_log.
        raise CognitoError(*events.trigger_failure(source, exc.error_message)) from exc
    except LambdaNotFoundError as exc:
        ctx.log(name, f"[ERROR] {exc.message} {exc.resolution or ''}".rstrip())
        raise CognitoError("UnexpectedLambdaException",
                           f"{name} invocation failed due to error ResourceNotFoundException.") from exc
    except Exception as exc:  # noqa: BLE001 - an in-process invoker's handler failed: the user's error, as in Cognito
        for line in "".join(traceback.format_exception(exc)).rstrip().splitlines():
            ctx.log(name, line)
        raise CognitoError(*events.trigger_failure(source, str(exc))) from exc
    if not answers:
        return None
    if not isinstance(returned, Mapping):
        raise CognitoError("InvalidLambdaResponseException", "Unrecognizable lambda output")
    return dict(returned)


def _timed_run(ctx: EngineContext, pool: Pool, name: str, source: str, run: Callable[[], Any]) -> Any:
    """Run the handler without the store lock, and record the run for the console (``ctx.activity``)."""
    started = time.perf_counter()
    error: str | None = "Unrecognizable lambda output"
    try:
        with ctx.store.released():
            returned = run()
        if isinstance(returned, Mapping):
            error = None
        return returned
    except BaseException as exc:
        error = _failure(exc)
        raise
    finally:
        ctx.activity.record_trigger_run(ctx.now(), name, source, pool.id, error,
                                        (time.perf_counter() - started) * 1000)


def _failure(exc: BaseException) -> str:
    """What the console shows for a failed run: the handler's error type and message."""
    if isinstance(exc, LambdaInvocationError):
        return f"{exc.error_type}: {exc.error_message}" if exc.error_type else exc.error_message
    if isinstance(exc, LambdaNotFoundError):
        return f"ResourceNotFoundException: {exc.message}"
    if isinstance(exc, CognitoError):
        return f"{exc.name}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


def _read(reader: Callable[..., Any], returned: dict[str, Any], *args: Any) -> Any:
    """Apply a ``trigger_events.read_*`` reader; its rejection becomes Cognito's error."""
    try:
        return reader(returned, *args)
    except TriggerResponseError as exc:
        raise CognitoError(exc.name, exc.message) from exc


def _common(pool: Pool, user_name: str | None, client_id: str | None) -> dict[str, Any]:
    return {"region": pool.region, "user_pool_id": pool.id, "user_name": user_name, "client_id": client_id}


# --- one call per trigger -------------------------------------------------------------
def pre_sign_up(ctx: EngineContext, pool: Pool, user: User, client_id: str | None, source: str, *,
                validation_data: Mapping[str, Any] | None,
                client_metadata: Mapping[str, str] | None) -> events.PreSignUpOutcome | None:
    """PreSignUp; marks email/phone verified when the trigger says so (the caller confirms the user)."""
    if not configured(ctx, pool, "PreSignUp"):
        return None
    returned = _invoke(ctx, pool, "PreSignUp", events.pre_sign_up_event(
        source, **_common(pool, user.username, client_id), user_attributes=user.attributes,
        validation_data=validation_data, client_metadata=client_metadata))
    if returned is None:
        return None
    outcome = _read(events.read_pre_sign_up_response, returned, user.attributes)
    if outcome.auto_verify_email:
        user.attributes["email_verified"] = "true"
    if outcome.auto_verify_phone:
        user.attributes["phone_number_verified"] = "true"
    return outcome


def post_confirmation(ctx: EngineContext, pool: Pool, user: User, client_id: str | None, source: str,
                      client_metadata: Mapping[str, str] | None) -> None:
    if configured(ctx, pool, "PostConfirmation"):
        _invoke(ctx, pool, "PostConfirmation", events.post_confirmation_event(
            source, **_common(pool, user.username, client_id), user_attributes=user.attributes,
            client_metadata=client_metadata))


def pre_authentication(ctx: EngineContext, pool: Pool, user: User, client_id: str | None,
                       validation_data: Mapping[str, Any] | None, *, user_not_found: bool | None = None) -> bool:
    """PreAuthentication; True when it ran (the caller re-reads the user the handler may have changed).

    ``user_not_found``: where the client prevents user existence errors Cognito runs the trigger for unknown
    names too and says which it is (``userNotFound``); elsewhere None (left out) and only users reach it."""
    if not configured(ctx, pool, "PreAuthentication"):
        return False
    _invoke(ctx, pool, "PreAuthentication", events.pre_authentication_event(
        **_common(pool, user.username, client_id), user_attributes={} if user_not_found else user.attributes,
        validation_data=validation_data, user_not_found=user_not_found))
    return True


def post_authentication(ctx: EngineContext, pool: Pool, user: User, client_id: str | None,
                        client_metadata: Mapping[str, str] | None) -> bool:
    """PostAuthentication; True when it ran (the caller re-reads the user the handler may have changed)."""
    if not configured(ctx, pool, "PostAuthentication"):
        return False
    _invoke(ctx, pool, "PostAuthentication", events.post_authentication_event(
        **_common(pool, user.username, client_id), user_attributes=user.attributes, client_metadata=client_metadata))
    return True


def custom_message(ctx: EngineContext, pool: Pool, user: User, source: str, client_id: str | None,
                   client_metadata: Mapping[str, str] | None) -> events.CustomMessage | None:
    """The CustomMessage trigger's message (placeholders still in it), or None to keep the pool's."""
    if not configured(ctx, pool, "CustomMessage"):
        return None
    returned = _invoke(ctx, pool, "CustomMessage", events.custom_message_event(
        source, **_common(pool, user.username, client_id), user_attributes=user.attributes,
        client_metadata=client_metadata))
    return _read(events.read_custom_message_response, returned) if returned is not None else None


def pre_token_generation(ctx: EngineContext, pool: Pool, user: User, client_id: str, source: str, *,
                         groups: Sequence[str], iam_roles: Sequence[str], preferred_role: str | None,
                         scopes: Sequence[str], client_metadata: Mapping[str, str] | None,
                         ) -> events.TokenCustomisation | None:
    if not configured(ctx, pool, "PreTokenGeneration"):
        return None
    returned = _invoke(ctx, pool, "PreTokenGeneration", events.pre_token_generation_event(
        source, **_common(pool, user.username, client_id), user_attributes=user.attributes, groups=groups,
        iam_roles=iam_roles, preferred_role=preferred_role, scopes=scopes, version=token_generation_version(pool),
        client_metadata=client_metadata))
    return _read(events.read_pre_token_generation_response, returned) if returned is not None else None


def define_auth_challenge(ctx: EngineContext, pool: Pool, user: User, client_id: str, history: list[dict],
                          client_metadata: Mapping[str, str] | None) -> events.DefineAuthChallengeOutcome:
    returned = _invoke(ctx, pool, "DefineAuthChallenge", events.define_auth_challenge_event(
        **_common(pool, user.username, client_id), user_attributes=user.attributes, session=history,
        client_metadata=client_metadata))
    return _read(events.read_define_auth_challenge_response, returned or {})


def create_auth_challenge(ctx: EngineContext, pool: Pool, user: User, client_id: str, challenge_name: str,
                          history: list[dict], client_metadata: Mapping[str, str] | None,
                          ) -> events.CreateAuthChallengeOutcome:
    returned = _invoke(ctx, pool, "CreateAuthChallenge", events.create_auth_challenge_event(
        **_common(pool, user.username, client_id), user_attributes=user.attributes, challenge_name=challenge_name,
        session=history, client_metadata=client_metadata))
    return _read(events.read_create_auth_challenge_response, returned or {})


def verify_auth_challenge(ctx: EngineContext, pool: Pool, user: User, client_id: str, private: dict[str, str],
                          answer: str, client_metadata: Mapping[str, str] | None) -> bool:
    returned = _invoke(ctx, pool, "VerifyAuthChallengeResponse", events.verify_auth_challenge_event(
        **_common(pool, user.username, client_id), user_attributes=user.attributes,
        private_challenge_parameters=private, challenge_answer=answer, client_metadata=client_metadata))
    return _read(events.read_verify_auth_challenge_response, returned or {})


def user_migration(ctx: EngineContext, pool: Pool, username: str, client_id: str | None, source: str, *,
                   password: str | None, validation_data: Mapping[str, Any] | None,
                   client_metadata: Mapping[str, str] | None) -> events.UserMigrationOutcome | None:
    """UserMigration's answer; None when not configured or the old directory does not know the user."""
    if not configured(ctx, pool, "UserMigration"):
        return None
    returned = _invoke(ctx, pool, "UserMigration", events.user_migration_event(
        source, **_common(pool, username, client_id), password=password, validation_data=validation_data,
        client_metadata=client_metadata))
    if returned is None:
        return None
    try:
        return _read(events.read_user_migration_response, returned)
    except CognitoError as exc:
        if exc.name == "UserNotFoundException":
            return None
        raise


def custom_sender_configured(ctx: EngineContext, pool: Pool, medium: str) -> bool:
    """Does the pool send ``medium`` ("EMAIL" or "SMS") messages through a custom sender function?"""
    return configured(ctx, pool, SENDERS[medium])


def custom_sender(ctx: EngineContext, pool: Pool, user: User, medium: str, source: str, *, code: str,
                  user_attributes: Mapping[str, str], client_id: str | None,
                  client_metadata: Mapping[str, str] | None) -> None:
    """CustomEmailSender or CustomSMSSender with the already encrypted ``code``; Cognito reads no answer."""
    _invoke(ctx, pool, SENDERS[medium], events.custom_sender_event(
        source, **_common(pool, user.username, client_id), code=code, user_attributes=user_attributes,
        client_metadata=client_metadata), answers=False)
