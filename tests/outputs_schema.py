"""Validate amplify_outputs against the official JSON schemas vendored in tests/data/reference.

Import it from any tier: ``from tests.outputs_schema import assert_valid_outputs``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

__all__ = ["assert_valid_outputs", "outputs_schema"]

_REFERENCE_DIR = Path(__file__).resolve().parent / "data" / "reference"


@lru_cache(maxsize=None)
def outputs_schema(version: str = "1.5") -> dict[str, Any]:
    """The official schema of amplify_outputs ``version`` (1, 1.1, ... 1.5)."""
    return json.loads((_REFERENCE_DIR / f"amplify_outputs.schema_v{version}.json").read_text(encoding="utf-8"))


def assert_valid_outputs(outputs: dict[str, Any] | str | Path, version: str | None = None) -> None:
    """Fail with every schema violation if ``outputs`` (a dict, JSON text or file) is not valid.

    The schema is chosen by ``version``, else by the document's own ``version``.
    """
    if isinstance(outputs, Path):
        outputs = outputs.read_text(encoding="utf-8")
    if isinstance(outputs, str):
        outputs = json.loads(outputs)
    version = version or str(outputs.get("version", "1.5"))
    schema = outputs_schema(version)
    if version == "1":
        # Upstream schema_v1.json declares version const "1.1" while client-config writes "1".
        assert outputs.get("version") == "1", f"version should be '1', is {outputs.get('version')!r}"
        outputs = {**outputs, "version": "1.1"}
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(outputs), key=lambda e: list(e.absolute_path))
    assert not errors, "amplify_outputs does not match schema v{}:\n{}".format(
        version, "\n".join(f"  - {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors)
    )
