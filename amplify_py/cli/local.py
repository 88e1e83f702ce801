"""``ampy local serve``: run the local engine on its own (for scripts and tests)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

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
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (127.0.0.1 unless you mean it)."),
    region: str = typer.Option("us-east-1", "--region", help="Region used in pool ids and token issuers."),
    debug: bool = debug_option(),
) -> None:
    """Serve the engine until interrupted, printing delivered codes as they are sent."""
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

    engine = LocalEngine(state_dir, host=host, port=port, region=region, on_message=show, on_log=log)
    # Pools and trigger runners first, so that a client never reaches the port before its pool exists.
    for deployment_id in engine.restore_triggers():
        console.print(f"Triggers of {deployment_id} run locally.")
    for path, body in templates:
        result = engine.deploy(path.stem.split(".")[0], body)
        console.print(f"Deployed {path.name}: " + ", ".join(f"{k}={v}" for k, v in result.physical_ids.items()))
    try:
        engine.start()
    except OSError as exc:
        raise AmpyUserError("PortUnavailableError", f"Cannot listen on {host}:{port}: {exc}",
                            "Choose another port with --port, or stop the process using it.") from exc
    console.print(f"Local engine listening on [bold]{engine.endpoint}[/] (state in {state_dir}); Ctrl+C to stop.")
    console.print(f"Admin operations must be signed with its local credentials: {engine.credentials_path} "
                  f"(AWS_ACCESS_KEY_ID={engine.credentials.access_key_id}).")
    try:
        threading.Event().wait()
    finally:
        engine.stop()
