"""define_auth(triggers=..., access=...) with define_function: LambdaConfig, invoke permissions, Amplify's IAM
statements, the pool ID variable, and a cfn-lint clean template."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from amplify_py import define_auth, define_backend
from amplify_py.backend.function import define_function
from amplify_py.backend.function.access import AUTH_ACTIONS
from amplify_py.errors import DefinitionError

DATA = Path(__file__).resolve().parent.parent / "data" / "functions"


def _of_type(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    pre_sign_up = define_function(entry=DATA / "pre_sign_up" / "pre_sign_up.py")
    admin = define_function(entry=DATA / "basic" / "echo.py", name="admin-tasks")
    auth = define_auth(
        login_with={"email": True},
        triggers={"pre_sign_up": pre_sign_up},
        access=lambda allow: [
            allow.resource(admin).to(["manage_users", "list_users"]),
            allow.resource(pre_sign_up).to(["add_user_to_group"]),
        ],
    )
    return define_backend(auth=auth).synth("AccessStack")


def _function(template: dict, handler: str) -> tuple[str, dict]:
    [(logical_id, resource)] = [(k, v) for k, v in _of_type(template, "AWS::Lambda::Function").items()
                                if v["Properties"]["Handler"] == handler]
    return logical_id, resource


def test_trigger_is_wired_into_the_pool(template: dict) -> None:
    fn_id, _ = _function(template, "pre_sign_up.handler")
    [pool] = _of_type(template, "AWS::Cognito::UserPool").values()
    assert pool["Properties"]["LambdaConfig"] == {"PreSignUp": {"Fn::GetAtt": [fn_id, "Arn"]}}
    [permission] = _of_type(template, "AWS::Lambda::Permission").values()
    assert permission["Properties"]["Principal"] == "cognito-idp.amazonaws.com"
    assert permission["Properties"]["FunctionName"] == {"Fn::GetAtt": [fn_id, "Arn"]}


def test_access_policies_carry_amplifys_iam_actions(template: dict) -> None:
    [pool_id] = _of_type(template, "AWS::Cognito::UserPool")
    admin_id, admin = _function(template, "echo.handler")
    trigger_id, trigger = _function(template, "pre_sign_up.handler")
    role_of = {admin_id: admin["Properties"]["Role"]["Fn::GetAtt"][0],
               trigger_id: trigger["Properties"]["Role"]["Fn::GetAtt"][0]}
    policies = {logical_id: p["Properties"] for logical_id, p in _of_type(template, "AWS::IAM::Policy").items()
                if logical_id.startswith("userpoolAccess")}
    by_role = {p["Roles"][0]["Ref"]: p["PolicyDocument"]["Statement"] for p in policies.values()}
    pool_arn = {"Fn::GetAtt": [pool_id, "Arn"]}
    assert by_role[role_of[admin_id]] == [{
        "Action": [*AUTH_ACTIONS["manage_users"], *AUTH_ACTIONS["list_users"]],
        "Effect": "Allow", "Resource": pool_arn}]
    assert by_role[role_of[trigger_id]] == [{
        "Action": "cognito-idp:AdminAddUserToGroup", "Effect": "Allow", "Resource": pool_arn}]


def test_pool_id_variable_for_functions_with_access(template: dict) -> None:
    [pool_id] = _of_type(template, "AWS::Cognito::UserPool")
    _, admin = _function(template, "echo.handler")
    assert admin["Properties"]["Environment"]["Variables"] == {"AMPLIFY_AUTH_USERPOOL_ID": {"Ref": pool_id}}
    _, trigger = _function(template, "pre_sign_up.handler")
    # The pool depends on its trigger; the trigger reads userPoolId from its events (no cycle).
    assert "Environment" not in trigger["Properties"]


def test_cfn_lint_is_silent_with_functions_and_access_policies(template: dict) -> None:
    matches = lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"], ignore_checks=["W3005"]))
    assert [str(m) for m in matches] == []


def test_access_problems_are_reported_with_the_definitions_other_problems() -> None:
    fn = define_function(entry=DATA / "basic" / "echo.py")
    with pytest.raises(DefinitionError, match=r"(?s)2 problems.*define_auth\.access: Unknown auth access "
                                              r"action\(s\): 'manageUsers'"):
        define_auth(login_with={"email": True}, groups="ADMINS",
                    access=lambda allow: [allow.resource(fn).to(["manageUsers"])])
