"""What the sandbox shows in the terminal: steps with spinners and durations, the
endpoint, every message the local engine sends, per-resource progress on AWS."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape

from amplify_py.errors import RUN_AGAIN, AmpyError, AmpyUserError

__all__ = ["SandboxConsole"]


class SandboxConsole:
    """A thin layer over a rich Console; one place for the sandbox's wording."""

    def __init__(self, console: Console | None = None, *, debug: bool = False) -> None:
        self.console = console or Console(highlight=False, soft_wrap=True)
        self.debug = debug
        self._status: Any = None

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        """Show a spinner while the step runs, then ✔/✘ with its duration."""
        started = time.perf_counter()
        status = self.console.status(f"{escape(title)}…", spinner="dots")
        self._status = status
        status.start()
        try:
            yield
        except BaseException:
            status.stop()
            self._status = None
            self.console.print(f"[red]✘[/] {escape(title)} [dim]({time.perf_counter() - started:.2f} s)[/]")
            raise
        status.stop()
        self._status = None
        self.console.print(f"[green]✔[/] {escape(title)} [dim]({time.perf_counter() - started:.2f} s)[/]")

    def update(self, text: str) -> None:
        """Change the running step's spinner text (AWS resource progress)."""
        if self._status is not None:
            self._status.update(escape(text))

    def info(self, text: str) -> None:
        self.console.print(escape(text))

    def note(self, text: str) -> None:
        self.console.print(f"[dim]{escape(text)}[/]")

    def warning(self, text: str) -> None:
        """Something the user must read: a resource replaced, user data at stake."""
        self.console.print(f"[bold yellow]{escape(text)}[/]")

    def success(self, text: str) -> None:
        self.console.print(f"[bold green]{escape(text)}[/]")

    def endpoint(self, url: str) -> None:
        self.console.print(f"[bold]Local engine:[/] [cyan]{escape(url)}[/]")

    def local_credentials(self, access_key_id: str, secret_access_key: str, region: str, where: str) -> None:
        """The local engine's AWS credentials: its admin operations (boto3, the AWS CLI) must be signed with them."""
        self.console.print(f"[bold]Local credentials[/] for admin calls (signed, as IAM ones on AWS; also in {escape(where)}):")
        self.console.print(f"  AWS_ACCESS_KEY_ID={escape(access_key_id)} AWS_SECRET_ACCESS_KEY={escape(secret_access_key)} "
                           f"AWS_REGION={escape(region)}")

    def console_link(self, url: str) -> None:
        """The local console's address, token included (like a notebook server's): open it in a browser."""
        self.console.print(f"[bold]Console:[/] [cyan]{escape(url)}[/] [dim](pools, users, codes; keep the token to yourself)[/]")

    def engine_message(self, message: dict[str, Any]) -> None:
        """One message the engine "delivered" (verification code, invitation, MFA code...)."""
        medium = str(message.get("medium") or message.get("delivery_medium") or "message").upper()
        recipient = message.get("recipient") or message.get("destination") or "?"
        subject = message.get("subject")
        code = message.get("code")
        kind = message.get("kind")
        head = f"[magenta]✉ {escape(medium)}[/] to [bold]{escape(str(recipient))}[/]"
        if kind:
            head += f" [dim]({escape(str(kind))})[/]"
        if subject:
            head += f": {escape(str(subject))}"
        if code:
            head += f"  [bold yellow]code {escape(str(code))}[/]"
        self.console.print(head)
        body = message.get("body") or message.get("message")
        if body and (self.debug or not code):
            self.console.print(f"  [dim]{escape(str(body))}[/]")

    def function_log(self, source: str, line: str) -> None:
        """A line a trigger function logged (its prints, START/END, tracebacks) on the local engine."""
        self.console.print(f"[blue]λ {escape(source)}[/] {escape(line)}")

    def resource_event(self, event: Any) -> None:
        """A CloudFormation event from the toolkit: progress in the spinner, failures and completions as lines."""
        counter = f"{event.done}/{event.total} " if event.done is not None and event.total else ""
        self.update(f"Deploying to AWS: {counter}{event.status} {event.resource_type} {event.logical_id}")
        if event.failed:
            self.console.print(
                f"  [red]{escape(event.status)}[/] {escape(event.resource_type)} {escape(event.logical_id)}"
                f" [dim]{escape(event.reason)}[/]"
            )
        elif event.status.endswith("_COMPLETE") and event.resource_type != "AWS::CloudFormation::Stack":
            self.console.print(f"  [dim]{escape(event.status)} {escape(event.resource_type)} {escape(event.logical_id)}[/]")

    def toolkit_line(self, line: str) -> None:
        if self.debug:
            self.console.print(f"[dim]{escape(line)}[/]")

    def error(self, exc: AmpyError, *, watching: bool = False) -> None:
        """An error with its resolution; while watching, the fix is to save again, not to run the command again."""
        kind = "Error" if isinstance(exc, AmpyUserError) else "Internal error"
        self.console.print(f"[bold red]{kind} ({escape(exc.name)}):[/] {escape(exc.message)}")
        if exc.details:
            self.console.print(escape(exc.details))
        resolution = exc.resolution
        if watching and resolution:
            resolution = resolution.replace(RUN_AGAIN, "save again (the sandbox redeploys on every save)")
        if resolution:
            self.console.print(f"[bold]Resolution:[/] {escape(resolution)}")
