"""Reading a sandbox's outbox while the engine writes it: newest first, half-written lines, a replaced file."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from amplify_py.errors import AmpyUserError
from amplify_py.local.outbox import Outbox
from amplify_py.sandbox.codes import OutboxMessage, SandboxOutbox


def _deliver(outbox: Outbox, recipient: str, code: str, kind: str = "SIGN_UP") -> None:
    outbox.deliver(deployment="stack", pool_id="us-east-1_AAAAAAAAA", recipient=recipient, medium="EMAIL",
                   subject="Verify your new account", body=f"The verification code to your new account is {code}",
                   code=code, kind=kind, now=1_790_000_000.0)


def test_messages_are_the_engines_records_newest_first(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    writer = Outbox(path)
    _deliver(writer, "alice@example.com", "111111")
    _deliver(writer, "+15555550100", "222222", kind="MFA")
    messages = SandboxOutbox(path).messages()
    assert [m.code for m in messages] == ["222222", "111111"]
    assert messages[1] == OutboxMessage.from_record(json.loads(path.read_text().splitlines()[0]))
    assert messages[1].timestamp.isoformat() == "2026-09-21T14:13:20+00:00"
    assert (messages[0].recipient, messages[0].medium, messages[0].kind) == ("+15555550100", "EMAIL", "MFA")
    assert [m.code for m in SandboxOutbox(path).messages(address="+1555")] == ["222222"]
    assert SandboxOutbox(tmp_path / "missing.jsonl").messages() == []


def test_a_half_written_line_waits_for_its_newline(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    _deliver(Outbox(path), "alice@example.com", "111111")
    line = path.read_text()
    reader = SandboxOutbox(path)
    assert [m.code for m in reader.read_new()] == ["111111"]
    with path.open("a") as fh:
        fh.write(line.replace("111111", "333333")[:40])  # the engine is still writing
    assert reader.read_new() == []
    assert [m.code for m in reader.messages()] == ["111111"]
    with path.open("a") as fh:
        fh.write(line.replace("111111", "333333")[40:])
    assert [m.code for m in reader.read_new()] == ["333333"]
    assert reader.read_new() == []


def test_a_replaced_outbox_is_read_from_its_start(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    _deliver(Outbox(path), "alice@example.com", "111111")
    _deliver(Outbox(path), "alice@example.com", "121212")
    reader = SandboxOutbox(path)
    assert len(reader.read_new()) == 2
    path.unlink()  # `ampy sandbox delete`, then a new sandbox's first message
    assert reader.read_new() == []
    _deliver(Outbox(path), "bob@example.com", "222222")
    assert [m.code for m in reader.read_new()] == ["222222"]


def test_a_line_the_engine_did_not_write_is_named(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    _deliver(Outbox(path), "alice@example.com", "111111")
    with path.open("a") as fh:
        fh.write("not json\n")
    with pytest.raises(AmpyUserError, match=rf"Line 2 of {path} is not a message the engine wrote") as raised:
        SandboxOutbox(path).messages()
    assert raised.value.resolution.startswith("The engine writes one JSON object per line")


def test_follow_calls_back_for_each_new_message_until_stopped(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    writer = Outbox(path)
    _deliver(writer, "alice@example.com", "000000")
    reader = SandboxOutbox(path)
    assert [m.code for m in reader.messages()] == ["000000"]  # follow goes on from here: alice's is not repeated
    seen: list[str] = []
    stop = threading.Event()

    def on_message(message: OutboxMessage) -> None:
        seen.append(message.code or "")
        if len(seen) == 2:
            stop.set()

    thread = threading.Thread(target=reader.follow, args=(on_message,),
                              kwargs={"address": "bob", "stop_event": stop, "poll_s": 0.01})
    thread.start()
    try:
        _deliver(writer, "bob@example.com", "111111")
        _deliver(writer, "carol@example.com", "222222")
        _deliver(writer, "bob@example.com", "333333")
        thread.join(timeout=10)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert seen == ["111111", "333333"]
