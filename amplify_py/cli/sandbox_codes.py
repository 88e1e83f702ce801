"""``ampy sandbox codes [ADDRESS] [--follow]``: the messages a local sandbox sent, newest first, codes highlighted.

Reads the sandbox's outbox (``.amplify/sandbox/<identifier>/outbox.jsonl``); the engine need not be
running. ``--follow`` keeps printing new messages as the engine sends them, until Ctrl-C.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from amplify_py.cli._common import debug_option, dir_option, identifier_option, resolve_project, sandbox_identifier
from amplify_py.cli.factory import get_factory
from amplify_py.cli.sandbox import sandbox_app

if TYPE_CHECKING:
    from amplify_py.sandbox.codes import OutboxMessage

__all__ = ["codes"]


def _when(message: OutboxMessage) -> str:
    return message.timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _code(message: OutboxMessage) -> str:
    return f"[bold yellow]{escape(message.code)}[/]" if message.code else "—"


def _line(message: OutboxMessage) -> str:
    """One followed message, as the sandbox's console prints it."""
    text = (f"[dim]{_when(message)}[/] [magenta]✉ {escape(message.medium)}[/] to [bold]{escape(message.recipient)}[/]"
            f" [dim]({escape(message.kind)})[/]")
    if message.subject:
        text += f": {escape(message.subject)}"
    return text + (f"  code {_code(message)}" if message.code else f"  [dim]{escape(message.body)}[/]")


@sandbox_app.command("codes")
def codes(
    address: Optional[str] = typer.Argument(None, help="Show only messages to this email or phone (or any part of it, case-insensitive)."),
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing new messages as they are sent, until Ctrl-C."),
    limit: int = typer.Option(20, "--limit", min=0, help="How many of the newest messages to show (0: all)."),
    identifier: Optional[str] = identifier_option(),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Show the codes and messages the local sandbox sent (its outbox), newest first"""
    name = sandbox_identifier(identifier)
    outbox = get_factory().sandbox_outbox(resolve_project(dir_), name)
    out = Console(highlight=False, soft_wrap=True)
    messages = outbox.messages(address=address, limit=limit or None)
    if messages:
        table = Table(title=f"Messages of sandbox {escape(name)}, newest first", title_justify="left")
        table.add_column("Sent", no_wrap=True)
        table.add_column("To", overflow="fold")
        table.add_column("Medium", no_wrap=True)
        table.add_column("Kind", no_wrap=True)
        table.add_column("Code", no_wrap=True)
        table.add_column("Subject", overflow="fold")
        for message in messages:
            table.add_row(_when(message), escape(message.recipient), escape(message.medium), escape(message.kind),
                          _code(message), escape(message.subject or "—"))
        out.print(table)
    else:
        to = f" to {address}" if address else ""
        out.print(f"No messages{to} yet in sandbox {name}.", markup=False)
    if not follow:
        return
    out.print("[dim]Waiting for new messages (Ctrl-C to stop)…[/]")
    try:
        outbox.follow(lambda message: out.print(_line(message)), address=address)
    except KeyboardInterrupt:
        out.print("")  # Ctrl-C is how --follow ends: no error, exit code 0
