"""``ampy``'s entry point: registers the command groups on the app and is its single error handler."""

from __future__ import annotations

import os
import sys
import traceback

import typer
from rich.console import Console
from rich.markup import escape

from amplify_py.cli._common import app, debug_enabled, set_debug
from amplify_py.errors import AmpyError, AmpyFault, AmpyUserError

__all__ = ["app", "main", "render_error"]


def _register_commands() -> None:
    """Each command group lives in its own module and registers itself on ``app``."""
    from amplify_py.cli import synth, init, generate, local, sandbox, sandbox_secret, pipeline  # noqa: F401
    from amplify_py.cli import sandbox_users, sandbox_codes, sandbox_reset  # noqa: F401
    from amplify_py.cli import local_ca  # noqa: F401


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("AMPY_DEBUG") == "1"


def main(argv: list[str] | None = None) -> int:
    """Run ``ampy``; the one place where errors become messages and exit codes."""
    argv = list(sys.argv[1:] if argv is None else argv)
    set_debug(_debug_requested(argv))
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        _register_commands()
        # Without standalone mode typer returns exit codes (typer.Exit, and 130 for Ctrl-C) instead of exiting.
        code = app(args=argv, prog_name="ampy", standalone_mode=False)
    except AmpyError as exc:
        return render_error(exc, err, debug=debug_enabled())
    except KeyboardInterrupt:
        return _interrupted(err)
    except SystemExit as exc:  # typer/click exits (e.g. --help)
        return int(exc.code or 0)
    except Exception as exc:  # noqa: BLE001 - the single handler turns bugs into AmpyFault
        import click

        # typer 0.29 vendors click: its usage errors derive from typer.TyperException, not click's.
        if isinstance(exc, (click.exceptions.ClickException, typer.TyperException)) and hasattr(exc, "show"):
            exc.show()
            return exc.exit_code
        if isinstance(exc, (click.exceptions.Abort, typer.Abort)):
            err.print("Aborted.")
            return 1
        fault = AmpyFault("UnexpectedError", f"{type(exc).__name__}: {exc}")
        fault.__cause__ = exc
        return render_error(fault, err, debug=debug_enabled())
    if code == _INTERRUPTED:
        return _interrupted(err)
    return code if isinstance(code, int) else 0


_INTERRUPTED = 130  # the shell's code for a process ended by Ctrl-C (SIGINT)


def _interrupted(err: Console) -> int:
    from amplify_py._node import expect_jsii_node_interrupted

    expect_jsii_node_interrupted()
    err.print("Interrupted.")
    return _INTERRUPTED


def render_error(exc: AmpyError, console: Console, *, debug: bool) -> int:
    kind = "Error" if isinstance(exc, AmpyUserError) else "Internal error"
    # Messages are plain text: escape them so "[a-zA-Z0-9-]" is not taken for rich markup.
    console.print(f"[bold red]{kind} ({exc.name}):[/] {escape(exc.message)}", markup=True)
    if exc.details:
        console.print(exc.details, markup=False)
    if exc.resolution:
        console.print(f"[bold]Resolution:[/] {escape(exc.resolution)}", markup=True)
    if debug:
        console.print("".join(traceback.format_exception(exc)), markup=False)
    elif not isinstance(exc, AmpyUserError):
        console.print("Re-run with --debug to see the traceback.")
    return 1 if isinstance(exc, AmpyUserError) else 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
