"""The trigger hook: the engine calls ``trigger_invoker`` with Cognito's event shapes and honours responses."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from amplify_py.local import LocalEngine
from tests.engine.conftest import Env, ManualClock, template


def test_pre_sign_up_auto_confirm_and_failure(tmp_path) -> None:
    calls: list[tuple[str, object, dict]] = []

    def invoker(deployment: str, ref: object, event: dict) -> dict:
        calls.append((deployment, ref, event))
        if event["request"]["userAttributes"]["email"].startswith("blocked"):
            raise RuntimeError("blocked domain")
        return {**event, "response": {"autoConfirmUser": True, "autoVerifyEmail": True, "autoVerifyPhone": False}}

    clock = ManualClock()
    engine = LocalEngine(tmp_path, clock=clock, trigger_invoker=invoker).start()
    try:
        env = Env(engine, clock, "triggers", template("triggers"))
        out = env.sign_up("auto@example.com")
        assert out["UserConfirmed"] is True and "CodeDeliveryDetails" not in out
        deployment, ref, event = calls[-1]
        assert deployment == "triggers" and ref == {"Fn::GetAtt": ["preSignUpFn03257701", "Arn"]}
        assert event["triggerSource"] == "PreSignUp_SignUp" and event["userPoolId"] == env.pool_id
        assert event["callerContext"]["clientId"] == env.client_id
        assert env.srp_sign_in("auto@example.com")["AuthenticationResult"]
        with pytest.raises(ClientError, match=re.escape("PreSignUp failed with error blocked domain.")) as exc:
            env.sign_up("blocked@example.com")
        assert exc.value.response["Error"] == {"Code": "UserLambdaValidationException",
                                               "Message": "PreSignUp failed with error blocked domain."}
    finally:
        engine.stop()
