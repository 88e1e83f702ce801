"""The ``.gitignore`` entries ``ampy init`` makes sure of, as ``npm create amplify`` does.

``.amplify/`` holds a sandbox's secrets (``secrets.json``) and the local engine's SQLite database, and
``amplify_outputs*`` is generated per developer: none of it belongs in git. The patterns and the merge rule
are create-amplify's (its ``GitIgnoreInitializer``): a pattern already on a line of its own (leading and
trailing ``/`` ignored) is not added again; the rest are appended. ``__pycache__`` is added for Python.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["IGNORE_PATTERNS", "ensure_gitignore"]

IGNORE_PATTERNS = ("# amplify", "node_modules", ".amplify", "amplify_outputs*", "amplifyconfiguration*", "__pycache__")


def ensure_gitignore(project_dir: Path) -> list[str]:
    """Create ``project_dir/.gitignore`` or append the missing patterns; returns the patterns written."""
    path = project_dir / ".gitignore"
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {line.strip().strip("/") for line in existing.splitlines()}
    missing = [pattern for pattern in IGNORE_PATTERNS if pattern not in present]
    if missing:
        separator = "\n" if existing and not existing.endswith("\n") else ""
        with path.open("a", encoding="utf-8") as fh:
            fh.write(separator + "\n".join(missing) + "\n")
    return missing
