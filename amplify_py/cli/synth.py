"""``ampy synth`` (write the CloudFormation template) and the hidden ``ampy cdk-app`` (for cdk.json)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from amplify_py._files import write_text_atomic
from amplify_py.cli._common import app, debug_option
from amplify_py.cli.factory import get_factory
from amplify_py.deploy.synth import default_stack_name
from amplify_py.errors import AmpyUserError

__all__ = ["synth", "cdk_app", "summarize"]

DEFAULT_OUT = Path(".amplify") / "synth"


def summarize(template: dict[str, Any]) -> Table:
    counts = Counter(r.get("Type", "?") for r in template.get("Resources", {}).values())
    table = Table(show_edge=False, box=None, pad_edge=False)
    table.add_column("Resource type")
    table.add_column("Count", justify="right")
    for kind, count in sorted(counts.items()):
        table.add_row(kind, str(count))
    return table


@app.command()
def synth(
    project_dir: Path = typer.Option(Path("."), "--dir", help="The project folder (holds amplify/backend.py)."),
    out: Path = typer.Option(None, "--out", help="Where to write the templates (default: <dir>/.amplify/synth)."),
    stack_name: str = typer.Option(None, "--stack-name", help="Stack name (default: amplify-<project folder>)."),
    validate: bool = typer.Option(
        False, "--validate", help="Also run aws-cdk-lib's built-in CloudFormation validation (slower)."
    ),
    identifier: str = typer.Option(
        None, "--identifier",
        help="Synthesize as this sandbox (its secrets, its hosted UI domain prefix). Default is the name of the system user.",
    ),
    debug: bool = debug_option(),
) -> None:
    """Synthesize the backend and write each stack's CloudFormation template as JSON."""
    from amplify_py.sandbox.identifiers import default_identifier, sandbox_backend_id, validate_identifier

    project_dir = project_dir.resolve()
    out_dir = (out if out is not None else project_dir / DEFAULT_OUT).resolve()
    name = validate_identifier(identifier) if identifier is not None else default_identifier()
    factory = get_factory()
    synthesizer = factory.synthesizer(project_dir, validate=validate, backend_id=sandbox_backend_id(project_dir, name),
                                      secrets=factory.secret_store(project_dir, name))
    result = synthesizer.synth(stack_name=stack_name or default_stack_name(project_dir))
    target = out_dir / f"{result.stack_name}.template.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, json.dumps(result.template, indent=2, ensure_ascii=False) + "\n")
    console = Console(highlight=False, soft_wrap=True)
    resources = result.template.get("Resources", {})
    console.print(f"Synthesized [bold]{result.stack_name}[/]: {len(resources)} resources → {target}")
    console.print(summarize(result.template))


@app.command("cdk-app", hidden=True)
def cdk_app(
    project_dir: Path = typer.Option(Path("."), "--dir", help="The project folder."),
    stack_name: str = typer.Option(None, "--stack-name", help="Stack name (default: amplify-<project folder>)."),
) -> None:
    """The app command of cdk.json: synthesize the project as a cloud assembly into $CDK_OUTDIR."""
    outdir = os.environ.get("CDK_OUTDIR")
    if not outdir:
        raise AmpyUserError(
            "MissingCdkOutdirError",
            "CDK_OUTDIR is not set: `ampy cdk-app` is run by the CDK toolkit (cdk.json's app command).",
            "Run `npx cdk synth` or `npx cdk deploy` in the project folder, or use `ampy synth`.",
        )
    # Deploying through the CDK toolkit: keep aws-cdk-lib's CloudFormation validation on.
    synthesizer = get_factory().synthesizer(project_dir.resolve(), validate=True)
    synthesizer.synth(stack_name=stack_name, outdir=Path(outdir))
