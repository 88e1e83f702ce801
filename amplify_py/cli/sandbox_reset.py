"""``ampy sandbox reset --users``: wipe a running sandbox's users, keep its pools, clients, groups and their ids.

Users are deleted one by one with ListUsers and AdminDeleteUser, Cognito's own API, so the reset
works on any running sandbox (background or watch mode) and each deletion takes the user's codes,
refresh tokens and group memberships with it, as Cognito's does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from amplify_py.cli._common import (
    debug_option,
    dir_option,
    identifier_option,
    invalid_input,
    resolve_project,
    sandbox_identifier,
)
from amplify_py.cli.factory import get_factory
from amplify_py.cli.sandbox import sandbox_app

__all__ = ["reset"]


@sandbox_app.command("reset")
def reset(
    users: bool = typer.Option(False, "--users", help="Delete every user of the sandbox's user pool (with their codes, tokens and group memberships)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    identifier: Optional[str] = identifier_option(),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Wipe a running local sandbox's users; its pools, clients and groups (and their ids) stay"""
    if not users:
        raise invalid_input("Nothing to reset: say what to wipe.",
                            "Pass --users to delete every user of the sandbox's user pool (the pool stays).")
    name = sandbox_identifier(identifier)
    directory = get_factory().sandbox_users(resolve_project(dir_), name)
    out = Console(highlight=False, soft_wrap=True)
    count = len(directory.usernames())
    if count == 0:
        out.print(f"Pool {directory.pool_id} of sandbox {name} has no users; nothing was deleted.", markup=False)
        return
    noun = "user" if count == 1 else "users"
    prompt = (f"Delete all {count} {noun} of pool {directory.pool_id} in sandbox {name} "
              "(the pool, its clients and groups stay)?")
    if not yes and not typer.confirm(prompt, default=False):
        out.print("Nothing was deleted.", markup=False)
        raise typer.Exit(0)
    removed = directory.delete_all_users()
    out.print(f"Removed {removed} {'user' if removed == 1 else 'users'} from pool {directory.pool_id} of sandbox "
              f"{name}; the pool, its clients and groups are unchanged.", markup=False)
