"""``ampy init`` keeps the sandbox's secrets and database out of git, and its scaffold's links resolve."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from amplify_py.cli.app import main

REPO_ROOT = Path(__file__).resolve().parents[2]
PATTERNS = ["# amplify", "node_modules", ".amplify", "amplify_outputs*", "amplifyconfiguration*", "__pycache__"]


def test_init_writes_a_gitignore_that_ignores_secrets_and_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "fresh-app"
    project.mkdir()
    assert main(["init", "--dir", str(project)]) == 0
    assert "created .gitignore: node_modules, .amplify, amplify_outputs*, amplifyconfiguration*, __pycache__" in \
        capsys.readouterr().out
    assert (project / ".gitignore").read_text() == "\n".join(PATTERNS) + "\n"
    if shutil.which("git") is None:
        pytest.fail("git is needed to check what .gitignore ignores")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    state = project / ".amplify" / "sandbox" / "alice"
    state.mkdir(parents=True)
    for name in ("secrets.json", "engine.sqlite3", "outbox.jsonl"):
        (state / name).write_text("{}")
    (project / "amplify_outputs.json").write_text("{}")
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project, check=True,
                            capture_output=True, text=True).stdout.split("\n")
    assert sorted(line for line in status if line) == [
        "?? .gitignore", "?? amplify/auth/resource.py", "?? amplify/backend.py"]


def test_init_adds_only_the_missing_patterns_to_an_existing_gitignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / ".gitignore").write_text("dist/\n/.amplify/\nnode_modules")  # no final newline
    assert main(["init", "--dir", str(project)]) == 0
    assert "added to .gitignore: amplify_outputs*, amplifyconfiguration*, __pycache__" in capsys.readouterr().out
    assert (project / ".gitignore").read_text() == (
        "dist/\n/.amplify/\nnode_modules\n# amplify\namplify_outputs*\namplifyconfiguration*\n__pycache__\n")


def test_the_scaffold_points_to_pages_that_exist() -> None:
    scaffold = (REPO_ROOT / "templates" / "init" / "amplify" / "auth" / "resource.py.j2").read_text()
    pages = re.findall(r"docs/reference/[\w./-]+\.md", scaffold)
    assert pages == ["docs/reference/define_auth.md"]
    assert all((REPO_ROOT / page).is_file() for page in pages)
