"""What the command modules share: the root ``ampy`` app, the common options, and their checks.

Each command group lives in its own module and registers itself on :data:`app`;
``amplify_py.cli.app`` imports them and runs the app. This module imports no
command module, so the CLI has no import circle.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

from amplify_py.errors import AmpyUserError

__all__ = [
    "OutputsFormat",
    "Target",
    "app",
    "debug_enabled",
    "debug_option",
    "deploy_target",
    "dir_option",
    "identifier_option",
    "invalid_input",
    "profile_option",
    "read_hidden_input",
    "resolve_project",
    "sandbox_identifier",
    "set_debug",
]

app = typer.Typer(
    name="ampy",
    help="Amplify Gen 2 auth backends in Python: synthesize, run locally, deploy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state = {"debug": False}


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and verbose output."),
) -> None:
    _state["debug"] = debug or _state["debug"]


def set_debug(enabled: bool) -> None:
    """Set by ``main`` from the whole command line, before the command runs."""
    _state["debug"] = enabled


def debug_enabled() -> bool:
    """Whether ``--debug`` was given anywhere on the command line (before or after the command)."""
    return _state["debug"]


def debug_option(help: str = "Show tracebacks.") -> Any:  # noqa: A002 - typer's name
    """``--debug`` on every command, as ampx has it. ``main`` reads it from the whole command line."""
    return typer.Option(False, "--debug", help=help)


class Target(str, Enum):
    """Where a sandbox is deployed (``--target``)."""

    local = "local"
    aws = "aws"


class OutputsFormat(str, Enum):
    """``--outputs-format``: amplify_outputs.json or amplify_outputs.dart."""

    json = "json"
    dart = "dart"


_IDENTIFIER_HELP = "An optional identifier to distinguish between different sandboxes. Default is the name of the system user executing the process."
_DIR_HELP = "The project directory (the parent of amplify/). Defaults to the current directory."
_PROFILE_HELP = "An AWS profile name; implies --target aws."


def identifier_option() -> Any:
    """``--identifier`` of the sandbox commands."""
    return typer.Option(None, "--identifier", help=_IDENTIFIER_HELP)


def dir_option() -> Any:
    """``--dir``: the project directory."""
    return typer.Option(None, "--dir", help=_DIR_HELP)


def profile_option() -> Any:
    """``--profile``: an AWS profile, which means the AWS target."""
    return typer.Option(None, "--profile", help=_PROFILE_HELP)


def read_hidden_input(prompt: str, *, what: str, empty_resolution: str, confirm: bool = False) -> str:
    """A value typed at a hidden prompt on a terminal, else all of stdin without its final line ending.

    ``echo s3cr3t | ampy ...`` sends ``s3cr3t\n``; the newline is the shell's, not the value's
    (``printf %s`` sends none, and then nothing is stripped).
    """
    if sys.stdin is not None and sys.stdin.isatty():
        value = typer.prompt(prompt, hide_input=True, **({"confirmation_prompt": True} if confirm else {}))
    else:
        value = sys.stdin.read() if sys.stdin is not None else ""
        value = value[:-2] if value.endswith("\r\n") else value[:-1] if value.endswith("\n") else value
    if not value:
        raise invalid_input(f"The {what} is empty.", empty_resolution)
    return value


def invalid_input(message: str, resolution: str) -> AmpyUserError:
    """A usage mistake, with ampx's error name."""
    return AmpyUserError("InvalidCommandInputError", message, resolution)


def resolve_project(dir_: Optional[Path], command: str = "ampy sandbox") -> Path:
    """The project folder (--dir or the working directory); it must hold amplify/."""
    project = (dir_ or Path.cwd()).resolve()
    if not (project / "amplify").is_dir():
        raise AmpyUserError(
            "FileConventionError",
            f"No amplify/ folder in {project}.",
            f"Run {command} in the root of your project (the parent of the amplify/ folder), or pass --dir.",
        )
    return project


def sandbox_identifier(identifier: Optional[str]) -> str:
    """The validated ``--identifier``, or the default one (the OS user name)."""
    from amplify_py.sandbox.identifiers import default_identifier, validate_identifier

    return validate_identifier(identifier) if identifier is not None else default_identifier()


def deploy_target(target: Optional[Target], profile: Optional[str]) -> str:
    """``"local"`` or ``"aws"`` from ``--target`` and ``--profile`` (a profile means AWS)."""
    if profile and target == Target.local:
        raise invalid_input("--profile deploys to AWS and cannot be combined with --target local.",
                            "Drop --profile to run locally, or drop --target local to deploy to AWS.")
    if profile:
        return "aws"
    return (target or Target.local).value
