"""Reads the codes the local engine "delivers" to its outbox (one JSON object per line)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path

    def messages(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def mark(self) -> int:
        """The number of messages so far; pass it to `message_for` to see only newer ones."""
        return len(self.messages())

    def message_for(self, recipient: str, after: int, timeout: float = 5.0) -> dict[str, Any]:
        """The first message with a code to `recipient` sent after the mark."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages()[after:] if m.get("recipient") == recipient and m.get("code")]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no message with a code to {recipient} in {self.path} after #{after}: {self.messages()[after:]}")
            time.sleep(0.05)

    def code_for(self, recipient: str, after: int) -> str:
        return str(self.message_for(recipient, after)["code"])
