"""define_function: the DSL for a Python Lambda function (no aws_cdk import here).

The definition is validated eagerly, all problems at once, so a mistake is
reported where the user wrote it rather than during synthesis. The CDK side is
reached only through :meth:`FunctionDefinition.resolve_function`.
"""

from __future__ import annotations

import keyword
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from amplify_py.backend.function import defaults
from amplify_py.errors import DefinitionError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from aws_cdk import aws_lambda
    from constructs import Construct

__all__ = ["FunctionDefinition", "define_function"]

_NAME_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9\-_ ]*$")  # Amplify's resource name rule
_ENV_KEY_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]+$")  # Lambda's Environment.Variables key pattern


class FunctionDefinition(BaseModel):
    """A validated Python Lambda function. Pass it as an auth trigger, sender or access grantee."""

    model_config = ConfigDict(frozen=True)

    name: str
    entry: Path
    handler: str
    runtime: str
    timeout_seconds: int
    memory_mb: int
    environment: dict[str, str]

    @property
    def entry_dir(self) -> Path:
        """The folder packaged as the function's code (the entry's folder)."""
        return self.entry.parent

    @property
    def module(self) -> str:
        return self.entry.stem

    @property
    def lambda_handler(self) -> str:
        """Lambda's handler string, ``<module>.<function>``."""
        return f"{self.module}.{self.handler}"

    def resolve_function(self, scope: Construct) -> aws_lambda.IFunction:
        """The Lambda function for this definition in ``scope``'s stack, created on first use.

        Every caller (triggers, senders, access) gets the same function: the
        construct id is the function name, looked up in the stack before creating.
        """
        from amplify_py.backend.function.construct import function_for_definition

        return function_for_definition(scope, self)


def define_function(
    entry: str | Path = "./handler.py",
    name: str | None = None,
    handler: str = defaults.DEFAULT_HANDLER,
    runtime: str = defaults.DEFAULT_RUNTIME,
    timeout_seconds: int = defaults.DEFAULT_TIMEOUT_SECONDS,
    memory_mb: int = defaults.DEFAULT_MEMORY_MB,
    environment: dict[str, str] | None = None,
    *,
    _caller_dir: Path | None = None,
) -> FunctionDefinition:
    """Define a Python Lambda function; ``entry`` is relative to the file that calls this.

    The name defaults to the entry file's stem, as Amplify derives it
    (``./pre_sign_up.py`` → ``pre_sign_up``).
    """
    base = _caller_dir if _caller_dir is not None else _calling_file_dir()
    problems: list[Problem] = []

    entry_path = _resolve_entry(entry, base, problems)
    resolved_name = name if name is not None else (entry_path.stem if entry_path else "")
    _check_name(name, resolved_name, problems)
    _check_handler(handler, problems)
    _check_runtime(runtime, problems)
    _check_whole_number("timeout_seconds", timeout_seconds, defaults.TIMEOUT_RANGE, problems)
    _check_whole_number("memory_mb", memory_mb, defaults.MEMORY_RANGE, problems)
    env = _check_environment(environment, problems)

    if problems:
        raise DefinitionError("define_function", problems)
    assert entry_path is not None
    return FunctionDefinition(
        name=resolved_name,
        entry=entry_path,
        handler=handler,
        runtime=runtime,
        timeout_seconds=timeout_seconds,
        memory_mb=memory_mb,
        environment=env,
    )


def _calling_file_dir() -> Path:
    """The folder of the file that called define_function (two frames up), else the working directory."""
    frame = sys._getframe(2)
    filename = frame.f_globals.get("__file__") or frame.f_code.co_filename
    if not filename or filename.startswith("<"):
        return Path.cwd()
    return Path(filename).resolve().parent


def _resolve_entry(entry: Any, base: Path, problems: list[Problem]) -> Path | None:
    path = "define_function.entry"
    if not isinstance(entry, str | Path) or str(entry) == "":
        problems.append(Problem(path, f"must be a path to a .py file, got {entry!r}.", "Pass e.g. entry=\"./handler.py\"."))
        return None
    candidate = Path(entry)
    resolved = (candidate if candidate.is_absolute() else base / candidate).resolve()
    if resolved.suffix != ".py":
        problems.append(
            Problem(path, f"{entry!r} is not a Python file (.py).", "Point entry at the .py file that defines the handler.")
        )
    elif not resolved.is_file():
        problems.append(
            Problem(
                path,
                f"{resolved} does not exist.",
                f"Create the file or fix the path; relative paths start from {base}.",
            )
        )
    elif not resolved.stem.isidentifier() or keyword.iskeyword(resolved.stem):
        problems.append(
            Problem(
                path,
                f"the module name {resolved.stem!r} cannot be imported by Lambda's Python runtime.",
                "Rename the file to a valid Python module name (letters, digits, underscores).",
            )
        )
    return resolved


def _check_name(given: Any, resolved: str, problems: list[Problem]) -> None:
    if given is not None and not isinstance(given, str):
        problems.append(Problem("define_function.name", f"must be a string, got {given!r}.", ""))
        return
    if resolved and not _NAME_PATTERN.match(resolved):
        origin = "" if given is not None else " (derived from the entry file name)"
        problems.append(
            Problem(
                "define_function.name",
                f"{resolved!r}{origin} contains invalid characters or does not start with a letter.",
                "Use only letters, digits, dashes, underscores and spaces, starting with a letter.",
            )
        )


def _check_handler(handler: Any, problems: list[Problem]) -> None:
    if not isinstance(handler, str) or not handler.isidentifier() or keyword.iskeyword(handler):
        problems.append(
            Problem(
                "define_function.handler",
                f"{handler!r} is not a Python function name.",
                "Name the function the entry file defines, e.g. handler=\"handler\".",
            )
        )


def _check_runtime(runtime: Any, problems: list[Problem]) -> None:
    if runtime not in defaults.SUPPORTED_RUNTIMES:
        problems.append(
            Problem(
                "define_function.runtime",
                f"{runtime!r} is not a supported Python Lambda runtime.",
                f"Use one of: {', '.join(defaults.SUPPORTED_RUNTIMES)}.",
            )
        )


def _check_whole_number(field: str, value: Any, bounds: tuple[int, int], problems: list[Problem]) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(
            Problem(
                f"define_function.{field}",
                f"invalid value {value!r}.",
                f"{field} must be a whole number between {low} and {high} inclusive.",
            )
        )


def _check_environment(environment: Any, problems: list[Problem]) -> dict[str, str]:
    if environment is None:
        return {}
    if not isinstance(environment, dict):
        problems.append(
            Problem("define_function.environment", f"must be a dict of str to str, got {type(environment).__name__}.", "")
        )
        return {}
    size = 0
    for key, value in environment.items():
        where = f"define_function.environment.{key}"
        if not isinstance(key, str) or not _ENV_KEY_PATTERN.match(key):
            problems.append(
                Problem(
                    where,
                    f"{key!r} is not a valid environment variable name.",
                    "Start with a letter; use letters, digits and underscores (at least 2 characters).",
                )
            )
        elif key in defaults.RESERVED_ENVIRONMENT_KEYS:
            problems.append(Problem(where, f"{key} is a reserved environment variable name.", "Use a non-reserved name."))
        if not isinstance(value, str):
            problems.append(Problem(where, f"the value must be a string, got {type(value).__name__}.", "Convert it with str()."))
        else:
            size += len(str(key).encode()) + len(value.encode())
    if size > defaults.ENVIRONMENT_MAX_BYTES:
        problems.append(
            Problem(
                "define_function.environment",
                f"takes {size} bytes; Lambda allows at most {defaults.ENVIRONMENT_MAX_BYTES}.",
                "Move large values to a file beside the handler or to a parameter store.",
            )
        )
    return dict(environment)
