"""AmplifyFunction: a Python Lambda function from an entry file, as a CDK construct.

The construct takes plain props (it knows nothing of the DSL); a
FunctionDefinition reaches it through :func:`function_for_definition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_py._node import ensure_jsii_node

ensure_jsii_node()

from aws_cdk import Duration, Stack, Tags  # noqa: E402
from aws_cdk import aws_lambda as lambda_  # noqa: E402
from constructs import Construct  # noqa: E402

from amplify_py.backend.function import defaults  # noqa: E402
from amplify_py.backend.function._packaging import (  # noqa: E402
    IGNORED_NAMES,
    REQUIREMENTS_FILE,
    bundle_with_requirements,
)
from amplify_py.errors import AmpyUserError  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from amplify_py.backend.function.types import FunctionDefinition

__all__ = ["AmplifyFunction", "function_for_definition"]

_ASSET_EXCLUDES = sorted(IGNORED_NAMES) + ["*.pyc", "*.pyo"]


class AmplifyFunction(Construct):
    """A Python Lambda function whose code is the entry's folder (plus its requirements, if any).

    ``self.function`` is the ``aws_lambda.Function``. Its CloudFormation
    resource carries the live source folder in the ``amplify_py:source``
    metadata so that the local runner executes the user's files, not a copy.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        entry: Path,
        handler: str = defaults.DEFAULT_HANDLER,
        runtime: str = defaults.DEFAULT_RUNTIME,
        timeout_seconds: int = defaults.DEFAULT_TIMEOUT_SECONDS,
        memory_mb: int = defaults.DEFAULT_MEMORY_MB,
        environment: Mapping[str, str] | None = None,
        architecture: str = "x86_64",
        cache_dir: Path | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        entry = Path(entry).resolve()
        if runtime not in defaults.SUPPORTED_RUNTIMES:
            raise AmpyUserError(
                "InvalidFunctionRuntimeError",
                f"{runtime!r} is not a supported Python Lambda runtime.",
                f"Use one of: {', '.join(defaults.SUPPORTED_RUNTIMES)}.",
            )
        self.entry = entry
        self.source_dir = entry.parent
        self.function = lambda_.Function(
            self,
            "Resource",
            runtime=getattr(lambda_.Runtime, runtime.upper().replace("PYTHON", "PYTHON_").replace(".", "_")),
            handler=f"{entry.stem}.{handler}",
            code=self._code(runtime, architecture, cache_dir),
            timeout=Duration.seconds(timeout_seconds),
            memory_size=memory_mb,
            architecture=lambda_.Architecture.ARM_64 if architecture == "arm64" else lambda_.Architecture.X86_64,
            environment=dict(environment or {}),
        )
        Tags.of(self.function).add(defaults.FRIENDLY_NAME_TAG, construct_id)
        cfn = self.function.node.default_child
        assert isinstance(cfn, lambda_.CfnFunction)
        cfn.add_metadata(defaults.SOURCE_METADATA_KEY, str(self.source_dir))

    def _code(self, runtime: str, architecture: str, cache_dir: Path | None) -> lambda_.Code:
        if (self.source_dir / REQUIREMENTS_FILE).is_file():
            bundle = bundle_with_requirements(
                self.source_dir, runtime=runtime, architecture=architecture, cache_dir=cache_dir
            )
            return lambda_.Code.from_asset(str(bundle))
        return lambda_.Code.from_asset(str(self.source_dir), exclude=_ASSET_EXCLUDES)


def function_for_definition(scope: Construct, definition: FunctionDefinition) -> lambda_.IFunction:
    """The definition's function in ``scope``'s stack, created once; the construct id is the function name."""
    stack = Stack.of(scope)
    existing = stack.node.try_find_child(definition.name)
    if existing is not None:
        if isinstance(existing, AmplifyFunction) and getattr(existing, "definition", None) == definition:
            return existing.function
        raise AmpyUserError(
            "DuplicateFunctionNameError",
            f"Two resources in stack {stack.stack_name} are named {definition.name!r}.",
            "Give each define_function(...) a distinct name=.",
        )
    construct = AmplifyFunction(
        stack,
        definition.name,
        entry=definition.entry,
        handler=definition.handler,
        runtime=definition.runtime,
        timeout_seconds=definition.timeout_seconds,
        memory_mb=definition.memory_mb,
        environment=definition.environment,
    )
    construct.definition = definition
    return construct.function
