"""What the sandbox says: editors' temporary files are no change, a failed save asks for another save,
``delete`` does not say "replacing it", and the port and outputs folder are checked before the slow synth."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import watchfiles
from rich.console import Console

from amplify_py.cli.app import main
from amplify_py.cli.factory import Factory, set_factory
from amplify_py.deploy import background_engine
from amplify_py.deploy import local as local_deploy
from amplify_py.deploy.background_engine import ServerInfo
from amplify_py.deploy.deployment import Deployment
from amplify_py.deploy.local import LocalDeployer
from amplify_py.errors import DefinitionError, Problem
from amplify_py.sandbox import Sandbox, SandboxConsole
from amplify_py.sandbox.watch_changes import changed_files

Change = watchfiles.Change


class FakeSynthesizer:
    def __init__(self) -> None:
        self.broken = False
        self.calls = 0

    def synth(self, stack_name: str | None = None, outdir: Path | None = None) -> Any:
        self.calls += 1
        if self.broken:
            raise DefinitionError("define_auth", [Problem("multifactor.totp", "expected True or False, got 'yes'.")])
        return SimpleNamespace(stack_name=stack_name, template={"Resources": {}})


class FakeDeployer:
    target = "local"
    stack_name = "amplify-app-alice-sandbox-0123456789"
    assembly_dir = None

    def __init__(self) -> None:
        self.deployed = 0

    def open(self) -> None: ...

    def close(self) -> None: ...

    def deploy(self, synth_result: Any, *, allow_replacement: bool = False) -> Deployment:
        self.deployed += 1
        return Deployment(target="local", stack_name=self.stack_name, region="us-east-1", stack_outputs={})

    def delete(self) -> None: ...


class FakePublisher:
    def __init__(self, project: Path) -> None:
        self.outputs_path = project / "amplify_outputs.json"

    def publish(self, identifier: str, deployment: Deployment) -> Path:
        self.outputs_path.write_text("{}")
        return self.outputs_path

    def forget(self, identifier: str) -> None: ...


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "amplify" / "auth").mkdir(parents=True)
    (root / "amplify" / "auth" / "resource.py").write_text("auth = None\n")
    return root


def _sandbox(project: Path) -> tuple[Sandbox, FakeSynthesizer, FakeDeployer, io.StringIO]:
    buffer = io.StringIO()
    synthesizer, deployer = FakeSynthesizer(), FakeDeployer()
    sandbox = Sandbox(project_dir=project, identifier="alice", synthesizer=synthesizer, deployer=deployer,
                      publisher=FakePublisher(project), console=SandboxConsole(Console(file=buffer, width=200)))
    return sandbox, synthesizer, deployer, buffer


# -- editors' temporary files ----------------------------------------------------------------------------
def test_a_file_that_came_and_went_in_one_batch_changed_nothing(project: Path) -> None:
    resource = str(project / "amplify" / "auth" / "resource.py")
    temporary = str(project / "amplify" / "auth" / "resource.py.tmp.8123")
    gone = str(project / "amplify" / "auth" / "old_trigger.py")  # was there before the batch: a real deletion
    batch = {(Change.added, temporary), (Change.modified, temporary), (Change.deleted, temporary),
             (Change.modified, resource), (Change.deleted, gone)}
    assert changed_files(batch) == [gone, resource]
    assert changed_files({(Change.added, temporary), (Change.deleted, temporary)}) == []


@pytest.mark.parametrize("name", ["4913", "5036", "#resource.py#", ".resource.py.kate-swp", ".goutputstream-X1Y2Z3",
                                  "resource.py.tmp", "resource.py.tmp.8123", ".resource.py.swp", "resource.py~"])
def test_editor_temporary_files_are_not_watched(project: Path, name: str) -> None:
    flt = _sandbox(project)[0]._filter()
    assert not flt(Change.added, str(project / "amplify" / "auth" / name))


@pytest.mark.parametrize("name", ["resource.py", "pre_sign_up.py", "requirements.txt", "v2_schema.py"])
def test_the_backends_files_are_watched(project: Path, name: str) -> None:
    assert _sandbox(project)[0]._filter()(Change.modified, str(project / "amplify" / "auth" / name))


def test_the_watch_loop_lists_real_changes_only(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox, _synth, deployer, out = _sandbox(project)
    resource = str(project / "amplify" / "auth" / "resource.py")
    temporary = str(project / "amplify" / "auth" / "resource.py.tmp.8123")
    batches = [{(Change.added, temporary), (Change.deleted, temporary)},  # an atomic save's temporary file alone
               {(Change.added, temporary), (Change.deleted, temporary), (Change.modified, resource)}]

    def watch(*args: Any, **kwargs: Any) -> Iterator[set[tuple[Change, str]]]:
        yield from batches

    monkeypatch.setattr(watchfiles, "watch", watch)
    sandbox.watch()
    text = out.getvalue()
    assert text.count("Change detected") == 1
    assert "Change detected: amplify/auth/resource.py\n" in text
    assert "tmp" not in text
    assert deployer.deployed == 1


# -- a failed save -----------------------------------------------------------------------------------------
def test_a_failed_save_asks_for_another_save(project: Path) -> None:
    sandbox, synthesizer, _deployer, out = _sandbox(project)
    synthesizer.broken = True
    result = sandbox.try_deploy()
    assert isinstance(result.error, DefinitionError)
    text = out.getvalue()
    assert ("Resolution: Fix each problem listed above in your definition and save again (the sandbox redeploys on "
            "every save). See docs/reference/define_auth.md for every option.") in text
    assert "run the command again" not in text
    # the error itself is unchanged: a one-shot command (ampy synth) still says to run it again
    assert "and run the command again." in result.error.resolution


# -- ampy sandbox delete ------------------------------------------------------------------------------------
def test_delete_says_it_stopped_the_background_engine_not_that_it_replaces_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped = ServerInfo(pid=4242, host="127.0.0.1", port=9325, endpoint="http://127.0.0.1:9325",
                         state_dir=str(tmp_path), started_at=0.0)
    monkeypatch.setattr(local_deploy, "stop_detached_server", lambda state_dir: stopped)
    notes: list[str] = []
    deployer = LocalDeployer(tmp_path / "state", "stack", engine_factory=None, on_note=notes.append)  # type: ignore[arg-type]
    deployer.delete()
    assert notes == ["Stopped the background engine (pid 4242) on http://127.0.0.1:9325."]
    monkeypatch.setattr(local_deploy, "require_free_port", lambda host, port: None)
    monkeypatch.setattr(local_deploy.LocalDeployer, "_new_engine",
                        lambda self, port: SimpleNamespace(start=lambda: None, endpoint="http://127.0.0.1:9325"))
    deployer.open()  # watch mode takes over from the background engine
    assert notes[-1] == "Stopped the background engine (pid 4242) on http://127.0.0.1:9325; replacing it."


# -- checks before the slow steps ---------------------------------------------------------------------------
class NoSandbox(Factory):
    """Fails the test if the sandbox (synth, deploy) is ever reached."""

    def __init__(self) -> None:
        self.reached = 0

    def sandbox(self, settings: Any, console: Any, *, confirm: Any = None) -> Any:
        self.reached += 1
        return SimpleNamespace(run=lambda once=False: None)


@pytest.fixture
def factory() -> Iterator[NoSandbox]:
    fake = NoSandbox()
    previous = set_factory(fake)
    yield fake
    set_factory(previous)


def _taken_port() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_a_taken_port_is_reported_before_synthesizing(
    project: Path, factory: NoSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    with _taken_port() as sock:
        port = sock.getsockname()[1]
        assert main(["sandbox", "--once", "--port", str(port), "--dir", str(project)]) == 1
    err = capsys.readouterr().err
    assert f"Error (PortInUseError): Port {port} on 127.0.0.1 is already in use" in err
    assert factory.reached == 0


def test_the_sandboxs_own_background_engine_on_the_port_is_no_error(
    project: Path, factory: NoSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _taken_port() as sock:
        port = sock.getsockname()[1]
        own = ServerInfo(pid=4242, host="127.0.0.1", port=port, endpoint=f"http://127.0.0.1:{port}",
                         state_dir="", started_at=0.0)
        monkeypatch.setattr(background_engine, "read_server_info", lambda state_dir: own)  # replaced at deploy
        assert main(["sandbox", "--once", "--port", str(port), "--identifier", "alice", "--dir", str(project)]) == 0
    assert factory.reached == 1


def test_an_outputs_folder_that_cannot_be_created_is_reported_before_synthesizing(
    project: Path, factory: NoSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "web").write_text("a file, not a folder")
    assert main(["sandbox", "--once", "--outputs-out-dir", "web/src", "--dir", str(project)]) == 1
    err = capsys.readouterr().err
    assert f"Error (InvalidPathError): Directory {project / 'web' / 'src'} could not be created: " \
           f"{project / 'web'} is a file." in err
    assert factory.reached == 0
