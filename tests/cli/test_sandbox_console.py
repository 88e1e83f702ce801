"""The local console's token from the command line: `ampy sandbox --once` prints the console's address, the
background engine logs it and records it in server.json (readable by its owner only), `ampy sandbox console`
prints it again, and each start of the engine makes a new token (or takes AMPY_CONSOLE_TOKEN)."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import httpx

from amplify_py.deploy import background_engine
from tests.cli.test_sandbox_data_loss import (  # noqa: F401 - fixtures
    _add_user,
    _free_port,
    _outputs,
    ampy,
    detached,
    factory,
    project,
)


def _record(project: Path) -> dict:
    return json.loads((project / ".amplify" / "sandbox" / "alice" / "server.json").read_text())


def test_once_prints_the_console_address_and_sandbox_console_prints_it_again(
    project: Path, factory, ampy, capsys, detached
) -> None:
    port = _free_port()
    state_dir = project / ".amplify" / "sandbox" / "alice"
    assert ampy("sandbox", "--once", "--identifier", "alice", "--port", str(port), "--dir", str(project)) == 0
    token = _record(project)["console_token"]
    url = f"http://127.0.0.1:{port}/_console/?token={token}"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # secrets.token_urlsafe(32)
    assert f"Console: {url}" in capsys.readouterr().out
    assert f"Console: {url}" in (state_dir / "server.log").read_text()
    for name in ("server.json", "server.log"):
        assert stat.S_IMODE((state_dir / name).stat().st_mode) == 0o600, name

    assert ampy("sandbox", "console", "--identifier", "alice", "--dir", str(project)) == 0
    assert capsys.readouterr().out == f"{url}\n"

    pool_id = _outputs(project)["auth"]["user_pool_id"]
    _add_user(project, f"http://127.0.0.1:{port}", pool_id, "ada@example.com")
    browser = httpx.Client(follow_redirects=True)
    page = browser.get(f"http://127.0.0.1:{port}/_console/pools/{pool_id}?token={token}")
    assert page.status_code == 200 and "ada@example.com" in page.text
    assert str(page.url) == f"http://127.0.0.1:{port}/_console/pools/{pool_id}"  # the token left the address

    # The next start is a new engine with a new token: the old address and cookie no longer open it.
    assert ampy("sandbox", "--once", "--identifier", "alice", "--port", str(port), "--dir", str(project)) == 0
    assert _record(project)["console_token"] != token
    assert browser.get(f"http://127.0.0.1:{port}/_console/").status_code == 403
    assert browser.get(url).status_code == 403


def test_ampy_console_token_sets_the_token(project: Path, factory, ampy, capsys, monkeypatch, detached) -> None:
    monkeypatch.setenv("AMPY_CONSOLE_TOKEN", "my-own-console-token")
    port = _free_port()
    assert ampy("sandbox", "--once", "--identifier", "alice", "--port", str(port), "--dir", str(project)) == 0
    assert f"Console: http://127.0.0.1:{port}/_console/?token=my-own-console-token" in capsys.readouterr().out
    assert httpx.get(f"http://127.0.0.1:{port}/_console/?token=my-own-console-token").status_code == 303


def test_sandbox_console_without_a_background_engine_says_where_to_look(project: Path, factory, ampy, capsys) -> None:
    assert ampy("sandbox", "console", "--identifier", "alice", "--dir", str(project)) == 1
    err = re.sub(r"\s+", " ", capsys.readouterr().err)
    assert "Error (NoConsoleRecordedError): No background engine with a console is recorded for sandbox alice." in err
    assert ("Resolution: A sandbox in watch mode (`ampy sandbox`) prints the console's address in its terminal; "
            "`ampy sandbox --once --identifier alice` leaves a background engine whose address this command prints."
            in err)

    info = background_engine.start_detached_server(project / ".amplify" / "sandbox" / "alice", port=_free_port())
    background_engine.stop_detached_server(project / ".amplify" / "sandbox" / "alice")
    assert ampy("sandbox", "console", "--identifier", "alice", "--dir", str(project)) == 1
    err = re.sub(r"\s+", " ", capsys.readouterr().err)
    assert "Error (LocalEngineNotRunningError): The local engine for sandbox alice is not running (it stopped at " in err
    assert f"received SIGTERM (pid {info.pid})" in err
