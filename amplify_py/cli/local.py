"""``ampy local serve``: run the local engine on its own (for scripts and tests).

It is also the background engine ``ampy sandbox --once`` leaves serving. Told to stop (SIGTERM from
``ampy sandbox stop`` or anyone, SIGINT from Ctrl-C), it writes why to its output (``server.log`` there),
stops the server cleanly and removes the background engine's record (``server.json``) if it is its own.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

from amplify_py.cli._common import app, debug_option
from amplify_py.errors import AmpyUserError

__all__ = ["local_app"]

local_app = typer.Typer(help="Run the local Cognito-compatible engine.", no_args_is_help=True)
app.add_typer(local_app, name="local")


@local_app.command("serve")
def serve(
    port: int = typer.Option(0, "--port", help="Port to listen on (0 picks a free one)."),
    state_dir: Path = typer.Option(Path(".amplify/sandbox"), "--state-dir", help="Where users, keys and the outbox live."),
    template: list[Path] = typer.Option([], "--template", help="CloudFormation template(s) to deploy at start."),
    allow_replacement: bool = typer.Option(False, "--allow-replacement", help="Let a --template replace a user pool that holds users (deleting them) when its change cannot be made in place."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (127.0.0.1 unless you mean it)."),
    region: str = typer.Option("us-east-1", "--region", help="Region used in pool ids and token issuers."),
    workers: int = typer.Option(0, "--workers", min=0, help="Processes that serve requests (0: two on a machine with two or more cores, else one)."),
    managed_login_port: Optional[int] = typer.Option(
        None, "--managed-login-port",
        help="HTTPS port for managed login of pools with a domain (default: the next port; 0 picks a free one)."),
    debug: bool = debug_option(),
) -> None:
    """Serve the engine until interrupted, printing delivered codes as they are sent.

    It prints the local console's address with its token; the token is AMPY_CONSOLE_TOKEN if that is set,
    else a new one each start."""
    from amplify_py.local import LocalEngine

    console = Console(highlight=False, soft_wrap=True)  # no wrapping at 80 columns in server.log

    def show(message: dict) -> None:
        console.print(f"[bold]{message['medium']}[/] to {message['recipient']} ({message['kind']}): code {message['code']}")

    templates = []
    for path in template:
        try:
            templates.append((path, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError) as exc:
            raise AmpyUserError("TemplateUnreadableError", f"Cannot read template {path}: {exc}",
                                "Pass a synthesized CloudFormation template in JSON (ampy synth writes one).") from exc
    def log(source: str, line: str) -> None:
        console.print(f"[dim]{escape(source)}[/] {escape(line)}")

    from amplify_py.deploy.background_engine import CONSOLE_TOKEN_ENV, LISTENING

    with _StopSignals() as signals:  # taken before the port opens, so no stop request is missed
        from amplify_py.local.workers import default_workers

        login_port = managed_login_port if managed_login_port is not None else (port + 1 if port else 0)
        engine = LocalEngine(state_dir, host=host, port=port, region=region, on_message=show, on_log=log,
                             console_token=os.environ.get(CONSOLE_TOKEN_ENV) or None, managed_login_port=login_port,
                             workers=workers or default_workers())
        try:
            # Pools and trigger runners first, so that a client never reaches the port before its pool exists.
            for deployment_id in engine.restore_triggers():
                console.print(f"Triggers of {deployment_id} run locally.")
            for path, body in templates:
                _deploy_template(engine, path, body, allow_replacement, console)
            try:
                engine.start()
            except OSError as exc:
                raise AmpyUserError("PortUnavailableError", f"Cannot listen on {host}:{port}: {exc}",
                                    "Choose another port with --port, or stop the process using it.") from exc
        except BaseException:
            engine.stop()
            raise
        served_by = f"{engine.workers} processes" if engine.workers > 1 else "1 process"
        console.print(f"{LISTENING} [bold]{engine.endpoint}[/] (state in {state_dir}, {served_by}); "
                      "Ctrl+C to stop.")
        if engine.context.managed_login_domain:
            console.print(f"Managed login on [bold]https://{engine.context.managed_login_domain}[/] "
                          "(`ampy local ca` shows how to trust its certificate).")
        console.print(f"Console: {escape(engine.console_url)}")
        console.print(f"Admin operations must be signed with its local credentials: {engine.credentials.path} "
                      f"(AWS_ACCESS_KEY_ID={engine.credentials.access_key_id}).")
        console.file.flush()
        _serve_until_stopped(engine, state_dir, console, signals)


def _deploy_template(engine: Any, path: Path, body: dict, allow_replacement: bool, console: Console) -> None:
    from amplify_py.local import ReplacementRefused

    try:
        result = engine.deploy(path.stem.split(".")[0], body, allow_replacement=allow_replacement)
    except ReplacementRefused as refused:
        raise AmpyUserError(
            "ReplacementRefusedError", f"Deploying {path.name} {refused.plan.summary()}. Nothing was changed.",
            "Revert the template to keep the data, or pass --allow-replacement to replace (deleting it).",
            details=refused.plan.describe()) from None
    console.print(f"Deployed {path.name}: " + ", ".join(f"{k}={v}" for k, v in result.physical_ids.items()))
    for change in result.changes:
        console.print(f"{'Replaced' if change.action == 'replace' else 'Deleted'} {escape(change.describe())}")


class _StopSignals:
    """SIGTERM and SIGINT, while inside: each sets ``stop`` and is remembered (the previous handlers come back)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.received: list[str] = []
        self._previous: dict[signal.Signals, Any] = {}

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self.received.append(signal.Signals(signum).name)
        self.stop.set()

    def __enter__(self) -> "_StopSignals":
        self._previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def _serve_until_stopped(engine: Any, state_dir: Path, console: Console, signals: _StopSignals) -> None:
    """Wait for SIGTERM or SIGINT; then log why, stop the server and remove our own ``server.json``."""
    from amplify_py.deploy.background_engine import forget_server, log_stop

    reason = "stopped"
    try:
        while not signals.stop.wait(0.5):  # a short wait, so the handler runs promptly on every platform
            pass
        reason = f"received {signals.received[0]} (pid {os.getpid()})"
    except BaseException as exc:
        reason = f"{type(exc).__name__}: {exc} (pid {os.getpid()})"
        raise
    finally:
        console.print(escape(log_stop(reason)))
        console.file.flush()
        try:
            engine.stop()
        finally:
            forget_server(state_dir, os.getpid())
