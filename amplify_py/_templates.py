"""Render the Jinja2 templates shipped with the package (top-level ``templates/``).

``amplify_py/templates`` is a symlink to the repository's ``templates/`` folder, so the
same path works from a source checkout and from the wheel (setuptools copies the files
through the link; see package-data in pyproject.toml).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

__all__ = ["templates_root", "render_tree"]

SUFFIX = ".j2"


def templates_root() -> Path:
    root = Path(str(resources.files("amplify_py") / "templates"))
    if not root.is_dir():
        # A checkout made without symlinks (git's core.symlinks=false, e.g. on Windows)
        # has a plain file here; the templates are still at the repository's top level.
        checkout = Path(__file__).resolve().parent.parent / "templates"
        if not checkout.is_dir():  # pragma: no cover - a broken install
            raise FileNotFoundError(f"amplify-py templates not found at {root}")
        root = checkout
    return root


def render_tree(name: str, destination: Path, context: dict[str, Any]) -> list[Path]:
    """Render every ``*.j2`` file under ``templates/<name>/`` into ``destination`` (suffix dropped)."""
    source = templates_root() / name
    env = Environment(
        loader=FileSystemLoader(str(source)), undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    written: list[Path] = []
    for template_path in sorted(source.rglob(f"*{SUFFIX}")):
        relative = template_path.relative_to(source)
        target = destination / str(relative)[: -len(SUFFIX)]
        if target.exists():
            raise FileExistsError(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(env.get_template(relative.as_posix()).render(**context), encoding="utf-8")
        written.append(target)
    return written
