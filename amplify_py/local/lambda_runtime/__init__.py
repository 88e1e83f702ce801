"""The local Lambda runtime: runs Python handlers in warm processes, as Lambda would.

It knows nothing of Cognito (the engine's ``rules.trigger_events`` is Cognito's trigger contract) and
imports nothing else of the engine. ``TriggerInvoker`` is the engine's hook; ``function_specs_from_template``
builds its functions from a synthesized template.
"""

from __future__ import annotations

from amplify_py.local.lambda_runtime.runner import (
    EndpointSource,
    InvocationResult,
    LambdaInvocationError,
    LambdaNotFoundError,
    LocalFunction,
    LogCallback,
    TriggerInvoker,
)
from amplify_py.local.lambda_runtime.spec import FunctionSpec, function_specs_from_template

__all__ = [
    "EndpointSource",
    "FunctionSpec",
    "InvocationResult",
    "LambdaInvocationError",
    "LambdaNotFoundError",
    "LocalFunction",
    "LogCallback",
    "TriggerInvoker",
    "function_specs_from_template",
]
