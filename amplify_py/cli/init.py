"""``ampy init``: scaffold ``amplify/`` (a backend with email sign-in) from the Jinja2 templates."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from amplify_py.cli._common import app, debug_option
from amplify_py.errors import AmpyUserError

__all__ = ["init"]


@app.command()
def init(
    project_dir: Path = typer.Option(Path("."), "--dir", help="The project folder to scaffold into."),
    debug: bool = debug_option(),
) -> None:
    """Create amplify/backend.py and amplify/auth/resource.py in a project without a backend, and a .gitignore."""
    from amplify_py._templates import render_tree  # jinja2: only for this command, not at every `ampy` start

    project_dir = project_dir.resolve()
    target = project_dir / "amplify"
    if target.exists():
        raise AmpyUserError(
            "ProjectAlreadyInitializedError",
            f"{target} already exists; ampy init does not overwrite files.",
            "Remove or rename the existing amplify/ folder, or run ampy init in another folder.",
        )
    from amplify_py._gitignore import ensure_gitignore

    existed = (project_dir / ".gitignore").exists()
    written = render_tree("init", project_dir, {"project_name": project_dir.name})
    ignored = ensure_gitignore(project_dir)  # .amplify/ holds secrets and the local engine's database
    console = Console(highlight=False)
    for path in written:
        console.print(f"created {path.relative_to(project_dir)}")
    if ignored:
        verb = "added to" if existed else "created"
        console.print(f"{verb} .gitignore: {', '.join(p for p in ignored if not p.startswith('#'))}", markup=False,
                      soft_wrap=True)
    console.print("Next: [bold]ampy synth[/] (or [bold]ampy sandbox[/]) in this folder.")
