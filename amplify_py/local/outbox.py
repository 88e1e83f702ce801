"""Where "delivered" codes go: a JSON-lines file and an optional callback.

Nothing leaves the machine. Each message is rendered from the pool's own
templates, appended to ``outbox.jsonl`` and passed to ``on_message`` (the
sandbox prints it); tests read codes from the file.
"""

from __future__ import annotations

import fcntl
import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

__all__ = ["OUTBOX_FILE", "Outbox", "read_outbox"]

#: The outbox's file name in the engine's state folder.
OUTBOX_FILE = "outbox.jsonl"


class Outbox:
    def __init__(self, path: Path, on_message: Callable[[dict], None] | None = None) -> None:
        self.path = path
        self._on_message = on_message
        self._lock = threading.Lock()

    def deliver(self, *, deployment: str, pool_id: str, recipient: str, medium: str, subject: str | None,
                body: str, code: str | None, kind: str, now: float) -> dict:
        message = _message(deployment=deployment, pool_id=pool_id, recipient=recipient, medium=medium,
                           subject=subject, body=body, code=code, kind=kind, now=now)
        self._append((json.dumps(message) + "\n").encode())
        if self._on_message is not None:
            self._on_message(dict(message))
        return message

    def rehearse(self, *, deployment: str, pool_id: str, recipient: str, medium: str, subject: str | None,
                 body: str, kind: str, now: float) -> None:
        """The work of a delivery that must not happen (a simulated one, for a name nobody has): the message
        is made and the file opened and locked as ``deliver`` does, and nothing is written or heard."""
        message = _message(deployment=deployment, pool_id=pool_id, recipient=recipient, medium=medium,
                           subject=subject, body=body, code=None, kind=kind, now=now)
        json.dumps(message)
        self._append(b"")

    def _append(self, line: bytes) -> None:
        with self._lock:  # threads of this process; flock: the other workers of a multi-process engine
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                if line:
                    fh.write(line)

    @property
    def on_message(self) -> Callable[[dict], None] | None:
        """Who else hears of each message (the sandbox's console; a multi-process engine's parent relays)."""
        return self._on_message


def _message(*, deployment: str, pool_id: str, recipient: str, medium: str, subject: str | None, body: str,
             code: str | None, kind: str, now: float) -> dict:
    return {
        "deployment": deployment,
        "pool_id": pool_id,
        "recipient": recipient,
        "medium": medium,
        "subject": subject,
        "body": body,
        "code": code,
        "kind": kind,
        "timestamp": datetime.fromtimestamp(now, timezone.utc).isoformat(),
    }


def read_outbox(path: Path) -> list[dict]:
    """All messages so far, oldest first (a helper for tests and the sandbox)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
