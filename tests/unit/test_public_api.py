"""The public packages show what they export: ``dir()`` lists their API, their modules and nothing else."""

from __future__ import annotations

import importlib
import types

import pytest


@pytest.mark.parametrize("package", ["amplify_py", "amplify_py.auth", "amplify_py.backend.function",
                                     "amplify_py.outputs"])
def test_dir_shows_only_the_api_and_modules(package: str) -> None:
    module = importlib.import_module(package)
    stray = [name for name in dir(module) if not name.startswith("_") and name not in module.__all__
             and not isinstance(getattr(module, name), types.ModuleType)]
    assert stray == []  # e.g. `annotations`, left by `from __future__ import annotations`
