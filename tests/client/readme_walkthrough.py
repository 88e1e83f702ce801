"""The README's Python walk-through, read from README.md itself so the README stays true.

The block sits between the markers ``<!-- walkthrough:start -->`` and ``<!-- walkthrough:end -->``.
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _extract() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- walkthrough:start -->\s*```python\n(.*?)```\s*<!-- walkthrough:end -->", text, re.S)
    if match is None:
        raise AssertionError("README.md has no walk-through block between the walkthrough markers")
    return match.group(1)


WALKTHROUGH = _extract()
