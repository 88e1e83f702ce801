"""The pytest plugin's cheap parts: its import cost and the synth cache key (what invalidates a cached synth)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from amplify_py._templates import render_tree
from amplify_py.testing._synth_cache import synth_key

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "app"
    render_tree("init", project, {"project_name": "app"})
    return project


def test_loading_the_plugin_imports_no_cdk_engine_or_boto3() -> None:
    code = ("import sys, amplify_py.testing._plugin, amplify_py.testing\n"
            "heavy = ('aws_cdk', 'jsii', 'boto3', 'botocore', 'uvicorn', 'amplify_py.local', 'amplify_py.deploy')\n"
            "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_the_key_is_stable_for_an_unchanged_project(project: Path) -> None:
    assert synth_key(project, {}) == synth_key(project, {})
    assert len(synth_key(project, {})) == 32


def test_editing_adding_or_removing_a_file_under_amplify_changes_the_key(project: Path) -> None:
    resource = project / "amplify" / "auth" / "resource.py"
    before = synth_key(project, {})
    resource.write_text(resource.read_text() + "\n")
    edited = synth_key(project, {})
    (project / "amplify" / "auth" / "pre_sign_up.py").write_text("def handler(event, context):\n    return event\n")
    added = synth_key(project, {})
    (project / "amplify" / "auth" / "pre_sign_up.py").unlink()
    assert len({before, edited, added}) == 3
    assert synth_key(project, {}) == edited


def test_renaming_a_file_changes_the_key(project: Path) -> None:
    before = synth_key(project, {})
    (project / "amplify" / "auth" / "resource.py").rename(project / "amplify" / "auth" / "resources.py")
    assert synth_key(project, {}) != before


def test_bytecode_caches_do_not_change_the_key(project: Path) -> None:
    before = synth_key(project, {})
    cache = project / "amplify" / "auth" / "__pycache__"
    cache.mkdir()
    (cache / "resource.cpython-311.pyc").write_bytes(b"\x00compiled")
    (project / "amplify" / "stray.pyc").write_bytes(b"\x00compiled")
    assert synth_key(project, {}) == before


def test_secret_variables_change_the_key_and_other_variables_do_not(project: Path) -> None:
    before = synth_key(project, {"HOME": "/home/a"})
    assert synth_key(project, {"HOME": "/home/b", "PATH": "/bin"}) == before
    with_secret = synth_key(project, {"AMPY_SECRET_GOOGLE_CLIENT_ID": "one"})
    assert with_secret != before
    assert synth_key(project, {"AMPY_SECRET_GOOGLE_CLIENT_ID": "two"}) != with_secret


def test_the_project_folder_and_its_pyproject_are_part_of_the_key(project: Path, tmp_path: Path) -> None:
    before = synth_key(project, {})
    (project / "pyproject.toml").write_text('[project]\nname = "shop"\n')  # the app name names the stack
    named = synth_key(project, {})
    moved = tmp_path / "moved"
    project.rename(moved)  # a function's live source folder is an absolute path in the template
    assert len({before, named, synth_key(moved, {})}) == 3
