"""Issue 3: an escape-hatch override reaches amplify_outputs.json, because outputs come from the final resources."""

from __future__ import annotations

from aws_cdk import aws_cognito as cognito

from amplify_py import define_auth, define_backend
from amplify_py.outputs import build_outputs, resolve_stack_outputs
from tests.outputs_schema import assert_valid_outputs


def test_password_policy_and_mfa_overrides_reach_amplify_outputs() -> None:
    backend = define_backend(auth=define_auth(login_with={"email": True}))
    cfn_user_pool = backend.auth.resources.cfn_resources.cfn_user_pool
    cfn_user_pool.policies = cognito.CfnUserPool.PoliciesProperty(
        password_policy=cognito.CfnUserPool.PasswordPolicyProperty(
            minimum_length=14, require_lowercase=True, require_numbers=True
        )
    )
    cfn_user_pool.mfa_configuration = "OPTIONAL"
    cfn_user_pool.enabled_mfas = ["SOFTWARE_TOKEN_MFA"]
    template = backend.synth()

    ids = {logical_id: f"id-of-{logical_id}" for logical_id in template["Resources"]}
    outputs = build_outputs(resolve_stack_outputs(template, ids, "eu-west-1")).to_dict()

    assert outputs["auth"]["password_policy"] == {
        "min_length": 14,
        "require_lowercase": True,
        "require_numbers": True,
        "require_symbols": False,
        "require_uppercase": False,
    }
    assert outputs["auth"]["mfa_configuration"] == "OPTIONAL"
    assert outputs["auth"]["mfa_methods"] == ["TOTP"]
    assert outputs["auth"]["aws_region"] == "eu-west-1"
    assert_valid_outputs(outputs)
