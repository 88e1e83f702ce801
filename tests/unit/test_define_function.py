"""define_function: entry resolution, Amplify's defaults, and all problems reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplify_py.backend.function import FunctionDefinition, define_function
from amplify_py.errors import DefinitionError

DATA = Path(__file__).resolve().parent.parent / "data" / "functions"


def test_entry_is_relative_to_the_calling_file() -> None:
    fn = define_function(entry="../data/functions/pre_sign_up/pre_sign_up.py")
    assert fn.entry == DATA / "pre_sign_up" / "pre_sign_up.py"
    assert fn.entry_dir == DATA / "pre_sign_up"


def test_defaults_follow_amplify() -> None:
    fn = define_function(entry=DATA / "pre_sign_up" / "pre_sign_up.py")
    assert isinstance(fn, FunctionDefinition)
    assert (fn.name, fn.handler, fn.runtime, fn.timeout_seconds, fn.memory_mb, fn.environment) == (
        "pre_sign_up", "handler", "python3.13", 3, 512, {},
    )  # fmt: skip
    assert fn.lambda_handler == "pre_sign_up.handler"


def test_explicit_values_are_kept() -> None:
    fn = define_function(
        entry=DATA / "basic" / "echo.py", name="echo-fn", handler="main", runtime="python3.12",
        timeout_seconds=900, memory_mb=10240, environment={"GROUP_NAME": "EVERYONE"},
    )  # fmt: skip
    assert (fn.name, fn.lambda_handler, fn.runtime, fn.timeout_seconds, fn.memory_mb) == (
        "echo-fn", "echo.main", "python3.12", 900, 10240,
    )  # fmt: skip
    assert fn.environment == {"GROUP_NAME": "EVERYONE"}


def test_missing_entry_names_the_resolved_path() -> None:
    with pytest.raises(DefinitionError, match=r"define_function\.entry: .*nope\.py does not exist"):
        define_function(entry="./nope.py")


def test_non_python_entry_is_rejected() -> None:
    with pytest.raises(DefinitionError, match=r"define_function\.entry: 'handler\.ts' is not a Python file"):
        define_function(entry="handler.ts")


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(DefinitionError, match=r"define_function has 7 problems:") as caught:
        define_function(
            entry=DATA / "basic" / "echo.py",
            handler="not-a-name",
            runtime="nodejs22.x",
            timeout_seconds=901,
            memory_mb=64,
            environment={"1BAD": "x", "AWS_REGION": "eu-west-1", "OK_KEY": 3},
        )
    paths = [p.path for p in caught.value.problems]
    assert paths == [
        "define_function.handler",
        "define_function.runtime",
        "define_function.timeout_seconds",
        "define_function.memory_mb",
        "define_function.environment.1BAD",
        "define_function.environment.AWS_REGION",
        "define_function.environment.OK_KEY",
    ]
    assert "has 7 problems" in caught.value.message
    assert "timeout_seconds must be a whole number between 1 and 900 inclusive." in caught.value.message
    assert "memory_mb must be a whole number between 128 and 10240 inclusive." in caught.value.message
    assert "AWS_REGION is a reserved environment variable name." in caught.value.message


@pytest.mark.parametrize("timeout", [0, 2.5, True, "3"])
def test_timeout_must_be_a_whole_number_in_range(timeout: object) -> None:
    with pytest.raises(DefinitionError, match=r"define_function\.timeout_seconds: invalid value"):
        define_function(entry=DATA / "basic" / "echo.py", timeout_seconds=timeout)  # type: ignore[arg-type]


def test_name_follows_amplify_resource_name_rule() -> None:
    with pytest.raises(DefinitionError, match=r"define_function\.name: '9lives' contains invalid characters"):
        define_function(entry=DATA / "basic" / "echo.py", name="9lives")


def test_environment_size_limit() -> None:
    with pytest.raises(DefinitionError, match=r"Lambda allows at most 4096"):
        define_function(entry=DATA / "basic" / "echo.py", environment={"BIG": "x" * 5000})


def test_definition_is_immutable() -> None:
    fn = define_function(entry=DATA / "basic" / "echo.py")
    with pytest.raises(Exception, match="frozen"):
        fn.timeout_seconds = 10  # type: ignore[misc]
