"""The users of a running local sandbox, managed through Cognito's own admin API.

Every operation is a Cognito call (ListUsers, AdminGetUser, AdminCreateUser, ...) against the
sandbox's engine, so it works the same on the background engine of ``ampy sandbox --once`` and
inside a running ``ampy sandbox``. Cognito's errors become user errors with Cognito's name and
message, and say which user, pool and sandbox they are about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from amplify_py.errors import AmpyUserError
from amplify_py.sandbox.admin import RunningSandbox

__all__ = ["SandboxUsers", "UserDetails", "UserSummary"]

_T = TypeVar("_T")

# How to fix what Cognito refused, by its error name.
_RESOLUTIONS = {
    "UserNotFoundException": "`ampy sandbox users list{flag}` shows the pool's users.",
    "UsernameExistsException": "Choose another username, or delete the user first with "
                               "`ampy sandbox users delete USERNAME{flag}`.",
    "InvalidPasswordException": "Choose a password that meets the pool's password policy "
                                "(the message above names the rule it breaks).",
    "InvalidParameterException": "Check the values against the pool: attributes are NAME=VALUE with the "
                                 "pool's attribute names (email, phone_number in E.164 like +15555550100, "
                                 "custom:NAME for custom attributes).",
    "NotAuthorizedException": "`ampy sandbox users show USERNAME{flag}` shows the user's status.",
    "UserLambdaValidationException": "A trigger function refused the call; its output is in the sandbox's console "
                                     "(or its server.log).",
}


@dataclass(frozen=True)
class UserSummary:
    """One row of ``ampy sandbox users list``."""

    username: str
    status: str
    enabled: bool
    attributes: dict[str, str]
    groups: tuple[str, ...]
    mfa: tuple[str, ...]  # Cognito's UserMFASettingList: SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP
    preferred_mfa: str | None


@dataclass(frozen=True)
class UserDetails(UserSummary):
    """What ``ampy sandbox users show`` prints."""

    created: datetime | None = None
    modified: datetime | None = None


class SandboxUsers:
    """The user directory of one running sandbox's user pool."""

    def __init__(self, sandbox: RunningSandbox, client: Any | None = None) -> None:
        self.sandbox = sandbox
        self.pool_id = sandbox.user_pool_id
        self._client = client if client is not None else sandbox.client()

    # -- reading -------------------------------------------------------------------------------------
    def usernames(self) -> list[str]:
        """Every username in the pool, in ListUsers' order."""
        return [user["Username"] for user in self._list_users()]

    def list_users(self) -> list[UserSummary]:
        """Every user with attributes, groups and MFA (one AdminGetUser per user: ListUsers has no MFA)."""
        members = self._group_members()
        return [self._details(user["Username"], members) for user in self._list_users()]

    def get_user(self, username: str) -> UserDetails:
        return self._details(username, None)

    # -- changing ------------------------------------------------------------------------------------
    def create_user(self, username: str, password: str, *, attributes: Mapping[str, str] | None = None,
                    groups: Sequence[str] = ()) -> UserDetails:
        """A confirmed user with a permanent password, as Cognito's console creates one with a set password.

        AdminCreateUser without an invitation (the password is known), then AdminSetUserPassword
        (permanent), then AdminAddUserToGroup for each group.
        """
        created = self._call(username, lambda: self._client.admin_create_user(
            UserPoolId=self.pool_id, Username=username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in (attributes or {}).items()]))
        name = created["User"]["Username"]  # the sub, when the pool signs in with email or phone
        try:
            self._call(username, lambda: self._client.admin_set_user_password(
                UserPoolId=self.pool_id, Username=name, Password=password, Permanent=True))
            for group in groups:
                self.add_to_group(name, group)
        except AmpyUserError:
            self._client.admin_delete_user(UserPoolId=self.pool_id, Username=name)  # no half-made user stays
            raise
        return self.get_user(name)

    def delete_user(self, username: str) -> None:
        self._call(username, lambda: self._client.admin_delete_user(UserPoolId=self.pool_id, Username=username))

    def confirm_user(self, username: str) -> None:
        """AdminConfirmSignUp: an UNCONFIRMED user (signed up, code not entered) becomes CONFIRMED."""
        self._call(username, lambda: self._client.admin_confirm_sign_up(UserPoolId=self.pool_id, Username=username))

    def set_password(self, username: str, password: str, *, temporary: bool = False) -> None:
        """AdminSetUserPassword; a temporary one must be changed at the next sign-in (FORCE_CHANGE_PASSWORD)."""
        self._call(username, lambda: self._client.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=password, Permanent=not temporary))

    def add_to_group(self, username: str, group: str) -> None:
        try:
            self._call(username, lambda: self._client.admin_add_user_to_group(
                UserPoolId=self.pool_id, Username=username, GroupName=group), group=group)
        except AmpyUserError as exc:
            if exc.name != "ResourceNotFoundException":
                raise
            names = sorted(g["GroupName"] for g in self._call(None, lambda: self._client.list_groups(
                UserPoolId=self.pool_id)).get("Groups", []))
            known = f"The pool's groups: {', '.join(names)}." if names else "The pool has no groups."
            raise AmpyUserError(exc.name, exc.message,
                                f"{known} Groups come from define_auth(groups=[...]).") from exc.__cause__

    def delete_all_users(self, on_deleted: Callable[[str], None] | None = None) -> int:
        """AdminDeleteUser for every user (their codes, tokens and group memberships go with them).

        The pool, its clients and groups, and their ids stay. Returns how many users were deleted.
        """
        count = 0
        for username in self.usernames():
            self.delete_user(username)
            count += 1
            if on_deleted is not None:
                on_deleted(username)
        return count

    # -- helpers -------------------------------------------------------------------------------------
    def _list_users(self) -> Iterator[dict[str, Any]]:
        pages = self._client.get_paginator("list_users").paginate(UserPoolId=self.pool_id)
        for page in self._call(None, lambda: list(pages)):
            yield from page.get("Users", [])

    def _group_members(self) -> dict[str, list[str]]:
        """{username: [group, ...]} from ListGroups and ListUsersInGroup (one call per group, not per user)."""
        members: dict[str, list[str]] = {}
        groups = self._call(None, lambda: self._client.list_groups(UserPoolId=self.pool_id)).get("Groups", [])
        for group in sorted(groups, key=lambda g: (g.get("Precedence", 0), g["GroupName"])):
            users = self._call(None, lambda: self._client.list_users_in_group(
                UserPoolId=self.pool_id, GroupName=group["GroupName"])).get("Users", [])
            for user in users:
                members.setdefault(user["Username"], []).append(group["GroupName"])
        return members

    def _details(self, username: str, members: dict[str, list[str]] | None) -> UserDetails:
        user = self._call(username, lambda: self._client.admin_get_user(UserPoolId=self.pool_id, Username=username))
        name = user["Username"]
        if members is None:
            groups = [g["GroupName"] for g in self._call(username, lambda: self._client.admin_list_groups_for_user(
                UserPoolId=self.pool_id, Username=name)).get("Groups", [])]
        else:
            groups = members.get(name, [])
        return UserDetails(
            username=name, status=user.get("UserStatus", ""), enabled=bool(user.get("Enabled", True)),
            attributes={a["Name"]: a.get("Value", "") for a in user.get("UserAttributes", [])},
            groups=tuple(groups), mfa=tuple(user.get("UserMFASettingList") or ()),
            preferred_mfa=user.get("PreferredMfaSetting"),
            created=user.get("UserCreateDate"), modified=user.get("UserLastModifiedDate"),
        )

    def _call(self, username: str | None, call: Callable[[], _T], *, group: str | None = None) -> _T:
        """Run a Cognito call; its ClientError becomes a user error that says what, where and how to fix it."""
        from botocore.exceptions import ClientError, EndpointConnectionError

        try:
            return call()
        except EndpointConnectionError:
            raise AmpyUserError(
                "NoSandboxRunningError",
                f"The local engine of sandbox {self.sandbox.identifier} stopped answering on {self.sandbox.endpoint}.",
                "Start the sandbox again (`ampy sandbox --once` or `ampy sandbox`), then run this command again.",
            ) from None
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = error.get("Code", "ClientError"), error.get("Message", str(exc))
            subject = f"user {username} " if username else ""
            if group is not None and code == "ResourceNotFoundException":
                subject = f"group {group} "
            where = f"{subject}in pool {self.pool_id} of sandbox {self.sandbox.identifier}"
            resolution = _RESOLUTIONS.get(code, "See the message above; re-run with --debug for details.")
            raise AmpyUserError(code, f"{message} ({where})", resolution.format(flag=self._flag())) from exc

    def _flag(self) -> str:
        from amplify_py.sandbox.identifiers import identifier_flag

        return identifier_flag(self.sandbox.identifier)
