"""Shared test setup: the tiers live in folders, each marked by its folder name."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from amplify_py._node import ensure_jsii_node

ensure_jsii_node()
# Managed login's local CA is made once per machine in the user's data folder; tests (and the engines they
# start as subprocesses) make their own instead of touching it.
if "AMPLIFY_PY_CA_DIR" not in os.environ:
    os.environ["AMPLIFY_PY_CA_DIR"] = tempfile.mkdtemp(prefix="amplify-py-test-ca-")
    atexit.register(shutil.rmtree, os.environ["AMPLIFY_PY_CA_DIR"], True)

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = REPO_ROOT / "tests" / "data" / "reference"
TIERS = ("unit", "construct", "synth", "cli", "engine", "client", "e2e", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(REPO_ROOT / "tests").parts
        if parts and parts[0] in TIERS:
            item.add_marker(getattr(pytest.mark, parts[0]))


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE_DIR
