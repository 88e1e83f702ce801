"""When the engine runs a pool's Lambda triggers, and how it honours their answers.

The events and the response rules are ``lambda_runtime.events`` (one
implementation); this module only invokes the deployment's trigger invoker and
turns failures into Cognito's errors: a handler that raises or times out is
``UserLambdaValidationException`` "<Trigger> failed with error <message>.", a
response Cognito would reject is ``InvalidLambdaResponseException``. The
handler's traceback goes to ``core.on_log``; the engine keeps serving.

A handler may call the engine back (boto3 ``AdminAddUserToGroup`` from a post
confirmation trigger), so the store lock is released while it runs: callers
must have saved what they changed before the trigger and re-read the user
(``Core.reload_user``) before saving it again.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any

from amplify_py.local.errors import CognitoError
from amplify_py.local.lambda_runtime import events
from amplify_py.local.lambda_runtime.events import TriggerResponseError
from amplify_py.local.lambda_runtime.runner import LambdaInvocationError, LambdaNotFoundError

__all__ = ["lambda_ref", "configured", "invoke", "read", "token_generation_version"]


def lambda_ref(pool: Any, name: str) -> Any:
    """The pool's unresolved ``LambdaConfig`` value for trigger ``name`` (None when not configured)."""
    config = pool.raw_lambda_config
    ref = config.get(name)
    if name == "PreTokenGeneration" and ref is None:
        ref = (config.get("PreTokenGenerationConfig") or {}).get("LambdaArn")
    return ref


def token_generation_version(pool: Any) -> str:
    """The pre token generation event version: "1", or "2"/"3" from PreTokenGenerationConfig.LambdaVersion."""
    config = pool.raw_lambda_config.get("PreTokenGenerationConfig") or {}
    version = str(config.get("LambdaVersion") or "V1_0")
    return {"V2_0": "2", "V3_0": "3"}.get(version, "1")


def configured(core: Any, pool: Any, name: str) -> bool:
    return lambda_ref(pool, name) is not None and core.invoker_for(pool.deployment) is not None


def invoke(core: Any, pool: Any, name: str, event: dict[str, Any]) -> dict[str, Any] | None:
    """Run trigger ``name`` with ``event``; the event the handler returned, or None when no trigger runs."""
    ref = lambda_ref(pool, name)
    invoker = core.invoker_for(pool.deployment)
    if ref is None or invoker is None:
        return None
    source = event["triggerSource"]
    try:
        with core.store.released():
            returned = invoker(pool.deployment, ref, event)
    except CognitoError:
        raise
    except LambdaInvocationError as exc:
        # The runner has already logged the handler's [ERROR] line and traceback through its on_log.
        raise CognitoError(*events.trigger_failure(source, exc.error_message)) from exc
    except LambdaNotFoundError as exc:
        core.log(name, f"[ERROR] {exc.message} {exc.resolution or ''}".rstrip())
        raise CognitoError("UnexpectedLambdaException",
                           f"{name} invocation failed due to error ResourceNotFoundException.") from exc
    except Exception as exc:  # noqa: BLE001 - an in-process invoker's handler failed: the user's error, as in Cognito
        for line in "".join(traceback.format_exception(exc)).rstrip().splitlines():
            core.log(name, line)
        raise CognitoError(*events.trigger_failure(source, str(exc))) from exc
    if not isinstance(returned, Mapping):
        raise CognitoError("InvalidLambdaResponseException", "Unrecognizable lambda output")
    return dict(returned)


def read(reader: Any, returned: dict[str, Any], *args: Any) -> Any:
    """Apply an ``events.read_*`` reader; its rejection becomes Cognito's error."""
    try:
        return reader(returned, *args)
    except TriggerResponseError as exc:
        raise CognitoError(exc.name, exc.message) from exc


def common(core: Any, pool: Any, user_name: str | None, client_id: str | None) -> dict[str, Any]:
    """The envelope arguments every events builder takes."""
    return {"region": pool.region, "user_pool_id": pool.id, "user_name": user_name, "client_id": client_id}
