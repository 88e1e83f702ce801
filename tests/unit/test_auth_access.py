"""Auth access: Amplify's actions in snake_case and the IAM actions each grants."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplify_py.backend.function import define_function
from amplify_py.backend.function.access import (
    AUTH_ACTIONS,
    AuthAccessBuilder,
    collect_auth_access,
    iam_actions_for,
    user_pool_id_env_name,
)
from amplify_py.errors import AmpyUserError, DefinitionError

ECHO = Path(__file__).resolve().parent.parent / "data" / "functions" / "basic" / "echo.py"


def test_all_amplify_actions_are_present() -> None:
    assert len(AUTH_ACTIONS) == 30
    assert {"manage_users", "manage_groups", "manage_group_membership", "manage_user_devices",
            "manage_password_recovery", "add_user_to_group", "list_users", "update_user_attributes"} <= set(AUTH_ACTIONS)  # fmt: skip


@pytest.mark.parametrize(
    ("action", "iam"),
    [
        ("add_user_to_group", ["cognito-idp:AdminAddUserToGroup"]),
        ("list_users", ["cognito-idp:ListUsers"]),
        ("set_user_mfa_preference", ["cognito-idp:AdminSetUserMFAPreference"]),
        ("manage_password_recovery", ["cognito-idp:AdminResetUserPassword", "cognito-idp:AdminSetUserPassword"]),
        ("manage_groups", ["cognito-idp:GetGroup", "cognito-idp:ListGroups", "cognito-idp:CreateGroup",
                           "cognito-idp:DeleteGroup", "cognito-idp:UpdateGroup"]),
    ],
)  # fmt: skip
def test_action_grants_amplify_iam_actions(action: str, iam: list[str]) -> None:
    assert iam_actions_for([action]) == iam


def test_manage_users_grants_thirteen_admin_actions() -> None:
    actions = iam_actions_for(["manage_users"])
    assert len(actions) == 13
    assert actions[0] == "cognito-idp:AdminConfirmSignUp" and actions[-1] == "cognito-idp:AdminUserGlobalSignOut"


def test_overlapping_actions_are_deduplicated_in_order() -> None:
    assert iam_actions_for(["add_user_to_group", "manage_group_membership"]) == [
        "cognito-idp:AdminAddUserToGroup",
        "cognito-idp:AdminRemoveUserFromGroup",
    ]


def test_builder_produces_rules() -> None:
    fn = define_function(entry=ECHO)
    rules = collect_auth_access(lambda allow: [allow.resource(fn).to(["manage_users", "list_users"])])
    assert len(rules) == 1
    assert rules[0].grantee is fn
    assert rules[0].actions == ("manage_users", "list_users")


def test_unknown_action_is_a_definition_problem() -> None:
    fn = define_function(entry=ECHO)
    with pytest.raises(DefinitionError, match=r"define_auth\.access: Unknown auth access action\(s\): 'manageUsers'"):
        collect_auth_access(lambda allow: [allow.resource(fn).to(["manageUsers"])])


def test_empty_actions_are_rejected_like_amplify() -> None:
    fn = define_function(entry=ECHO)
    with pytest.raises(DefinitionError, match=r"define_auth\.access\[0\]: At least one action must be specified\."):
        collect_auth_access(lambda allow: [allow.resource(fn).to([])])


def test_resource_must_be_a_function() -> None:
    with pytest.raises(AmpyUserError, match=r"allow\.resource\(\) takes a function, got str"):
        AuthAccessBuilder().resource("my-function")


def test_env_var_name_matches_amplify() -> None:
    assert user_pool_id_env_name() == "AMPLIFY_AUTH_USERPOOL_ID"
    assert user_pool_id_env_name("myAuth") == "MY_AUTH_USERPOOL_ID"
