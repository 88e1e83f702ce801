"""The local Lambda runtime: warm workers, errors, timeouts, code changes, env, context and logs."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from amplify_py.local.lambda_runtime import (
    FunctionSpec,
    LambdaInvocationError,
    LambdaNotFoundError,
    LocalFunction,
    TriggerInvoker,
    function_specs_from_template,
)
from amplify_py.local.rules.trigger_events import pre_sign_up_event, read_pre_sign_up_response

DATA = Path(__file__).resolve().parent.parent / "data" / "functions"


class Logs:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, name: str, line: str) -> None:
        with self._lock:
            self.lines.append((name, line))

    def wait_for(self, text: str, timeout: float = 5) -> list[str]:
        end = time.time() + timeout
        while time.time() < end:
            with self._lock:
                found = [line for _, line in self.lines if text in line]
            if found:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{text!r} not logged; got {self.lines}")


@pytest.fixture(scope="module")
def echo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("echo")
    shutil.copy(DATA / "basic" / "echo.py", folder / "echo.py")
    return folder


@pytest.fixture(scope="module")
def logs() -> Logs:
    return Logs()


@pytest.fixture(scope="module")
def echo(echo_dir: Path, logs: Logs) -> Iterator[LocalFunction]:
    spec = FunctionSpec(
        entry_dir=echo_dir, module="echo", handler="handler", name="echo-fn",
        timeout_seconds=2, memory_mb=256, environment={"GROUP_NAME": "EVERYONE"},
    )  # fmt: skip
    function = LocalFunction(spec, on_log=logs, region="eu-west-1", account_id="111122223333")
    yield function
    function.close()


def test_warm_worker_is_reused(echo: LocalFunction) -> None:
    first = echo.invoke({"action": "hello"})
    second = echo.invoke({"action": "hello"})
    assert first.ok and second.ok
    assert first.payload["pid"] == second.payload["pid"] == echo.pid
    assert first.payload["loaded_at"] == second.payload["loaded_at"]  # imported once
    assert first.payload["event"] == {"action": "hello"}


def test_environment_and_context(echo: LocalFunction, echo_dir: Path) -> None:
    result = echo.invoke({"env_keys": ["GROUP_NAME", "AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "LAMBDA_TASK_ROOT"]})
    assert result.payload["env"] == {
        "GROUP_NAME": "EVERYONE",
        "AWS_REGION": "eu-west-1",
        "AWS_LAMBDA_FUNCTION_NAME": "echo-fn",
        "LAMBDA_TASK_ROOT": str(echo_dir),
    }
    assert result.payload["cwd"] == str(echo_dir)
    context = result.payload["context"]
    assert context["function_name"] == "echo-fn"
    assert context["function_version"] == "$LATEST"
    assert context["memory_limit_in_mb"] == "256"
    assert context["aws_request_id"] == result.request_id
    assert context["invoked_function_arn"] == "arn:aws:lambda:eu-west-1:111122223333:function:echo-fn"
    assert context["log_group_name"] == "/aws/lambda/echo-fn"
    assert "[$LATEST]" in context["log_stream_name"]
    assert 0 < context["remaining_ms"] <= 2000


def test_the_worker_signs_with_the_credentials_it_is_given(echo_dir: Path) -> None:
    """The engine hands its local credentials in (what Lambda's role would give); never the developer's own."""
    spec = FunctionSpec(entry_dir=echo_dir, module="echo", handler="handler", name="creds-fn",
                        timeout_seconds=2, memory_mb=128)
    given = {"AWS_ACCESS_KEY_ID": "AKIALOCALEXAMPLE0001", "AWS_SECRET_ACCESS_KEY": "s" * 40}
    env = LocalFunction(spec, credentials=given).environment()
    assert {key: env.get(key) for key in (*given, "AWS_SESSION_TOKEN")} == {**given, "AWS_SESSION_TOKEN": None}
    placeholder = LocalFunction(spec).environment()  # no credentials given: values that sign nothing valid
    assert placeholder["AWS_ACCESS_KEY_ID"] == "localAccessKeyId"
    own = FunctionSpec(entry_dir=echo_dir, module="echo", handler="handler", name="own-fn", timeout_seconds=2,
                       memory_mb=128, environment={"AWS_ACCESS_KEY_ID": "AKIAMINE", "AWS_SECRET_ACCESS_KEY": "mine"})
    assert LocalFunction(own, credentials=given).environment()["AWS_ACCESS_KEY_ID"] == "AKIAMINE"  # its own win


def test_prints_reach_on_log(echo: LocalFunction, logs: Logs) -> None:
    result = echo.invoke({"action": "print-me"})
    assert logs.wait_for("echo handling print-me") == ["echo handling print-me"]
    assert logs.wait_for(f"START RequestId: {result.request_id} Version: $LATEST")
    assert all(name == "echo-fn" for name, _ in logs.lines)


def test_exception_becomes_lambda_error(echo: LocalFunction, logs: Logs) -> None:
    pid = echo.invoke({}).payload["pid"]
    result = echo.invoke({"action": "raise", "message": "Invalid department"})
    assert not result.ok
    assert result.error["errorMessage"] == "Invalid department"
    assert result.error["errorType"] == "ValueError"
    assert result.error["requestId"] == result.request_id
    assert len(result.error["stackTrace"]) == 1 and "echo.py" in result.error["stackTrace"][0]
    assert logs.wait_for("[ERROR] ValueError: Invalid department")
    assert echo.invoke({}).payload["pid"] == pid  # the worker survives a handler error


def test_timeout_kills_and_restarts_the_worker(echo: LocalFunction, logs: Logs) -> None:
    pid = echo.invoke({}).payload["pid"]
    started = time.monotonic()
    result = echo.invoke({"action": "sleep", "seconds": 30})
    assert 1.9 < time.monotonic() - started < 5
    assert result.error == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after 2.00 seconds",
    }
    assert logs.wait_for(f"{result.request_id} Task timed out after 2.00 seconds")
    after = echo.invoke({})
    assert after.ok and after.payload["pid"] != pid


def test_process_exit_is_reported(echo: LocalFunction) -> None:
    result = echo.invoke({"action": "exit"})
    assert result.error == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: exit status 3",
    }
    assert echo.invoke({}).ok


def test_unserializable_result(echo: LocalFunction) -> None:
    result = echo.invoke({"action": "unserializable"})
    assert result.error["errorType"] == "Runtime.MarshalError"
    assert result.error["errorMessage"].startswith("Unable to marshal response: Object of type object")


def test_code_change_is_picked_up(tmp_path: Path) -> None:
    (tmp_path / "fn.py").write_text("def handler(event, context):\n    return {'version': 1}\n")
    function = LocalFunction(FunctionSpec(entry_dir=tmp_path, module="fn", handler="handler", name="fn"))
    try:
        assert function.invoke({}).payload == {"version": 1}
        pid = function.pid
        time.sleep(0.01)  # a distinct mtime even on coarse clocks
        (tmp_path / "fn.py").write_text("def handler(event, context):\n    return {'version': 2}\n")
        assert function.invoke({}).payload == {"version": 2}
        assert function.pid != pid
        assert function.invoke({}).payload == {"version": 2}
    finally:
        function.close()


def test_import_error_then_fix(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import not_a_module_anywhere\n")
    function = LocalFunction(FunctionSpec(entry_dir=tmp_path, module="broken", handler="handler", name="broken"))
    try:
        result = function.invoke({})
        assert result.error["errorType"] == "Runtime.ImportModuleError"
        assert result.error["errorMessage"] == (
            "Unable to import module 'broken': No module named 'not_a_module_anywhere'"
        )
        (tmp_path / "broken.py").write_text("def other(event, context):\n    return event\n")
        result = function.invoke({})
        assert result.error["errorType"] == "Runtime.HandlerNotFound"
        assert result.error["errorMessage"] == "Handler 'handler' missing on module 'broken'"
    finally:
        function.close()


def _template(source: Path) -> dict:
    return {
        "Resources": {
            "preSignUpFn03257701": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Code": {"S3Bucket": "b", "S3Key": "abc123.zip"},
                    "Handler": "pre_sign_up.handler",
                    "Runtime": "python3.13",
                    "Timeout": 3,
                    "MemorySize": 512,
                    "Environment": {
                        "Variables": {
                            "ALLOWED_DEPARTMENTS": "engineering,support",
                            "AMPLIFY_AUTH_USERPOOL_ID": {"Ref": "amplifyAuthUserPool4BA7F805"},
                        }
                    },
                    "Tags": [{"Key": "amplify:friendly-name", "Value": "pre_sign_up"}],
                },
                "Metadata": {"amplify_py:source": str(source)},
            },
            "nodeFn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Code": {"ZipFile": "exports.handler = async (e) => e;"}, "Handler": "index.handler",
                               "Runtime": "nodejs22.x"},
            },
        }
    }  # fmt: skip


def test_specs_from_template(tmp_path: Path) -> None:
    assembly = tmp_path / "cdk.out"
    (assembly / "asset.abc123").mkdir(parents=True)
    source = DATA / "pre_sign_up"
    specs = function_specs_from_template(
        _template(source), assembly, resolve=lambda v: "us-east-1_local" if v == {"Ref": "amplifyAuthUserPool4BA7F805"} else None
    )
    assert list(specs) == ["preSignUpFn03257701"]  # the Node function cannot run locally
    spec = specs["preSignUpFn03257701"]
    assert (spec.entry_dir, spec.module, spec.handler, spec.name) == (source, "pre_sign_up", "handler", "pre_sign_up")
    assert (spec.timeout_seconds, spec.memory_mb, spec.runtime) == (3, 512, "python3.13")
    assert spec.extra_paths == (assembly / "asset.abc123",)
    assert spec.environment == {"ALLOWED_DEPARTMENTS": "engineering,support", "AMPLIFY_AUTH_USERPOOL_ID": "us-east-1_local"}

    unresolved = function_specs_from_template(_template(source), assembly)["preSignUpFn03257701"]
    assert unresolved.unresolved_environment == ("AMPLIFY_AUTH_USERPOOL_ID",)
    assert "AMPLIFY_AUTH_USERPOOL_ID" not in unresolved.environment


def test_specs_fall_back_to_the_asset_folder(tmp_path: Path) -> None:
    assembly = tmp_path / "cdk.out"
    (assembly / "asset.abc123").mkdir(parents=True)
    template = _template(tmp_path / "gone")
    spec = function_specs_from_template(template, assembly)["preSignUpFn03257701"]
    assert spec.entry_dir == assembly / "asset.abc123" and spec.extra_paths == ()


def test_trigger_invoker_runs_a_pre_sign_up_trigger() -> None:
    specs = function_specs_from_template(_template(DATA / "pre_sign_up"), DATA)
    logs = Logs()
    invoker = TriggerInvoker(specs, on_log=logs)
    try:
        ref = {"Fn::GetAtt": ["preSignUpFn03257701", "Arn"]}
        attributes = {"email": "ana@example.com", "custom:department": "support"}
        event = pre_sign_up_event(
            region="us-east-1", user_pool_id="us-east-1_local", user_name="ana", client_id="client1",
            user_attributes=attributes,
        )  # fmt: skip
        returned = invoker("sandbox-1", ref, event)
        outcome = read_pre_sign_up_response(returned, attributes)
        assert (outcome.auto_confirm_user, outcome.auto_verify_email, outcome.auto_verify_phone) == (True, True, False)

        event["request"]["userAttributes"]["custom:department"] = "sales"
        with pytest.raises(LambdaInvocationError, match=r"Exception: Invalid department: sales") as caught:
            invoker("sandbox-1", "arn:aws:lambda:us-east-1:123456789012:function:pre_sign_up", event)
        assert caught.value.error_message == "Invalid department: sales"
        assert not caught.value.timed_out
        assert logs.wait_for("[ERROR] Exception: Invalid department: sales")

        with pytest.raises(LambdaNotFoundError, match=r"names no Python function of this deployment"):
            invoker("sandbox-1", {"Fn::GetAtt": ["nodeFn", "Arn"]}, event)
    finally:
        invoker.close()


def test_json_roundtrip_of_payload(echo: LocalFunction) -> None:
    event = {"unicode": "héllo ✓", "nested": {"list": [1, 2.5, None, True]}}
    assert echo.invoke(event).payload["event"] == json.loads(json.dumps(event))
