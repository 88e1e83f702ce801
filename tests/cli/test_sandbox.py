"""``ampy sandbox`` with injected fakes: the lifecycle rules, the CLI's checks, the AWS target's flow.

The fakes stand in for the synthesizer (a template file in the project instead of
the CDK), the local engine (an in-memory pool store that keeps "users" across
redeploys) and the CDK toolkit's process runner. Everything else is real: the
sandbox lifecycle, the local and AWS deployers, the outputs writer and records.
"""

from __future__ import annotations

import io
import json
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rich.console import Console

from amplify_py.cli import app as cli_app
from amplify_py.cli.factory import Factory, set_factory
from amplify_py.deploy.cdk import CdkToolkit, RunResult
from amplify_py.deploy.records import load_record
from amplify_py.backend.identifier import BackendIdentifier
from amplify_py.errors import AmpyUserError
from amplify_py.sandbox import SandboxConsole, SandboxSettings, sandbox_stack_name
from amplify_py.sandbox.identifiers import branch_stack_name

DATA = Path(__file__).resolve().parents[1] / "data"
CASES = DATA / "reference" / "cases"


# -- fakes ---------------------------------------------------------------------------------------
@dataclass
class FakeDeployResult:
    physical_ids: dict[str, str]
    region: str
    changes: tuple = ()


class FakeEngine:
    """Pools per state folder, kept across engine instances like the real engine's SQLite."""

    world: dict[str, dict[str, Any]] = {}

    def __init__(self, state_dir: Path, *, host: str, port: int, on_message: Callable[[dict], None]) -> None:
        self.state_dir, self.host, self.port, self.on_message = state_dir, host, port, on_message
        self.running = False
        self.assembly_dirs: list[Path | None] = []

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def credentials(self) -> Any:
        return SimpleNamespace(access_key_id="AKIALOCALFAKE", secret_access_key="fake-secret", region="us-east-1",
                               path=self.state_dir / "credentials.json")

    @property
    def console_url(self) -> str:
        return f"{self.endpoint}/_console/?token=fake-token"

    @property
    def deployments(self) -> dict[str, Any]:
        return self.world.setdefault(str(self.state_dir), {})

    def start(self) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False

    def deploy(self, deployment_id: str, template: dict, *, assembly_dir: Path | None = None,
               allow_replacement: bool = False) -> FakeDeployResult:
        assert self.running, "deploy on a stopped engine"
        self.assembly_dirs.append(assembly_dir)
        if "Rejected" in json.dumps(template):
            raise AmpyUserError("InvalidTemplateError", "the engine rejected the template", "fix it")
        previous = self.deployments.get(deployment_id, {})
        ids = {
            logical: f"us-east-1_{logical[-8:]}"
            for logical, res in template["Resources"].items()
            if res["Type"].startswith("AWS::Cognito::")
        }
        self.deployments[deployment_id] = {"template": template, "users": previous.get("users", []), "ids": ids}
        self.on_message({"medium": "email", "recipient": "a@example.com", "subject": "Deployed", "code": "123456"})
        return FakeDeployResult(ids, "us-east-1")

    def delete(self, deployment_id: str) -> None:
        self.deployments.pop(deployment_id, None)


class FakeSynthesizer:
    """Reads amplify/template.json; bad JSON is the user's syntax error."""

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.calls: list[tuple[str | None, Path | None]] = []

    def synth(self, stack_name: str | None = None, outdir: Path | None = None) -> Any:
        self.calls.append((stack_name, outdir))
        path = self.project_dir / "amplify" / "template.json"
        try:
            template = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise AmpyUserError("SyntaxError", f"{path}: {exc}", "Fix the syntax error.") from exc
        if outdir is not None:
            outdir.mkdir(parents=True, exist_ok=True)
            (outdir / f"{stack_name}.template.json").write_text(json.dumps(template))
        return SimpleNamespace(stack_name=stack_name, template=template, backend=None)


class FakeRunner:
    def __init__(self, output: str = "", exit_code: int = 0, outputs_file: Path | None = None) -> None:
        self.output, self.exit_code, self.outputs_file = output, exit_code, outputs_file
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], env: dict, cwd: Path, on_line: Callable[[str], None]) -> RunResult:
        argv = list(argv)
        self.calls.append(argv)
        for line in self.output.splitlines():
            on_line(line)
        if self.exit_code == 0 and "--outputs-file" in argv:
            stack = argv[6]
            outputs = json.loads(self.outputs_file.read_text()) if self.outputs_file else {}
            Path(argv[argv.index("--outputs-file") + 1]).write_text(json.dumps({stack: next(iter(outputs.values()))}))
        return RunResult(self.exit_code, self.output)


class FakeFactory(Factory):
    def __init__(self, runner: FakeRunner | None = None) -> None:
        self.runner = runner or FakeRunner(outputs_file=DATA / "cdk" / "outputs.json")
        self.synthesizers: list[FakeSynthesizer] = []

    def synthesizer(self, project_dir: Path, **options: Any) -> FakeSynthesizer:
        synth = FakeSynthesizer(project_dir)
        synth.options = options
        self.synthesizers.append(synth)
        return synth

    def engine(self, state_dir: Path, *, host: str, port: int, on_message: Any, on_log: Any = None) -> FakeEngine:
        return FakeEngine(state_dir, host=host, port=port, on_message=on_message)

    def cdk_toolkit(self, project_dir: Path, *, profile: str | None) -> CdkToolkit:
        return CdkToolkit(project_dir, profile=profile, runner=self.runner)


# -- fixtures ------------------------------------------------------------------------------------
def _template(case: str = "email_default") -> dict:
    return json.loads((CASES / f"{case}.template.json").read_text())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "notes-app"
    (root / "amplify").mkdir(parents=True)
    (root / "amplify" / "template.json").write_text(json.dumps(_template()))
    FakeEngine.world.clear()
    return root


@pytest.fixture
def factory() -> FakeFactory:
    fake = FakeFactory()
    previous = set_factory(fake)
    yield fake
    set_factory(previous)


@pytest.fixture
def ampy(monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    """Run ``ampy`` in-process, with only this issue's command groups registered."""

    def register() -> None:
        from amplify_py.cli import pipeline, sandbox  # noqa: F401

    monkeypatch.setattr(cli_app, "_register_commands", register)
    return lambda *args: cli_app.main(list(args))


def _console() -> tuple[SandboxConsole, io.StringIO]:
    buffer = io.StringIO()
    return SandboxConsole(Console(file=buffer, width=200, highlight=False)), buffer


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the sandbox")
        time.sleep(0.02)


# -- lifecycle -----------------------------------------------------------------------------------
def test_watch_redeploys_on_save_and_a_broken_save_keeps_the_last_good_deployment(
    project: Path, factory: FakeFactory
) -> None:
    console, out = _console()
    settings = SandboxSettings(project_dir=project, identifier="alice", port=9999)
    sandbox = factory.sandbox(settings, console)
    sandbox.debounce_ms = 50
    stop = threading.Event()
    thread = threading.Thread(target=sandbox.run, kwargs={"stop_event": stop})
    thread.start()
    try:
        _wait_for(lambda: sandbox.deploy_count == 1 and sandbox.watching.is_set())  # deployed, all printed, watching
        stack = sandbox_stack_name(project, "alice")
        state = FakeEngine.world[str(project / ".amplify" / "sandbox" / "alice")]
        state[stack]["users"].append("bob")  # a user signed up against the first deployment
        outputs_path = project / "amplify_outputs.json"
        first_outputs = outputs_path.read_text()
        assert json.loads(first_outputs)["custom"]["local_engine"]["user_pool_endpoint"] == "http://127.0.0.1:9999"
        assert "code 123456" in out.getvalue()  # the engine's message is printed as it is sent
        assert "Local engine: http://127.0.0.1:9999" in out.getvalue()
        # the engine's local credentials, for signed admin calls: printed, never in amplify_outputs.json
        assert ("Local credentials for admin calls (signed, as IAM ones on AWS; also in "
                ".amplify/sandbox/alice/credentials.json):\n  AWS_ACCESS_KEY_ID=AKIALOCALFAKE "
                "AWS_SECRET_ACCESS_KEY=fake-secret AWS_REGION=us-east-1") in out.getvalue()
        assert "fake-secret" not in first_outputs
        assert "Console: http://127.0.0.1:9999/_console/?token=fake-token" in out.getvalue()

        # a broken save: reported, nothing changes
        (project / "amplify" / "template.json").write_text('{"Resources": ')
        _wait_for(lambda: "SyntaxError" in out.getvalue())
        assert sandbox.deploy_count == 1
        assert outputs_path.read_text() == first_outputs
        assert state[stack]["template"] == _template()
        assert "last good deployment" in out.getvalue()

        # an engine-rejected deploy: reported, nothing changes either
        rejected = _template()
        rejected["Metadata"] = {"Rejected": True}
        (project / "amplify" / "template.json").write_text(json.dumps(rejected))
        _wait_for(lambda: "InvalidTemplateError" in out.getvalue())
        assert sandbox.deploy_count == 1 and outputs_path.read_text() == first_outputs

        # a good save with a change: redeployed in place, users kept, outputs rewritten
        (project / "amplify" / "template.json").write_text(json.dumps(_template("email_and_phone")))
        _wait_for(lambda: sandbox.deploy_count == 2)
        assert state[stack]["template"] == _template("email_and_phone")
        assert state[stack]["users"] == ["bob"]
        assert outputs_path.read_text() != first_outputs
        record = load_record(project, "alice")
        assert record.target == "local" and record.stack_name == stack
        assert record.custom["local_engine"]["user_pool_endpoint"] == "http://127.0.0.1:9999"
        assert out.getvalue().count("AWS_SECRET_ACCESS_KEY=") == 1  # once per sandbox, not on every redeploy
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert ("The deployment stays in place; `ampy sandbox --identifier alice` serves it again, "
            "`ampy sandbox delete --identifier alice` removes it.") in out.getvalue()
    assert stack in FakeEngine.world[str(project / ".amplify" / "sandbox" / "alice")]


def test_first_deploy_failure_in_watch_mode_keeps_watching(project: Path, factory: FakeFactory) -> None:
    (project / "amplify" / "template.json").write_text("not json")
    console, out = _console()
    sandbox = factory.sandbox(SandboxSettings(project_dir=project, identifier="alice", port=9998), console)
    sandbox.debounce_ms = 50
    stop = threading.Event()
    thread = threading.Thread(target=sandbox.run, kwargs={"stop_event": stop})
    thread.start()
    try:
        _wait_for(lambda: "SyntaxError" in out.getvalue())
        assert not (project / "amplify_outputs.json").exists()
        _wait_for(sandbox.watching.is_set)  # the watcher is armed before the first save
        (project / "amplify" / "template.json").write_text(json.dumps(_template()))
        _wait_for(lambda: sandbox.deploy_count == 1)
        assert (project / "amplify_outputs.json").exists()
    finally:
        stop.set()
        thread.join(timeout=10)


def test_once_with_a_broken_backend_fails_and_writes_nothing(project: Path, factory: FakeFactory, ampy) -> None:
    (project / "amplify" / "template.json").write_text("{")
    assert ampy("sandbox", "--once", "--profile", "dev", "--dir", str(project)) == 1
    assert not (project / "amplify_outputs.json").exists()
    assert factory.runner.calls == []  # the toolkit never ran


def test_ctrl_c_during_once_fails_instead_of_reporting_a_deployment(
    project: Path, factory: FakeFactory, ampy, monkeypatch, capsys
) -> None:
    def interrupted(self, stack_name=None, outdir=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(FakeSynthesizer, "synth", interrupted)
    assert ampy("sandbox", "--once", "--profile", "dev", "--dir", str(project)) == 130
    captured = capsys.readouterr()
    assert "Interrupted." in captured.err
    assert "Deployed" not in captured.out and "keeps serving" not in captured.out
    assert not (project / "amplify_outputs.json").exists()


def test_exclude_patterns(project: Path, factory: FakeFactory) -> None:
    console, _ = _console()
    settings = SandboxSettings(project_dir=project, identifier="alice", exclude=("amplify/data", "*.md", str(project / "amplify" / "scratch.py")))
    sandbox = factory.sandbox(settings, console)
    assert sandbox.excluded(str(project / "amplify" / "data" / "schema.py"))
    assert sandbox.excluded(str(project / "amplify" / "notes.md"))
    assert sandbox.excluded(str(project / "amplify" / "scratch.py"))
    assert not sandbox.excluded(str(project / "amplify" / "auth" / "resource.py"))
    flt = sandbox._filter()
    from watchfiles import Change

    assert not flt(Change.modified, str(project / "amplify_outputs.json"))
    assert not flt(Change.modified, str(project / "amplify" / "auth" / "__pycache__" / "resource.cpython-311.pyc"))
    assert flt(Change.modified, str(project / "amplify" / "auth" / "resource.py"))


def test_delete_removes_the_local_pool_state_and_record(project: Path, factory: FakeFactory, ampy, capsys) -> None:
    console, _ = _console()
    sandbox = factory.sandbox(SandboxSettings(project_dir=project, identifier="alice", port=9997), console)
    sandbox.run(once=False, stop_event=_set_event())
    state_dir = project / ".amplify" / "sandbox" / "alice"
    stack = sandbox_stack_name(project, "alice")
    assert stack in FakeEngine.world[str(state_dir)] and state_dir.is_dir()
    assert ampy("sandbox", "delete", "--yes", "--identifier", "alice", "--dir", str(project)) == 0
    assert stack not in FakeEngine.world[str(state_dir)]
    assert not state_dir.exists()
    with pytest.raises(AmpyUserError, match="No sandbox deployment named alice"):
        load_record(project, "alice")
    assert (project / "amplify_outputs.json").exists()  # left in place, as ampx leaves it
    assert "left in place" in capsys.readouterr().out


def test_sandbox_synthesizes_as_its_identity_with_its_secrets_and_delete_keeps_them(
    project: Path, factory: FakeFactory, ampy
) -> None:
    from amplify_py.sandbox.identifiers import sandbox_backend_id
    from amplify_py.sandbox.secrets import LocalSecretStore

    console, _ = _console()
    sandbox = factory.sandbox(SandboxSettings(project_dir=project, identifier="alice", port=9997), console)
    options = factory.synthesizers[-1].options
    assert options["backend_id"] == sandbox_backend_id(project, "alice")
    assert isinstance(options["secrets"], LocalSecretStore) and options["secrets"].identifier == "alice"
    options["secrets"].set("GOOGLE_ID", "v")
    sandbox.run(once=False, stop_event=_set_event())
    state_dir = project / ".amplify" / "sandbox" / "alice"
    assert ampy("sandbox", "delete", "--yes", "--identifier", "alice", "--dir", str(project)) == 0
    assert sandbox_stack_name(project, "alice") not in FakeEngine.world[str(state_dir)]
    assert [p.name for p in state_dir.iterdir()] == ["secrets.json"]  # ampx keeps a deleted sandbox's secrets
    assert options["secrets"].get_value("GOOGLE_ID") == "v"


def _set_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


def test_delete_asks_first(project: Path, factory: FakeFactory, ampy, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert ampy("sandbox", "delete", "--identifier", "alice", "--dir", str(project)) == 0
    assert "Are you sure you want to delete all the resources in your sandbox environment" in capsys.readouterr().out


def test_stop_without_a_background_engine(project: Path, ampy, capsys) -> None:
    assert ampy("sandbox", "stop", "--identifier", "alice", "--dir", str(project)) == 0
    assert "No background engine is running for sandbox alice" in capsys.readouterr().out


# -- CLI checks ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--identifier", "not valid!"], "Invalid --identifier provided"),
        (["--once", "--exclude", "x"], "--once cannot be combined with --exclude or --dir-to-watch"),
        (["--once", "--dir-to-watch", "amplify"], "--once cannot be combined"),
        (["--profile", "dev", "--target", "local"], "cannot be combined with --target local"),
        (["--target", "aws", "--port", "9000"], "--port applies to the local engine only"),
        (["--outputs-version", "0"], "--outputs-version 0 is not supported"),
        (["--dir-to-watch", "nope"], "--dir-to-watch nope does not exist"),
        (["--dir-to-watch", "amplify/template.json"], "is not a valid directory"),
    ],
)
def test_invalid_options_are_user_errors(project: Path, factory: FakeFactory, ampy, capsys, args, message) -> None:
    assert ampy("sandbox", *args, "--dir", str(project)) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert factory.synthesizers == []


def test_project_without_amplify_folder(tmp_path: Path, ampy, capsys) -> None:
    assert ampy("sandbox", "--dir", str(tmp_path)) == 1
    assert "No amplify/ folder in" in capsys.readouterr().err


# -- AWS target ----------------------------------------------------------------------------------
def test_aws_once_deploys_with_the_toolkit_and_writes_outputs(project: Path, factory: FakeFactory, ampy) -> None:
    factory.runner.output = (DATA / "cdk" / "deploy_progress_events.txt").read_text()
    assert ampy("sandbox", "--once", "--profile", "dev", "--identifier", "alice", "--dir", str(project)) == 0
    stack = sandbox_stack_name(project, "alice")
    assert stack.startswith("amplify-notesapp-alice-sandbox-")
    (argv,) = factory.runner.calls
    assert argv[3:7] == ["deploy", "--app", str(project / ".amplify" / "artifacts" / "cdk.out"), stack]
    assert argv[argv.index("--profile") + 1] == "dev" and "--hotswap-fallback" in argv
    assert factory.synthesizers[0].calls == [(stack, project / ".amplify" / "artifacts" / "cdk.out")]
    outputs = json.loads((project / "amplify_outputs.json").read_text())
    assert outputs["auth"]["user_pool_id"] == "us-east-1_AbCdEfGhI"
    assert "custom" not in outputs
    record = load_record(project, "alice")
    assert record.target == "aws" and record.stack_name == stack and record.region == "us-east-1"


def test_aws_failure_is_reported_without_traceback(project: Path, factory: FakeFactory, ampy, capsys) -> None:
    factory.runner.output = (DATA / "cdk" / "deploy_no_credentials.txt").read_text()
    factory.runner.exit_code = 1
    assert ampy("sandbox", "--once", "--target", "aws", "--dir", str(project)) == 1
    err = capsys.readouterr().err
    assert "NoCredentialsError" in err and "Traceback" not in err
    assert not (project / "amplify_outputs.json").exists()


def test_aws_delete_synthesizes_then_destroys(project: Path, factory: FakeFactory, ampy) -> None:
    assert ampy("sandbox", "delete", "--yes", "--profile", "dev", "--identifier", "alice", "--dir", str(project)) == 0
    (argv,) = factory.runner.calls
    stack = sandbox_stack_name(project, "alice")
    assert argv[3:7] == ["destroy", "--app", str(project / ".amplify" / "artifacts" / "cdk.out"), stack]
    assert argv[-1] == "--force"


def test_outputs_out_dir_and_dart_format(project: Path, factory: FakeFactory, ampy) -> None:
    assert ampy("sandbox", "--once", "--target", "aws", "--identifier", "alice", "--outputs-out-dir", "lib",
                "--outputs-format", "dart", "--dir", str(project)) == 0
    dart = (project / "lib" / "amplify_outputs.dart").read_text()
    assert "amplifyConfig" in dart and "us-east-1_AbCdEfGhI" in dart


# -- pipeline-deploy -----------------------------------------------------------------------------
def _no_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from amplify_py.cli.pipeline import _CI_VARIABLES

    for name in _CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_pipeline_deploy_refuses_outside_ci(project: Path, factory: FakeFactory, ampy, monkeypatch, capsys) -> None:
    _no_ci(monkeypatch)
    assert ampy("pipeline-deploy", "--branch", "main", "--app-id", "d1a2b3c4", "--dir", str(project)) == 1
    err = capsys.readouterr().err
    assert "RunningPipelineDeployNotInCiError" in err
    assert "It looks like this command is being run outside of a CI/CD workflow." in err
    assert factory.runner.calls == []
    monkeypatch.setenv("CI", "false")
    monkeypatch.setenv("BUILD_ID", "7")
    assert ampy("pipeline-deploy", "--branch", "main", "--app-id", "d1a2b3c4", "--dir", str(project)) == 1


def test_pipeline_deploy_in_ci(project: Path, factory: FakeFactory, ampy, monkeypatch) -> None:
    _no_ci(monkeypatch)
    monkeypatch.setenv("CI", "true")
    assert ampy("pipeline-deploy", "--branch", "feature/login", "--app-id", "d1a2b3c4", "--dir", str(project)) == 0
    stack = branch_stack_name("d1a2b3c4", "feature/login")
    assert stack.startswith("amplify-d1a2b3c4-featurelogin-branch-")
    (argv,) = factory.runner.calls
    assert argv[3:7] == ["deploy", "--app", str(project / ".amplify" / "artifacts" / "cdk.out"), stack]
    assert "--hotswap-fallback" not in argv and "--profile" not in argv
    assert json.loads((project / "amplify_outputs.json").read_text())["auth"]["aws_region"] == "us-east-1"
    assert load_record(project, stack).target == "aws"
    assert factory.synthesizers[-1].options["backend_id"].stable_backend_hash() == \
        BackendIdentifier.branch("d1a2b3c4", "feature/login").stable_backend_hash()


def test_pipeline_deploy_requires_branch_and_app_id(project: Path, ampy, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CI", "true")
    assert ampy("pipeline-deploy", "--branch", "main", "--dir", str(project)) != 0
    assert "--app-id" in capsys.readouterr().err
