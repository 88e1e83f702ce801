"""``ampy sandbox secret set|get|list|remove``: a sandbox's secrets, as ``ampx sandbox secret``.

A local sandbox keeps them in ``.amplify/sandbox/<identifier>/secrets.json``; an AWS one
(``--target aws`` or ``--profile``) in SSM Parameter Store at ampx's paths. ``set`` reads the
value from a hidden prompt, or from stdin when stdin is not a terminal (never from argv).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console

from amplify_py.cli._common import (
    Target,
    debug_option,
    deploy_target,
    dir_option,
    identifier_option,
    profile_option,
    read_hidden_input,
    resolve_project,
    sandbox_identifier,
)
from amplify_py.cli.factory import get_factory
from amplify_py.cli.sandbox import sandbox_app
from amplify_py.errors import AmpyUserError

if TYPE_CHECKING:
    from amplify_py.sandbox.secrets import SecretStore

__all__ = ["secret_app"]

secret_app = typer.Typer(name="secret", help="Manage sandbox secrets.", no_args_is_help=True)
sandbox_app.add_typer(secret_app)

_TARGET_HELP = "Where the sandbox's secrets live: the local sandbox (default) or AWS (SSM Parameter Store)."


def _store(identifier: Optional[str], target: Optional[Target], profile: Optional[str],
           dir_: Optional[Path]) -> SecretStore:
    project = resolve_project(dir_)
    return get_factory().secret_store(project, sandbox_identifier(identifier), target=deploy_target(target, profile),
                                      profile=profile)


def _read_value() -> str:
    """A hidden prompt on a terminal (ampx's 'Enter secret value'), else stdin without its final newline."""
    return read_hidden_input(
        "Enter secret value", what="secret value",
        empty_resolution="Type the value at the prompt, or pipe it in: "
                         "`printf %s \"$VALUE\" | ampy sandbox secret set NAME`.")


def _out() -> Console:
    return Console(highlight=False, soft_wrap=True)


@secret_app.command("set")
def set_secret(
    secret_name: str = typer.Argument(..., help="Name of the secret to set"),
    identifier: Optional[str] = identifier_option(),
    profile: Optional[str] = profile_option(),
    target: Optional[Target] = typer.Option(None, "--target", help=_TARGET_HELP),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Set a sandbox secret"""
    from amplify_py.sandbox.secrets import validate_secret_name

    validate_secret_name(secret_name)
    store = _store(identifier, target, profile, dir_)
    record = store.set(secret_name, _read_value())
    _out().print(f"Successfully created version {record.version} of secret {record.name}", markup=False)


@secret_app.command("get")
def get_secret(
    secret_name: str = typer.Argument(..., help="Name of the secret to get"),
    identifier: Optional[str] = identifier_option(),
    profile: Optional[str] = profile_option(),
    target: Optional[Target] = typer.Option(None, "--target", help=_TARGET_HELP),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Get a sandbox secret (prints its value, as ampx does)"""
    record = _store(identifier, target, profile, dir_).get(secret_name)
    lines = [f"name: {record.name}", f"version: {record.version}", f"value: {record.value}"]
    if record.last_updated is not None:
        lines.append(f"lastUpdated: {record.last_updated.isoformat()}")
    _out().print("\n".join(lines), markup=False)


@secret_app.command("list")
def list_secrets(
    identifier: Optional[str] = identifier_option(),
    profile: Optional[str] = profile_option(),
    target: Optional[Target] = typer.Option(None, "--target", help=_TARGET_HELP),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """List all sandbox secrets"""
    records = _store(identifier, target, profile, dir_).list()
    if records:
        _out().print("\n".join(f" - {r.name}" for r in records), markup=False)
    else:
        _out().print("No sandbox secrets found. To create a secret use `ampy sandbox secret set <secret-name>`.",
                     markup=False)


@secret_app.command("remove")
def remove_secret(
    secret_name: Optional[str] = typer.Argument(None, help="Name of the secret to remove"),
    all_: bool = typer.Option(False, "--all", help="Remove all secrets"),
    identifier: Optional[str] = identifier_option(),
    profile: Optional[str] = profile_option(),
    target: Optional[Target] = typer.Option(None, "--target", help=_TARGET_HELP),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Remove a sandbox secret"""
    if bool(secret_name) == all_:
        raise AmpyUserError("InvalidCommandInputError", "Either secret-name or all flag must be provided",
                            "Provide either secret-name or all flag")
    store = _store(identifier, target, profile, dir_)
    if secret_name:
        store.remove(secret_name)
        _out().print(f"Successfully removed secret {secret_name}", markup=False)
    else:
        store.remove_all()
        _out().print("Successfully removed all secrets", markup=False)
