"""Mistakes that lose data, through ``ampy``: a redeploy that would delete users stops and says so; a broken
project can still be deleted; a detached engine that is told to stop says why and leaves no record behind.

The synthesizer is the fake of test_sandbox (amplify/template.json instead of the CDK); the engine is the
real local engine, in the sandbox process (watch mode) or detached (``--once``).
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from rich.console import Console

from amplify_py.cli import app as cli_app
from amplify_py.cli.factory import Factory, set_factory
from amplify_py.deploy import background_engine
from amplify_py.deploy.records import DeploymentRecord, load_record, save_record
from amplify_py.errors import AmpyUserError
from amplify_py.local import LocalEngine, read_credentials
from amplify_py.outputs import local_engine_custom
from amplify_py.sandbox import SandboxConsole, SandboxSettings, sandbox_stack_name
from amplify_py.sandbox.lifecycle import REPLACEMENT_PROMPT
from tests.cli.test_sandbox import FakeFactory

CASES = Path(__file__).resolve().parents[1] / "data" / "reference" / "cases"
POOL = "amplifyAuthUserPool4BA7F805"


class RealEngineFactory(FakeFactory):
    """The fake synthesizer with the real local engine."""

    engine = Factory.engine


def _template(case: str = "custom_attrs") -> dict:
    return json.loads((CASES / f"{case}.template.json").read_text())


def _without_display_name() -> dict:
    tpl = _template()
    props = tpl["Resources"][POOL]["Properties"]
    props["Schema"] = [a for a in props["Schema"] if a["Name"] != "display_name"]
    return tpl


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write(project: Path, template: dict) -> None:
    (project / "amplify" / "template.json").write_text(json.dumps(template))


def _outputs(project: Path) -> dict:
    return json.loads((project / "amplify_outputs.json").read_text())


def _idp(project: Path, endpoint: str):
    """Signed with the sandbox's local credentials, which its admin operations require."""
    credentials = read_credentials(project / ".amplify" / "sandbox" / "alice")
    return boto3.client("cognito-idp", endpoint_url=endpoint, **credentials.boto3_kwargs())


def _add_user(project: Path, endpoint: str, pool_id: str, email: str) -> None:
    _idp(project, endpoint).admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS",
                                     UserAttributes=[{"Name": "email", "Value": email}])


def _users(project: Path, endpoint: str, pool_id: str) -> list[str]:
    """The emails of the pool's users (with email sign-in, Cognito names users by a generated id)."""
    users = _idp(project, endpoint).list_users(UserPoolId=pool_id)["Users"]
    return [next(a["Value"] for a in u["Attributes"] if a["Name"] == "email") for u in users]


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def _console() -> tuple[SandboxConsole, io.StringIO]:
    buffer = io.StringIO()
    return SandboxConsole(Console(file=buffer, width=300, highlight=False)), buffer


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "notes-app"
    (root / "amplify").mkdir(parents=True)
    _write(root, _template())
    return root


@pytest.fixture
def factory() -> RealEngineFactory:
    fake = RealEngineFactory()
    previous = set_factory(fake)
    yield fake
    set_factory(previous)


@pytest.fixture
def ampy(monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    def register() -> None:
        from amplify_py.cli import generate, sandbox  # noqa: F401

    monkeypatch.setattr(cli_app, "_register_commands", register)
    return lambda *args: cli_app.main(list(args))


@pytest.fixture
def detached(project: Path):
    """Stops whatever background engine a test leaves in the project."""
    yield
    background_engine.stop_detached_server(project / ".amplify" / "sandbox" / "alice")


# -- refuse before replace -----------------------------------------------------------------------
def test_once_refuses_a_replacement_that_deletes_users_and_the_flag_goes_ahead(
    project: Path, factory: RealEngineFactory, ampy, capsys, detached
) -> None:
    port = str(_free_port())
    assert ampy("sandbox", "--once", "--identifier", "alice", "--port", port, "--dir", str(project)) == 0
    endpoint, pool_id = f"http://127.0.0.1:{port}", _outputs(project)["auth"]["user_pool_id"]
    _add_user(project, endpoint, pool_id, "ada@example.com")
    first_outputs = (project / "amplify_outputs.json").read_text()
    capsys.readouterr()

    _write(project, _without_display_name())
    assert ampy("sandbox", "--once", "--identifier", "alice", "--port", port, "--dir", str(project)) == 1
    err = capsys.readouterr()
    stack = sandbox_stack_name(project, "alice")
    assert f"Error (ReplacementRefusedError): Deploying {stack} would replace 1 resource, deleting 1 user. " \
           "Nothing was changed." in err.err
    assert f"  - replace {POOL} (AWS::Cognito::UserPool {pool_id}): Schema attribute custom:display_name removed" \
           in err.err
    assert "it holds 1 user" in err.err
    assert ("Resolution: Revert the change to keep the data, or run `ampy sandbox --once --allow-replacement "
            "--identifier alice` to replace (deleting the data listed above).") in err.err
    assert "The background engine serves the last good deployment again" in err.out
    # the last good deployment serves, untouched
    assert _users(project, endpoint, pool_id) == ["ada@example.com"]
    assert (project / "amplify_outputs.json").read_text() == first_outputs

    assert ampy("sandbox", "--once", "--allow-replacement", "--identifier", "alice", "--port", port,
                "--dir", str(project)) == 0
    out = capsys.readouterr().out
    new_pool = _outputs(project)["auth"]["user_pool_id"]
    assert new_pool != pool_id and _users(project, endpoint, new_pool) == []
    assert f"Replaced {POOL} (AWS::Cognito::UserPool {pool_id}): Schema attribute custom:display_name removed" in out
    assert f"its new id is {new_pool}. Deleted with it, as allowed: 1 user." in out


def test_allow_replacement_is_for_the_local_engine_only(project: Path, factory, ampy, capsys) -> None:
    assert ampy("sandbox", "--once", "--target", "aws", "--allow-replacement", "--dir", str(project)) == 1
    assert "--allow-replacement applies to the local engine only" in capsys.readouterr().err
    assert factory.synthesizers == []


def test_in_a_terminal_the_sandbox_asks_as_ampx_does(
    project: Path, factory: RealEngineFactory, ampy, capsys, monkeypatch, detached
) -> None:
    # what an earlier sandbox left: the pool with a user in it (no engine serving it now)
    engine = LocalEngine(project / ".amplify" / "sandbox" / "alice").start()
    pool_id = engine.deploy(sandbox_stack_name(project, "alice"), _template()).physical_ids[POOL]
    _add_user(project, engine.endpoint, pool_id, "ada@example.com")
    engine.stop()
    _write(project, _without_display_name())
    monkeypatch.setattr("amplify_py.cli.sandbox._interactive", lambda: True)
    port = str(_free_port())

    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert ampy("sandbox", "--once", "--identifier", "alice", "--port", port, "--dir", str(project)) == 1
    captured = capsys.readouterr()
    assert f"{REPLACEMENT_PROMPT} [y/N]:" in captured.out
    assert "it holds 1 user" in captured.out  # the plan is shown before the question
    assert "ReplacementRefusedError" in captured.err and not (project / "amplify_outputs.json").exists()

    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert ampy("sandbox", "--once", "--identifier", "alice", "--port", port, "--dir", str(project)) == 0
    new_pool = _outputs(project)["auth"]["user_pool_id"]
    assert new_pool != pool_id and _users(project, f"http://127.0.0.1:{port}", new_pool) == []
    assert "Deleted with it, as allowed: 1 user." in capsys.readouterr().out


def test_watch_mode_refuses_keeps_the_last_good_deployment_serving_and_says_how_to_go_ahead(
    project: Path, factory: RealEngineFactory
) -> None:
    console, out = _console()
    port = _free_port()
    sandbox = factory.sandbox(SandboxSettings(project_dir=project, identifier="alice", port=port), console)
    sandbox.debounce_ms = 50
    stop = threading.Event()
    thread = threading.Thread(target=sandbox.run, kwargs={"stop_event": stop})
    thread.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: sandbox.deploy_count == 1)
        pool_id = _outputs(project)["auth"]["user_pool_id"]
        _add_user(project, endpoint, pool_id, "ada@example.com")
        first_outputs = (project / "amplify_outputs.json").read_text()
        _wait_for(sandbox.watching.is_set)  # the watcher is armed before the first save

        _write(project, _without_display_name())
        _wait_for(lambda: "ReplacementRefusedError" in out.getvalue())
        _wait_for(lambda: "is still in place, unchanged" in out.getvalue())
        text = re.sub(r"\s+", " ", out.getvalue())
        assert "would replace 1 resource, deleting 1 user. Nothing was changed." in text
        assert ("Revert the change and save to keep the data (the last good deployment keeps serving), or stop this "
                "sandbox (Ctrl-C) and run `ampy sandbox --allow-replacement --identifier alice` to replace") in text
        assert sandbox.deploy_count == 1 and _users(project, endpoint, pool_id) == ["ada@example.com"]
        assert (project / "amplify_outputs.json").read_text() == first_outputs

        added = _template()  # back to the deployed schema plus a new optional attribute: in place
        added["Resources"][POOL]["Properties"]["Schema"].append(
            {"AttributeDataType": "String", "Mutable": True, "Name": "team"})
        _write(project, added)
        _wait_for(lambda: sandbox.deploy_count == 2)
        assert _outputs(project)["auth"]["user_pool_id"] == pool_id
        assert _users(project, endpoint, pool_id) == ["ada@example.com"]
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()


def test_an_empty_pool_is_replaced_without_asking_and_the_sandbox_says_so(
    project: Path, factory: RealEngineFactory
) -> None:
    console, out = _console()
    sandbox = factory.sandbox(SandboxSettings(project_dir=project, identifier="alice", port=_free_port()), console)
    try:
        sandbox.deployer.open()
        first = sandbox.deploy()
        _write(project, _without_display_name())
        second = sandbox.deploy()
    finally:
        sandbox.deployer.close()
    old_pool, new_pool = first.stack_outputs["userPoolId"], second.stack_outputs["userPoolId"]
    assert old_pool != new_pool
    text = re.sub(r"\s+", " ", out.getvalue())
    assert (f"Replaced {POOL} (AWS::Cognito::UserPool {old_pool}): Schema attribute custom:display_name removed") in text
    assert f"its new id is {new_pool}. It held no users, so nothing was asked." in text


# -- delete without synth ------------------------------------------------------------------------
def test_delete_works_on_a_project_that_no_longer_synthesizes(tmp_path: Path, ampy, capsys) -> None:
    project = tmp_path / "notes-app"
    (project / "amplify" / "auth").mkdir(parents=True)
    (project / "amplify" / "backend.py").write_text("from amplify_py import define_backend\nbackend = define_backend(\n")
    stack = sandbox_stack_name(project, "alice")
    state_dir = project / ".amplify" / "sandbox" / "alice"
    engine = LocalEngine(state_dir)  # what an earlier `ampy sandbox` left: pools with a user, a record, secrets
    result = engine.deploy(stack, _template())
    engine.context.store.put_identity("us-east-1:kept-nowhere", result.physical_ids["amplifyAuthIdentityPool3FDE84CC"],
                                      None)
    engine.stop()
    (state_dir / "secrets.json").write_text(json.dumps({"GOOGLE_ID": "v"}))
    save_record(project, DeploymentRecord(identifier="alice", target="local", stack_name=stack, region="us-east-1",
                                          stack_outputs={"userPoolId": result.physical_ids[POOL]}))
    previous = set_factory(Factory())  # the real factory: a real synthesizer would fail on backend.py
    try:
        assert ampy("sandbox", "delete", "--yes", "--identifier", "alice", "--dir", str(project)) == 0
    finally:
        set_factory(previous)
    out = capsys.readouterr().out
    assert "Synthesizing" not in out and "Sandbox alice deleted." in out
    assert [p.name for p in state_dir.iterdir()] == ["secrets.json"]  # the data is gone, the secrets kept
    assert json.loads((state_dir / "secrets.json").read_text()) == {"GOOGLE_ID": "v"}
    with pytest.raises(AmpyUserError, match="No sandbox deployment named alice"):
        load_record(project, "alice")


# -- the detached engine -------------------------------------------------------------------------
def _wait_exited(pid: int) -> None:
    _wait_for(lambda: not background_engine._alive(pid))


def test_sigterm_makes_the_detached_engine_log_why_and_remove_its_record(project: Path, ampy, capsys) -> None:
    state_dir = project / ".amplify" / "sandbox" / "alice"
    info = background_engine.start_detached_server(state_dir, port=_free_port())
    assert (state_dir / "server.json").is_file()
    os.kill(info.pid, signal.SIGTERM)
    _wait_exited(info.pid)
    assert not (state_dir / "server.json").exists()
    last = (state_dir / "server.log").read_text().splitlines()[-1]
    assert last == f"Local engine stopping: received SIGTERM (pid {info.pid})"
    assert background_engine._port_free("127.0.0.1", info.port)

    assert ampy("sandbox", "stop", "--identifier", "alice", "--dir", str(project)) == 0
    out = re.sub(r"\s+", " ", capsys.readouterr().out)
    assert re.search(r"The local engine for sandbox alice is not running \(it stopped at \d{4}-\d\d-\d\d "
                     rf"\d\d:\d\d:\d\d: received SIGTERM \(pid {info.pid}\); last log lines: .*"
                     rf"Local engine stopping: received SIGTERM \(pid {info.pid}\) \)\. "
                     r"Run `ampy sandbox --once --identifier alice` to start it again\.", out)

    # `ampy generate outputs` writes a file that points at the engine: it says the engine is not running
    save_record(project, DeploymentRecord(identifier="alice", target="local", stack_name="s", region="us-east-1",
                                          stack_outputs={}, custom=local_engine_custom(info.endpoint)))
    assert ampy("generate", "outputs", "--identifier", "alice", "--dir", str(project)) == 0
    err = re.sub(r"\s+", " ", capsys.readouterr().err)
    assert f"The local engine for sandbox alice is not running (it stopped at " in err
    assert "Run `ampy sandbox --once --identifier alice` to start it again." in err
    # ...unless something serves the deployment's endpoint (a sandbox in watch mode needs no record)
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", info.port))
        listening.listen()
        assert background_engine.server_status(state_dir, endpoint=info.endpoint) is None
        assert isinstance(background_engine.server_status(state_dir), background_engine.StoppedServer)


def test_a_killed_detached_engine_is_reported_with_its_log_and_its_stale_record_removed(
    project: Path, ampy, capsys
) -> None:
    state_dir = project / ".amplify" / "sandbox" / "alice"
    info = background_engine.start_detached_server(state_dir, port=_free_port())
    os.kill(info.pid, signal.SIGKILL)  # no chance to say anything
    _wait_exited(info.pid)
    assert (state_dir / "server.json").is_file()
    status = background_engine.server_status(state_dir)
    assert isinstance(status, background_engine.StoppedServer) and status.info == info
    assert status.reason == f"its process (pid {info.pid}) has exited"

    assert ampy("sandbox", "stop", "--identifier", "alice", "--dir", str(project)) == 0
    out = re.sub(r"\s+", " ", capsys.readouterr().out)
    assert f"The local engine for sandbox alice is not running (its process (pid {info.pid}) has exited; its log " \
           "was last written at " in out
    assert "Local engine listening on" in out  # its last log lines
    assert "Run `ampy sandbox --once --identifier alice` to start it again." in out
    assert not (state_dir / "server.json").exists()


def test_a_recorded_engine_whose_port_refuses_is_not_running(project: Path) -> None:
    state_dir = project / ".amplify" / "sandbox" / "alice"
    state_dir.mkdir(parents=True)
    port = _free_port()
    # a process that looks like the engine (its command line names `serve` and the state folder) but never listens
    hung = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "serve", str(state_dir)])
    try:
        (state_dir / "server.json").write_text(json.dumps({
            "pid": hung.pid, "host": "127.0.0.1", "port": port, "endpoint": f"http://127.0.0.1:{port}",
            "state_dir": str(state_dir), "started_at": time.time()}))
        status = background_engine.server_status(state_dir)
        assert isinstance(status, background_engine.StoppedServer)
        assert status.reason == f"pid {hung.pid} is running but port {port} refuses connections"
        message = background_engine.not_running_message(status, "alice", "ampy sandbox --once --identifier alice")
        assert message.startswith(f"The local engine for sandbox alice is not running (pid {hung.pid} is running but "
                                  f"port {port} refuses connections; its log was last written at ?; last log lines:")
        assert "(the log is empty)" in message
    finally:
        hung.kill()
        hung.wait()


def test_a_server_removes_only_its_own_record(tmp_path: Path) -> None:
    (tmp_path / "server.json").write_text(json.dumps({
        "pid": 4242, "host": "127.0.0.1", "port": 1, "endpoint": "http://127.0.0.1:1", "state_dir": str(tmp_path),
        "started_at": 0.0}))
    assert background_engine.forget_server(tmp_path, 4343) is False and (tmp_path / "server.json").exists()
    assert background_engine.forget_server(tmp_path, 4242) is True and not (tmp_path / "server.json").exists()
