"""Defaults and limits of define_function, in one place (Amplify's and Lambda's values)."""

from __future__ import annotations

__all__ = [
    "DEFAULT_HANDLER",
    "DEFAULT_RUNTIME",
    "DEFAULT_TIMEOUT_SECONDS",
    "DEFAULT_MEMORY_MB",
    "TIMEOUT_RANGE",
    "MEMORY_RANGE",
    "SUPPORTED_RUNTIMES",
    "RESERVED_ENVIRONMENT_KEYS",
    "ENVIRONMENT_MAX_BYTES",
    "FRIENDLY_NAME_TAG",
    "SOURCE_METADATA_KEY",
]

DEFAULT_HANDLER = "handler"
DEFAULT_RUNTIME = "python3.13"
# Amplify's defineFunction defaults and limits (backend-function factory.ts).
DEFAULT_TIMEOUT_SECONDS = 3
DEFAULT_MEMORY_MB = 512
TIMEOUT_RANGE = (1, 900)
MEMORY_RANGE = (128, 10240)

# Python runtimes Lambda accepts for new functions (python3.9 was deprecated on 2025-12-15).
SUPPORTED_RUNTIMES = ("python3.10", "python3.11", "python3.12", "python3.13", "python3.14")

# Keys Lambda reserves for its runtime (CreateFunction rejects them), plus Amplify's own.
RESERVED_ENVIRONMENT_KEYS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_DEFAULT_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_REGION",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "LAMBDA_RUNTIME_DIR",
        "LAMBDA_TASK_ROOT",
        "AMPLIFY_SSM_ENV_CONFIG",
    }
)
# Lambda limits the whole environment (keys and values) to 4 KB.
ENVIRONMENT_MAX_BYTES = 4096

# Amplify tags each function with its friendly name.
FRIENDLY_NAME_TAG = "amplify:friendly-name"
# Resource metadata pointing at the function's live source folder, read by the local runner.
SOURCE_METADATA_KEY = "amplify_py:source"
