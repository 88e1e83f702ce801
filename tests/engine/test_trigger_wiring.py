"""LocalEngine's per-deployment trigger invokers, built from a template and its assembly folder."""

from __future__ import annotations

from pathlib import Path

from amplify_py.local import LocalEngine
from amplify_py.local.lambda_runtime import TriggerInvoker
from tests.engine.conftest import POOL, template, in_process

FUNCTIONS = Path(__file__).resolve().parents[1] / "data" / "functions"


def _with_function(environment: dict) -> dict:
    tpl = template("email_default")
    tpl["Resources"]["adminTasks"] = {
        "Type": "AWS::Lambda::Function",
        "Properties": {"Handler": "echo.handler", "Runtime": "python3.13", "Timeout": 5,
                       "Code": {"S3Bucket": "assets", "S3Key": "0" * 64 + ".zip"},
                       "Environment": {"Variables": environment}},
        "Metadata": {"amplify_py:source": str(FUNCTIONS / "basic")},
    }
    return tpl


def test_deploy_with_assembly_dir_runs_the_templates_functions(tmp_path: Path) -> None:
    default_calls: list[str] = []
    engine = LocalEngine(tmp_path / "state", trigger_invoker=lambda d, r, e: default_calls.append(d) or e)
    try:
        tpl = _with_function({"AMPLIFY_AUTH_USERPOOL_ID": {"Ref": POOL}, "STAGE": "local"})
        result = engine.deploy("with-functions", tpl, assembly_dir=tmp_path)
        invoker = engine.trigger_invoker("with-functions")
        assert isinstance(invoker, TriggerInvoker)
        assert engine.trigger_invoker("other") is not invoker  # other deployments keep the constructor's
        ref = {"Fn::GetAtt": ["adminTasks", "Arn"]}
        out = invoker("with-functions", ref, {"action": "env", "env_keys": ["AMPLIFY_AUTH_USERPOOL_ID", "STAGE"]})
        assert out["env"] == {"AMPLIFY_AUTH_USERPOOL_ID": result.physical_ids[POOL], "STAGE": "local"}
        pid = invoker.function_for(ref).pid
        # A redeploy updates the same invoker: an unchanged function stays warm, a changed one restarts.
        engine.deploy("with-functions", tpl, assembly_dir=tmp_path)
        assert engine.trigger_invoker("with-functions") is invoker and invoker.function_for(ref).pid == pid
        engine.deploy("with-functions", _with_function({"STAGE": "changed"}), assembly_dir=tmp_path)
        assert invoker("with-functions", ref, {"action": "env", "env_keys": ["STAGE"]})["env"] == {"STAGE": "changed"}
        assert invoker.function_for(ref).pid != pid
        engine.delete("with-functions")  # stops the deployment's workers
        assert invoker.function_for(ref).pid is None
        assert engine.trigger_invoker("with-functions") is engine.context.trigger_invoker
    finally:
        engine.stop()


@in_process
def test_set_trigger_invoker_replaces_and_closes(tmp_path: Path) -> None:
    closed: list[str] = []

    class Invoker:
        def __init__(self, name: str) -> None:
            self.name = name

        def __call__(self, deployment: str, ref: object, event: dict) -> dict:
            return event

        def close(self) -> None:
            closed.append(self.name)

    engine = LocalEngine(tmp_path)
    first, second = Invoker("first"), Invoker("second")
    engine.deploy("d", template("email_default"), trigger_invoker=first)
    assert engine.trigger_invoker("d") is first
    engine.set_trigger_invoker("d", second)
    assert closed == ["first"] and engine.trigger_invoker("d") is second
    engine.stop()
    assert closed == ["first", "second"]
