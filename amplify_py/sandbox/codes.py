"""The messages a local sandbox "sent": its outbox, read newest first, filtered, and followed as it grows.

The engine appends one JSON object per message to ``.amplify/sandbox/<identifier>/outbox.jsonl``
(:mod:`amplify_py.local.outbox`). Reading needs no running engine: the file is the record. A line
the engine is still writing (no newline yet) is left for the next read.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from amplify_py.errors import AmpyUserError
from amplify_py.local.outbox import OUTBOX_FILE
from amplify_py.sandbox.identifiers import identifier_flag
from amplify_py.sandbox.state import sandbox_state_dir

__all__ = ["OUTBOX_FILE", "OutboxMessage", "SandboxOutbox"]

_POLL_S = 0.2


@dataclass(frozen=True)
class OutboxMessage:
    """One delivered message: who it went to, why, and the code it carries."""

    timestamp: datetime
    recipient: str
    medium: str  # EMAIL or SMS
    kind: str  # SIGN_UP, RESEND, FORGOT_PASSWORD, VERIFY_ATTRIBUTE, UPDATE_ATTRIBUTE, MFA, EMAIL_OTP, SMS_OTP, INVITATION
    code: str | None
    subject: str | None
    body: str
    pool_id: str
    deployment: str

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> OutboxMessage:
        return cls(
            timestamp=datetime.fromisoformat(record["timestamp"]), recipient=str(record.get("recipient") or ""),
            medium=str(record.get("medium") or ""), kind=str(record.get("kind") or ""), code=record.get("code"),
            subject=record.get("subject"), body=str(record.get("body") or ""),
            pool_id=str(record.get("pool_id") or ""), deployment=str(record.get("deployment") or ""),
        )

    def sent_to(self, address: str | None) -> bool:
        """Whether the recipient contains ``address`` (case-insensitive; None matches every message)."""
        return address is None or address.strip().lower() in self.recipient.lower()


class SandboxOutbox:
    """The outbox of one sandbox's state folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._inode: int | None = None
        self._line = 0
        self._read = False

    @classmethod
    def for_sandbox(cls, project_dir: Path, identifier: str) -> SandboxOutbox:
        """The outbox of sandbox ``identifier``; an error when the project has no such sandbox."""
        state_dir = sandbox_state_dir(project_dir, identifier)
        if not state_dir.is_dir():
            existing = sorted(p.name for p in state_dir.parent.glob("*") if p.is_dir())
            known = f" (existing: {', '.join(existing)})" if existing else ""
            raise AmpyUserError(
                "SandboxNotFoundError",
                f"Sandbox {identifier} has never run in {project_dir}: there is no {state_dir}.",
                f"Run `ampy sandbox{identifier_flag(identifier)}` first, or pass the --identifier of an existing "
                f"sandbox{known}.",
            )
        return cls(state_dir / OUTBOX_FILE)

    def messages(self, *, address: str | None = None, limit: int | None = None) -> list[OutboxMessage]:
        """The messages so far, newest first; only those to ``address``; at most ``limit``.

        :meth:`follow` continues after the last message read here, so none is missed in between.
        """
        self._offset, self._inode, self._line = 0, None, 0
        found = [m for m in self.read_new() if m.sent_to(address)]
        found.reverse()
        return found if limit is None else found[:limit]

    def read_new(self) -> list[OutboxMessage]:
        """The complete messages appended since the last call, oldest first.

        A file that was replaced or truncated (``ampy sandbox delete`` removes it) is read from its start.
        """
        try:
            with self.path.open("rb") as fh:
                stat = os.fstat(fh.fileno())
                if stat.st_ino != self._inode or stat.st_size < self._offset:
                    self._offset, self._inode, self._line = 0, stat.st_ino, 0
                fh.seek(self._offset)
                data = fh.read()
        except FileNotFoundError:
            self._offset, self._inode, self._line, self._read = 0, None, 0, True
            return []
        self._read = True
        complete = data[: data.rfind(b"\n") + 1]
        self._offset += len(complete)
        text = complete.decode("utf-8")
        messages = _parse(self.path, text, first_line=self._line + 1)
        self._line += text.count("\n")
        return messages

    def follow(self, on_message: Callable[[OutboxMessage], None], *, address: str | None = None,
               stop_event: threading.Event | None = None, poll_s: float = _POLL_S) -> None:
        """Call ``on_message`` for each new message to ``address`` until ``stop_event`` is set (or Ctrl-C)."""
        stop = stop_event or threading.Event()
        if not self._read:  # only what comes from now on
            self.read_new()
        while not stop.is_set():
            for message in self.read_new():
                if message.sent_to(address):
                    on_message(message)
            stop.wait(poll_s)


def _parse(path: Path, text: str, *, first_line: int) -> list[OutboxMessage]:
    messages = []
    for number, line in enumerate(text.splitlines(), start=first_line):
        if not line.strip():
            continue
        try:
            messages.append(OutboxMessage.from_record(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise AmpyUserError(
                "InvalidOutboxError",
                f"Line {number} of {path} is not a message the engine wrote: {exc}.",
                "The engine writes one JSON object per line; remove the line (or the file: the engine starts a new "
                "one with its next message).",
            ) from exc
    return messages
