"""``ampy sandbox users list|show|create|delete|confirm|set-password|add-to-group``: a running sandbox's users.

Each command is one or a few Cognito admin calls against the sandbox's local engine (the
background one of ``ampy sandbox --once``, or a running ``ampy sandbox``); Cognito's errors are
shown with its names and messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from amplify_py.cli._common import (
    debug_option,
    dir_option,
    identifier_option,
    invalid_input,
    read_hidden_input,
    resolve_project,
    sandbox_identifier,
)
from amplify_py.cli.factory import get_factory
from amplify_py.cli.sandbox import sandbox_app

if TYPE_CHECKING:
    from amplify_py.cli.factory import UserDirectory
    from amplify_py.sandbox.users import UserDetails, UserSummary

__all__ = ["parse_attributes", "users_app"]

users_app = typer.Typer(name="users", help="See and manage the users of a running local sandbox.",
                        no_args_is_help=True)
sandbox_app.add_typer(users_app)

# Cognito's UserMFASettingList names, as the table shows them.
_MFA_NAMES = {"SOFTWARE_TOKEN_MFA": "TOTP", "SMS_MFA": "SMS", "EMAIL_OTP": "EMAIL"}
_PASSWORD_HELP = "The password (omit it to type it at a hidden prompt, or pipe it in)."


def _users(identifier: Optional[str], dir_: Optional[Path]) -> tuple[UserDirectory, str]:
    name = sandbox_identifier(identifier)
    return get_factory().sandbox_users(resolve_project(dir_), name), name


def _out() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _password(password: Optional[str]) -> str:
    if password is not None:
        if not password:
            raise invalid_input("The password is empty.", "Pass --password with the user's password.")
        return password
    return read_hidden_input("Password", what="password", confirm=True,
                             empty_resolution="Pass --password, type it at the prompt, or pipe it in.")


def parse_attributes(values: list[str]) -> dict[str, str]:
    """``--attribute NAME=VALUE`` options as Cognito attributes (names checked by the engine, as Cognito does)."""
    attributes: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        name = name.strip()
        if not sep or not name:
            raise invalid_input(f"--attribute {value!r} is not NAME=VALUE.",
                                "Write each attribute as NAME=VALUE, e.g. --attribute email=alice@example.com "
                                "--attribute custom:plan=pro.")
        if name in attributes:
            raise invalid_input(f"--attribute {name} is given twice.", f"Give {name} once.")
        attributes[name] = text
    return attributes


def _mfa(user: UserSummary) -> str:
    if not user.mfa:
        return "—"
    names = [_MFA_NAMES.get(m, m) for m in user.mfa]
    if user.preferred_mfa:
        preferred = _MFA_NAMES.get(user.preferred_mfa, user.preferred_mfa)
        names = [f"{n} (preferred)" if n == preferred else n for n in names]
    return ", ".join(names)


def _contact(user: UserSummary) -> str:
    return "\n".join(v for v in (user.attributes.get("email"), user.attributes.get("phone_number")) if v) or "—"


@users_app.command("list")
def list_users(
    identifier: Optional[str] = identifier_option(),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """List the users of the sandbox's user pool: username, email or phone, status, enabled, groups, MFA"""
    users, name = _users(identifier, dir_)
    rows = users.list_users()
    out = _out()
    if not rows:
        out.print(f"No users in pool {users.pool_id} of sandbox {name}. Create one with "
                  "`ampy sandbox users create USERNAME --password PASSWORD`.", markup=False)
        return
    table = Table(title=f"Users of {users.pool_id} (sandbox {escape(name)})", title_justify="left")
    for column in ("Username", "Email / phone", "Status", "Enabled", "Groups", "MFA"):
        table.add_column(column, overflow="fold")
    for user in rows:
        table.add_row(escape(user.username), escape(_contact(user)), escape(user.status),
                      "yes" if user.enabled else "[red]no[/]", escape(", ".join(user.groups) or "—"), _mfa(user))
    out.print(table)
    out.print(f"{len(rows)} user{'s' if len(rows) != 1 else ''}.", markup=False)


def _print_user(out: Console, user: UserDetails) -> None:
    lines = [
        ("Username", user.username),
        ("Status", user.status),
        ("Enabled", "yes" if user.enabled else "no"),
        ("Groups", ", ".join(user.groups) or "—"),
        ("MFA", _mfa(user)),
        ("Created", user.created.isoformat() if user.created else "—"),
        ("Modified", user.modified.isoformat() if user.modified else "—"),
    ]
    for label, value in lines:
        out.print(f"[bold]{label}:[/] {escape(value)}")
    table = Table("Attribute", "Value", title="Attributes", title_justify="left")
    for key, value in sorted(user.attributes.items()):
        table.add_row(escape(key), escape(value))
    out.print(table)


@users_app.command("show")
def show_user(
    username: str = typer.Argument(..., help="The user's username (or its email or phone, where the pool signs in with them)."),
    identifier: Optional[str] = identifier_option(),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Show one user: status, attributes, groups and MFA"""
    users, _name = _users(identifier, dir_)
    _print_user(_out(), users.get_user(username))


@users_app.command("create")
def create_user(
    username: str = typer.Argument(..., help="The new user's username (an email or phone where the pool signs in with them)."),
    password: Optional[str] = typer.Option(None, "--password", help=_PASSWORD_HELP),
    attribute: Optional[list[str]] = typer.Option(None, "--attribute", help="A user attribute as NAME=VALUE (repeatable), e.g. email=alice@example.com or custom:plan=pro."),
    group: Optional[list[str]] = typer.Option(None, "--group", help="A group to add the user to (repeatable)."),
    identifier: Optional[str] = identifier_option(),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Create a confirmed user with a permanent password (as Cognito's console does), no invitation sent"""
    attributes = parse_attributes(attribute or [])
    users, name = _users(identifier, dir_)
    created = users.create_user(username, _password(password), attributes=attributes, groups=group or [])
    known_as = f" (username {created.username})" if created.username != username else ""
    _out().print(f"Created user {username}{known_as} in pool {users.pool_id} of sandbox {name}: {created.status}"
                 + (f", in {', '.join(created.groups)}" if created.groups else "") + ".", markup=False)


@users_app.command("delete")
def delete_user(
    username: str = typer.Argument(..., help="The user to delete."),
    identifier: Optional[str] = identifier_option(),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Delete a user (with its codes, tokens and group memberships)"""
    users, name = _users(identifier, dir_)
    users.delete_user(username)
    _out().print(f"Deleted user {username} from pool {users.pool_id} of sandbox {name}.", markup=False)


@users_app.command("confirm")
def confirm_user(
    username: str = typer.Argument(..., help="The user to confirm."),
    identifier: Optional[str] = identifier_option(),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Confirm a user who signed up but did not enter the code (AdminConfirmSignUp)"""
    users, _name = _users(identifier, dir_)
    users.confirm_user(username)
    _out().print(f"Confirmed user {username}.", markup=False)


@users_app.command("set-password")
def set_password(
    username: str = typer.Argument(..., help="The user whose password to set."),
    password: Optional[str] = typer.Option(None, "--password", help=_PASSWORD_HELP),
    temporary: bool = typer.Option(False, "--temporary", help="The user must choose a new password at the next sign-in (FORCE_CHANGE_PASSWORD)."),
    identifier: Optional[str] = identifier_option(),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Set a user's password (AdminSetUserPassword), permanent unless --temporary"""
    users, _name = _users(identifier, dir_)
    users.set_password(username, _password(password), temporary=temporary)
    kind = "a temporary password (to change at the next sign-in)" if temporary else "a new permanent password"
    _out().print(f"User {username} has {kind}.", markup=False)


@users_app.command("add-to-group")
def add_to_group(
    username: str = typer.Argument(..., help="The user to add."),
    group: str = typer.Argument(..., help="The group, one of define_auth(groups=[...])."),
    identifier: Optional[str] = identifier_option(),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Add a user to a group (AdminAddUserToGroup)"""
    users, _name = _users(identifier, dir_)
    users.add_to_group(username, group)
    _out().print(f"Added user {username} to group {group}.", markup=False)
