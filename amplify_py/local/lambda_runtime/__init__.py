"""The local Lambda runtime: runs Python trigger handlers for the local engine.

``TriggerInvoker`` is the engine's hook; ``function_specs_from_template``
builds its functions from a synthesized template; ``events`` builds the events
Cognito sends to each trigger and reads the responses as Cognito does.
"""

from __future__ import annotations

from amplify_py.local.lambda_runtime.runner import (
    ENDPOINT_VARIABLES,
    EndpointSource,
    InvocationResult,
    LambdaInvocationError,
    LambdaNotFoundError,
    LocalFunction,
    LogCallback,
    TriggerInvoker,
)
from amplify_py.local.lambda_runtime.spec import FunctionSpec, function_specs_from_template
from amplify_py.local.lambda_runtime.wiring import invoker_for_template

__all__ = [
    "ENDPOINT_VARIABLES",
    "EndpointSource",
    "FunctionSpec",
    "InvocationResult",
    "LambdaInvocationError",
    "LambdaNotFoundError",
    "LocalFunction",
    "LogCallback",
    "TriggerInvoker",
    "function_specs_from_template",
    "invoker_for_template",
]
