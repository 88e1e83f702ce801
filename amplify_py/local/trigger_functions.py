"""A deployment's trigger invoker, built from its synthesized template and cloud assembly (the engine's side
of the Lambda runtime: it resolves the template's intrinsics, which the runtime knows nothing of)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amplify_py.local.lambda_runtime.runner import EndpointSource, LogCallback, TriggerInvoker
from amplify_py.local.lambda_runtime.spec import function_specs_from_template

__all__ = ["invoker_for_template", "ENDPOINT_VARIABLES"]

# botocore's service-specific endpoint variables (AWS_ENDPOINT_URL_<service ID>) for the services the engine
# serves: a handler's boto3 calls to Cognito (user pools, identity pools) and KMS (a custom sender's
# Encryption SDK) reach the engine, and nothing else is redirected.
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL_COGNITO_IDENTITY",
                      "AWS_ENDPOINT_URL_KMS")


def invoker_for_template(
    template: Mapping[str, Any],
    assembly_dir: Path,
    *,
    physical_ids: Mapping[str, str] | None = None,
    region: str = "us-east-1",
    stack_name: str = "local",
    on_log: LogCallback | None = None,
    existing: TriggerInvoker | None = None,
    endpoint: EndpointSource | None = None,
    credentials: Mapping[str, str] | None = None,
) -> TriggerInvoker:
    """A ``TriggerInvoker`` running the template's Python functions in warm processes.

    Environment intrinsics (``{"Ref": pool}`` for AMPLIFY_AUTH_USERPOOL_ID, ...) resolve against
    ``physical_ids`` (the engine's deploy result); a KMS key's ``Arn`` is its local key's. ``endpoint`` (read
    when a worker starts) is where the handlers' AWS SDKs send Cognito and KMS calls: the local engine;
    ``credentials`` (``AWS_ACCESS_KEY_ID``...) are what they sign them with, the engine's local credentials.
    With ``existing``, that invoker is updated in place:
    unchanged functions stay warm, changed ones restart on their next call, removed ones stop.
    """
    from amplify_py._cfn import NO_VALUE
    from amplify_py.local.resolve import Resolver

    ids = dict(physical_ids or {})
    resolver = Resolver(dict(template), region, stack_name, ids.get)

    def resolve(value: Any) -> str | None:
        try:
            resolved = resolver.resolve(value)
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        if resolved is NO_VALUE or isinstance(resolved, (dict, list)) or resolved is None:
            return None
        return str(resolved)

    specs = function_specs_from_template(template, Path(assembly_dir), resolve=resolve)
    if existing is not None:
        existing.update(specs)
        return existing
    return TriggerInvoker(specs, on_log=on_log, region=region, endpoint=endpoint, endpoint_variables=ENDPOINT_VARIABLES,
                          credentials=credentials)
