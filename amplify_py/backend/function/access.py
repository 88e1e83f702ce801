"""Granting a function access to the user pool: ``access=lambda allow: [allow.resource(fn).to([...])]``.

The action names are Amplify's auth access actions in snake_case, and each
grants exactly the IAM actions Amplify grants (backend-auth
``userpool_access_policy_factory.ts``). The builder and the action table are
pure; :func:`grant_auth_access` imports aws_cdk only when called.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from amplify_py.errors import AmpyUserError, DefinitionError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from aws_cdk import aws_cognito, aws_iam, aws_lambda

__all__ = [
    "AUTH_ACTIONS",
    "AuthAccessBuilder",
    "AuthAccessDefinition",
    "AuthActionBuilder",
    "DEFAULT_AUTH_NAME",
    "collect_auth_access",
    "iam_actions_for",
    "user_pool_id_env_name",
    "grant_auth_access",
]

# Amplify's defineAuth name when none is given; the env var is derived from it.
DEFAULT_AUTH_NAME = "amplifyAuth"

AUTH_ACTIONS: dict[str, tuple[str, ...]] = {
    "manage_users": (
        "cognito-idp:AdminConfirmSignUp",
        "cognito-idp:AdminCreateUser",
        "cognito-idp:AdminDeleteUser",
        "cognito-idp:AdminDeleteUserAttributes",
        "cognito-idp:AdminDisableUser",
        "cognito-idp:AdminEnableUser",
        "cognito-idp:AdminGetUser",
        "cognito-idp:AdminListGroupsForUser",
        "cognito-idp:AdminRespondToAuthChallenge",
        "cognito-idp:AdminSetUserMFAPreference",
        "cognito-idp:AdminSetUserSettings",
        "cognito-idp:AdminUpdateUserAttributes",
        "cognito-idp:AdminUserGlobalSignOut",
    ),
    "manage_group_membership": (
        "cognito-idp:AdminAddUserToGroup",
        "cognito-idp:AdminRemoveUserFromGroup",
    ),
    "manage_groups": (
        "cognito-idp:GetGroup",
        "cognito-idp:ListGroups",
        "cognito-idp:CreateGroup",
        "cognito-idp:DeleteGroup",
        "cognito-idp:UpdateGroup",
    ),
    "manage_user_devices": (
        "cognito-idp:AdminForgetDevice",
        "cognito-idp:AdminGetDevice",
        "cognito-idp:AdminListDevices",
        "cognito-idp:AdminUpdateDeviceStatus",
    ),
    "manage_password_recovery": (
        "cognito-idp:AdminResetUserPassword",
        "cognito-idp:AdminSetUserPassword",
    ),
    "add_user_to_group": ("cognito-idp:AdminAddUserToGroup",),
    "create_group": ("cognito-idp:CreateGroup",),
    "create_user": ("cognito-idp:AdminCreateUser",),
    "delete_group": ("cognito-idp:DeleteGroup",),
    "delete_user": ("cognito-idp:AdminDeleteUser",),
    "delete_user_attributes": ("cognito-idp:AdminDeleteUserAttributes",),
    "disable_user": ("cognito-idp:AdminDisableUser",),
    "enable_user": ("cognito-idp:AdminEnableUser",),
    "forget_device": ("cognito-idp:AdminForgetDevice",),
    "get_device": ("cognito-idp:AdminGetDevice",),
    "get_group": ("cognito-idp:GetGroup",),
    "get_user": ("cognito-idp:AdminGetUser",),
    "list_users": ("cognito-idp:ListUsers",),
    "list_users_in_group": ("cognito-idp:ListUsersInGroup",),
    "list_devices": ("cognito-idp:AdminListDevices",),
    "list_groups": ("cognito-idp:ListGroups",),
    "list_groups_for_user": ("cognito-idp:AdminListGroupsForUser",),
    "remove_user_from_group": ("cognito-idp:AdminRemoveUserFromGroup",),
    "reset_user_password": ("cognito-idp:AdminResetUserPassword",),
    "set_user_mfa_preference": ("cognito-idp:AdminSetUserMFAPreference",),
    "set_user_password": ("cognito-idp:AdminSetUserPassword",),
    "set_user_settings": ("cognito-idp:AdminSetUserSettings",),
    "update_device_status": ("cognito-idp:AdminUpdateDeviceStatus",),
    "update_group": ("cognito-idp:UpdateGroup",),
    "update_user_attributes": ("cognito-idp:AdminUpdateUserAttributes",),
}


def _require_known(actions: Sequence[str]) -> None:
    unknown = [a for a in actions if a not in AUTH_ACTIONS]
    if unknown:
        raise AmpyUserError(
            "InvalidAccessActionError",
            f"Unknown auth access action(s): {', '.join(map(repr, unknown))}.",
            f"Use Amplify's auth actions in snake_case: {', '.join(AUTH_ACTIONS)}.",
        )


@dataclass(frozen=True)
class AuthAccessDefinition:
    """One rule: ``grantee`` (a FunctionDefinition, an IFunction, ...) may perform ``actions`` on the pool."""

    grantee: Any
    actions: tuple[str, ...]


class AuthActionBuilder:
    def __init__(self, grantee: Any) -> None:
        self._grantee = grantee

    def to(self, actions: Sequence[str]) -> AuthAccessDefinition:
        """Grant ``actions`` (Amplify's auth access actions, snake_case)."""
        if isinstance(actions, str) or not isinstance(actions, Sequence):
            raise AmpyUserError(
                "InvalidAccessActionError",
                f"allow.resource(...).to() takes a list of actions, got {actions!r}.",
                f"Pass a list such as [\"manage_users\"]. Valid actions: {', '.join(AUTH_ACTIONS)}.",
            )
        _require_known(actions)
        return AuthAccessDefinition(grantee=self._grantee, actions=tuple(actions))


class AuthAccessBuilder:
    """The ``allow`` object handed to define_auth's ``access`` callback."""

    def resource(self, grantee: Any) -> AuthActionBuilder:
        """The function (a FunctionDefinition or an aws_lambda.IFunction) to grant access to."""
        if not (hasattr(grantee, "resolve_function") or hasattr(grantee, "add_to_role_policy")):
            raise AmpyUserError(
                "InvalidAccessGranteeError",
                f"allow.resource() takes a function, got {type(grantee).__name__}.",
                "Pass the value define_function(...) returned, or an aws_lambda function.",
            )
        return AuthActionBuilder(grantee)


def collect_auth_access(
    access: Callable[[AuthAccessBuilder], Iterable[AuthAccessDefinition]], path: str = "define_auth.access"
) -> list[AuthAccessDefinition]:
    """Run a user's ``access`` callback and check what it returns, reporting every problem at once."""
    if not callable(access):
        raise DefinitionError(
            "define_auth",
            [Problem(path, "must be a function such as lambda allow: [allow.resource(fn).to([\"manage_users\"])].")],
        )
    try:
        rules = access(AuthAccessBuilder())
    except AmpyUserError as error:
        raise DefinitionError("define_auth", [Problem(path, error.message, error.resolution)]) from error
    problems: list[Problem] = []
    result: list[AuthAccessDefinition] = []
    if not isinstance(rules, Iterable):
        problems.append(Problem(path, f"must return a list of rules, got {type(rules).__name__}."))
        rules = []
    for index, rule in enumerate(rules):
        if not isinstance(rule, AuthAccessDefinition):
            problems.append(
                Problem(f"{path}[{index}]", f"is not an access rule ({type(rule).__name__}).", "Build it with allow.resource(fn).to([...]).")
            )
        elif not rule.actions:
            # Amplify: EmptyPolicyError
            problems.append(
                Problem(
                    f"{path}[{index}]",
                    "At least one action must be specified.",
                    "Ensure all resource access rules specify at least one action.",
                )
            )
        else:
            result.append(rule)
    if problems:
        raise DefinitionError("define_auth", problems)
    return result


def iam_actions_for(actions: Iterable[str]) -> list[str]:
    """The IAM actions the auth actions grant, de-duplicated in first-seen order (as Amplify's Set)."""
    seen: dict[str, None] = {}
    for action in actions:
        for iam_action in AUTH_ACTIONS[action]:
            seen.setdefault(iam_action, None)
    return list(seen)


def user_pool_id_env_name(auth_name: str = DEFAULT_AUTH_NAME) -> str:
    """Amplify's env var for the pool ID: SCREAMING_SNAKE of ``<authName>_USERPOOL_ID``."""
    words = re.findall(r"[A-Z]{2,}(?=[A-Z][a-z]|[^A-Za-z]|$)|[A-Z]?[a-z]+|[A-Z]+|\d+", f"{auth_name}_USERPOOL_ID")
    return "_".join(words).upper()


def grant_auth_access(
    function: aws_lambda.IFunction,
    user_pool: aws_cognito.IUserPool,
    actions: Sequence[str],
    *,
    auth_name: str = DEFAULT_AUTH_NAME,
    set_user_pool_id: bool = True,
) -> aws_iam.Policy:
    """Attach to ``function``'s role a policy allowing ``actions`` on ``user_pool``; set the pool ID env var.

    The policy is a separate ``userpoolAccess<n>`` resource in the pool's stack,
    as Amplify creates it. Amplify hands the pool ID to the function through an
    SSM parameter resolved at runtime; here the variable holds the pool ID
    directly. That is a dependency from the function to the pool, so for a
    function that is also a trigger of the same pool (the pool depends on the
    function) pass ``set_user_pool_id=False`` to avoid a circular dependency:
    Cognito passes ``userPoolId`` in every trigger event.
    """
    from amplify_py._node import ensure_jsii_node

    ensure_jsii_node()
    from aws_cdk import Stack
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_

    if not actions:
        raise AmpyUserError(
            "EmptyPolicyError",
            "At least one action must be specified.",
            "Ensure all resource access rules specify at least one action.",
        )
    _require_known(actions)
    role = function.role
    if role is None:
        raise AmpyUserError(
            "InvalidAccessGranteeError",
            f"The function {function.node.path} has no execution role to attach the user pool policy to.",
            "Grant access to a function created in this app (define_function or aws_lambda.Function).",
        )
    stack = Stack.of(user_pool)
    count = 1
    while stack.node.try_find_child(f"userpoolAccess{count}") is not None:
        count += 1
    policy = iam.Policy(
        stack,
        f"userpoolAccess{count}",
        statements=[iam.PolicyStatement(actions=iam_actions_for(actions), resources=[user_pool.user_pool_arn])],
    )
    policy.attach_to_role(role)
    if set_user_pool_id and isinstance(function, lambda_.Function):
        function.add_environment(user_pool_id_env_name(auth_name), user_pool.user_pool_id)
    return policy
