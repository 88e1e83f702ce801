"""Where ``ampy init`` finds its Jinja2 templates: amplify_py/templates (a symlink to the top-level templates/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplify_py import _templates

REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_the_package_path_holds_the_init_scaffold() -> None:
    root = _templates.templates_root()
    assert (root / "init" / "amplify" / "backend.py.j2").read_text() == (
        REPO_TEMPLATES / "init" / "amplify" / "backend.py.j2"
    ).read_text()


def test_a_checkout_without_symlinks_falls_back_to_the_top_level_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "templates").write_text("../templates")  # what git writes for a link with core.symlinks=false
    monkeypatch.setattr(_templates.resources, "files", lambda package: tmp_path)
    assert _templates.templates_root() == REPO_TEMPLATES
