"""``ampy sandbox codes [ADDRESS] [--follow]``: the sandbox's outbox, written by a real local engine."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from amplify_py.cli.app import main
from amplify_py.cli.factory import Factory, set_factory
from amplify_py.local import LocalEngine
from amplify_py.sandbox.codes import OutboxMessage, SandboxOutbox
from amplify_py.sandbox.state import sandbox_state_dir

CASES = Path(__file__).resolve().parents[1] / "data" / "reference" / "cases"
CLIENT = "amplifyAuthUserPoolAppClient2626C6F8"
IDENTIFIER = "devtools"
PASSWORD = "Corr3ct-Horse!"


class Served:
    """An engine serving the sandbox's state folder, and a client that signs users up."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.engine = LocalEngine(sandbox_state_dir(project, IDENTIFIER), port=0).start()
        template = json.loads((CASES / "email_default.template.json").read_text())
        self.client_id = self.engine.deploy("amplify-app-devtools-sandbox-0123456789", template).physical_ids[CLIENT]
        self.idp = boto3.client("cognito-idp", endpoint_url=self.engine.endpoint, region_name="us-east-1",
                                aws_access_key_id="test", aws_secret_access_key="test")

    def sign_up(self, email: str) -> str:
        """Sign ``email`` up; returns the code the engine sent."""
        self.idp.sign_up(ClientId=self.client_id, Username=email, Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": email}])
        return [m for m in self.engine.messages() if m["recipient"] == email][-1]["code"]

    def ampy(self, *args: str) -> int:
        return main(["sandbox", "codes", *args, "--identifier", IDENTIFIER, "--dir", str(self.project)])


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("COLUMNS", "200")
    project = tmp_path / "app"
    (project / "amplify").mkdir(parents=True)
    sandbox = Served(project)
    try:
        yield sandbox
    finally:
        sandbox.engine.stop()


def _rows(out: str) -> list[list[str]]:
    """The body rows of the rich table in ``out``."""
    body = out.split("┡", 1)[1].split("└", 1)[0]
    return [[c.strip() for c in line.strip().strip("│").split("│")] for line in body.splitlines()[1:] if "│" in line]


def test_codes_newest_first_with_filter_and_limit(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    alice = served.sign_up("alice@example.com")
    bob = served.sign_up("bob@example.com")
    served.idp.resend_confirmation_code(ClientId=served.client_id, Username="alice@example.com")
    alice_again = [m for m in served.engine.messages() if m["recipient"] == "alice@example.com"][-1]["code"]

    assert served.ampy() == 0
    rows = _rows(capsys.readouterr().out)
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in rows] == [
        ("alice@example.com", "EMAIL", "RESEND", alice_again, "Verify your new account"),
        ("bob@example.com", "EMAIL", "SIGN_UP", bob, "Verify your new account"),
        ("alice@example.com", "EMAIL", "SIGN_UP", alice, "Verify your new account"),
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r[0]) for r in rows)

    assert served.ampy("ALICE@") == 0  # any part of the address, case-insensitive
    assert [r[4] for r in _rows(capsys.readouterr().out)] == [alice_again, alice]
    assert served.ampy("--limit", "1") == 0
    assert [r[4] for r in _rows(capsys.readouterr().out)] == [alice_again]
    assert served.ampy("carol@example.com") == 0
    assert "No messages to carol@example.com yet in sandbox devtools." in capsys.readouterr().out


def test_the_code_is_highlighted(served: Served, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code = served.sign_up("alice@example.com")
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich writes its styles even though the output is captured
    assert served.ampy() == 0
    assert f"\x1b[1;33m{code}\x1b[0m" in capsys.readouterr().out  # bold yellow


def test_no_such_sandbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "app"
    (project / "amplify").mkdir(parents=True)
    (project / ".amplify" / "sandbox" / "alice").mkdir(parents=True)
    assert main(["sandbox", "codes", "--identifier", "bob", "--dir", str(project)]) == 1
    err = capsys.readouterr().err
    assert (f"Error (SandboxNotFoundError): Sandbox bob has never run in {project}: there is no "
            f"{project / '.amplify' / 'sandbox' / 'bob'}.") in err
    assert "pass the --identifier of an existing sandbox (existing: alice)." in err


class _FollowUntil(Factory):
    """The real outbox; its ``follow`` ends like Ctrl-C after ``wanted`` messages."""

    def __init__(self, served: Served, wanted: int, send: Callable[[], None]) -> None:
        self.served, self.wanted, self.send = served, wanted, send

    def sandbox_outbox(self, project_dir: Path, identifier: str) -> Any:
        outbox = SandboxOutbox.for_sandbox(project_dir, identifier)
        real_follow = outbox.follow
        factory = self

        def follow(on_message: Callable[[OutboxMessage], None], **kwargs: Any) -> None:
            seen: list[OutboxMessage] = []
            stop = threading.Event()

            def record(message: OutboxMessage) -> None:
                on_message(message)
                seen.append(message)
                if len(seen) == factory.wanted:
                    stop.set()

            factory.send()  # after the table was printed: follow continues where it ended, nothing is missed
            real_follow(record, stop_event=stop, poll_s=0.02, **kwargs)
            raise KeyboardInterrupt  # what the user's Ctrl-C does

        outbox.follow = follow  # type: ignore[method-assign]
        return outbox


def test_follow_prints_new_messages_and_ctrl_c_ends_it_cleanly(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    served.sign_up("alice@example.com")
    codes: list[str] = []
    previous = set_factory(_FollowUntil(served, 2, lambda: codes.extend(
        served.sign_up(email) for email in ("bob@example.com", "carol@example.com", "bob2@example.com"))))
    try:
        assert served.ampy("bob", "--follow") == 0  # Ctrl-C is how --follow ends: exit code 0, no "Interrupted."
    finally:
        set_factory(previous)
    captured = capsys.readouterr()
    out = captured.out
    assert "No messages to bob yet in sandbox devtools." in out  # alice's message is filtered out
    assert "Waiting for new messages (Ctrl-C to stop)…" in out
    followed = [line for line in out.splitlines() if "✉" in line]
    assert len(followed) == 2
    assert "✉ EMAIL to bob@example.com (SIGN_UP): Verify your new account  code " + codes[0] in followed[0]
    assert "✉ EMAIL to bob2@example.com (SIGN_UP): Verify your new account  code " + codes[2] in followed[1]
    assert "carol@example.com" not in out
    assert "Interrupted" not in captured.err
