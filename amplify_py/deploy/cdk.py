"""Deploy to AWS with the standard CDK toolkit (the npm ``aws-cdk`` CLI), never our own deployer.

The synthesizer writes a cloud assembly; the toolkit, pinned to one exact
version and run through ``npx``, deploys or destroys that assembly's stack,
writes the stack outputs to a JSON file and prints one line per CloudFormation
event (``--progress events``), which we parse for the console. Failures are
mapped to user errors in :mod:`amplify_py.deploy.cdk_errors`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from amplify_py._node import bundled_node
from amplify_py.deploy.cdk_errors import map_cdk_failure, strip_ansi
from amplify_py.errors import AmpyUserError

__all__ = [
    "CDK_CLI_VERSION",
    "ResourceEvent",
    "RunResult",
    "Runner",
    "CdkToolkit",
    "parse_progress_line",
    "read_outputs_file",
    "subprocess_runner",
]

# The npm aws-cdk CLI (versioned 2.1xxx since 2025) that reads aws-cdk-lib 2.275's cloud assemblies.
CDK_CLI_VERSION = "2.1148.1"

# "<stack> | 3/9 | 10:01:02 AM | CREATE_COMPLETE | AWS::Cognito::UserPool | auth/UserPool (amplifyAuthUserPool4BA7F805) reason"
_EVENT = re.compile(
    r"^\s*(?P<stack>[A-Za-z][A-Za-z0-9-]*)\s*\|\s*(?:(?P<done>\d+)(?:/(?P<total>\d+))?)?\s*\|\s*"
    r"(?P<time>[^|]+?)\s*\|\s*(?P<status>[A-Z_]+)\s*\|\s*(?P<type>[A-Za-z0-9:]+)\s*\|\s*(?P<rest>.*)$"
)


@dataclass(frozen=True)
class ResourceEvent:
    """One CloudFormation event as the toolkit prints it."""

    stack: str
    status: str
    resource_type: str
    logical_id: str
    done: int | None
    total: int | None
    reason: str

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")


def parse_progress_line(line: str) -> ResourceEvent | None:
    """A toolkit progress line as an event, or None for any other line."""
    match = _EVENT.match(strip_ansi(line))
    if match is None:
        return None
    rest = match["rest"].strip()
    # rest is "<construct path> (<logical id>) <reason>" or "<logical id> <reason>"
    paren = re.match(r"^(?P<path>\S+) \((?P<logical>[A-Za-z0-9]+)\)\s*(?P<reason>.*)$", rest)
    if paren:
        logical, reason = paren["path"], paren["reason"]
    else:
        logical, _, reason = rest.partition(" ")
    return ResourceEvent(
        stack=match["stack"],
        status=match["status"],
        resource_type=match["type"],
        logical_id=logical,
        done=int(match["done"]) if match["done"] else None,
        total=int(match["total"]) if match["total"] else None,
        reason=reason.strip(),
    )


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    output: str  # stdout and stderr, interleaved as printed


# (argv, env, cwd, on_line) -> RunResult. Tests pass a fake that records argv and replays recorded output.
Runner = Callable[[Sequence[str], dict[str, str], Path, Callable[[str], None]], RunResult]


def subprocess_runner(argv: Sequence[str], env: dict[str, str], cwd: Path, on_line: Callable[[str], None]) -> RunResult:
    """Run the toolkit, streaming each output line to ``on_line``."""
    try:
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, text=True, encoding="utf-8", errors="replace", bufsize=1,
        )
    except FileNotFoundError as exc:
        raise AmpyUserError(
            "CDKNotFoundError",
            f"{argv[0]!r} was not found, so the CDK toolkit cannot run.",
            "Install Node.js 18 or newer (it provides npx), then run the command again.",
        ) from exc
    lines: list[str] = []
    assert proc.stdout is not None
    try:
        for raw in proc.stdout:
            line = raw.rstrip("\n")
            lines.append(line)
            on_line(line)
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=30)
        raise
    return RunResult(proc.wait(), "\n".join(lines))


def read_outputs_file(path: Path, stack_name: str) -> dict[str, str]:
    """The stack's outputs from the toolkit's ``--outputs-file`` (``{stack: {key: value}}``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AmpyUserError(
            "MissingStackOutputsError",
            f"The CDK toolkit reported success but wrote no outputs file at {path}.",
            "Run the deployment again; if it persists, re-run with --debug and report the output.",
        ) from exc
    except json.JSONDecodeError as exc:
        raise AmpyUserError(
            "MissingStackOutputsError", f"The stack outputs file {path} is not valid JSON: {exc}",
            "Delete it and run the deployment again.",
        ) from exc
    outputs = data.get(stack_name)
    if not isinstance(outputs, dict):
        raise AmpyUserError(
            "MissingStackOutputsError",
            f"The stack outputs file {path} has no outputs for stack {stack_name}.",
            "Run the deployment again; the stack name in the file must match the deployed stack.",
        )
    return {str(k): str(v) for k, v in outputs.items()}


class CdkToolkit:
    """The npm ``aws-cdk`` CLI at :data:`CDK_CLI_VERSION`, run through npx against a cloud assembly."""

    def __init__(
        self,
        project_dir: Path,
        *,
        profile: str | None = None,
        runner: Runner = subprocess_runner,
        npx: str = "npx",
        version: str = CDK_CLI_VERSION,
    ) -> None:
        self.project_dir = project_dir
        self.profile = profile
        self.runner = runner
        self.npx = npx
        self.version = version

    def _base(self, command: str, assembly_dir: Path) -> list[str]:
        return [self.npx, "--yes", f"aws-cdk@{self.version}", command, "--app", str(assembly_dir)]

    def _common(self) -> list[str]:
        args = ["--ci", "--no-color", "--no-notices", "--no-version-reporting"]
        if self.profile:
            args += ["--profile", self.profile]
        return args

    def deploy_command(self, assembly_dir: Path, stack_name: str, outputs_file: Path, *, hotswap: bool) -> list[str]:
        """The exact toolkit command line for a deployment (sandboxes hotswap where possible, as ampx does)."""
        argv = self._base("deploy", assembly_dir) + [stack_name] + self._common() + [
            "--require-approval", "never",
            "--outputs-file", str(outputs_file),
            "--progress", "events",
        ]
        if hotswap:
            argv += ["--hotswap-fallback", "--method=direct"]
        return argv

    def destroy_command(self, assembly_dir: Path, stack_name: str) -> list[str]:
        return self._base("destroy", assembly_dir) + [stack_name] + self._common() + ["--force"]

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        node = bundled_node()
        if node is not None:  # run the toolkit on the virtualenv's supported Node, as the CDK's jsii does
            env["PATH"] = os.pathsep.join([str(node.parent), env.get("PATH", "")])
        env.setdefault("CDK_DISABLE_VERSION_CHECK", "1")
        env["NO_COLOR"] = "1"
        env.setdefault("npm_config_update_notifier", "false")
        return env

    def deploy(
        self,
        assembly_dir: Path,
        stack_name: str,
        outputs_file: Path,
        *,
        hotswap: bool = False,
        on_event: Callable[[ResourceEvent], None] | None = None,
        on_line: Callable[[str], None] | None = None,
    ) -> dict[str, str]:
        """Deploy the stack; returns its outputs. Raises a mapped AmpyUserError on failure."""
        outputs_file.parent.mkdir(parents=True, exist_ok=True)
        outputs_file.unlink(missing_ok=True)
        argv = self.deploy_command(assembly_dir, stack_name, outputs_file, hotswap=hotswap)
        result = self.runner(argv, self._env(), self.project_dir, self._line_handler(on_event, on_line))
        if result.exit_code != 0:
            raise map_cdk_failure(result.output, action="deploy", exit_code=result.exit_code)
        return read_outputs_file(outputs_file, stack_name)

    def destroy(
        self,
        assembly_dir: Path,
        stack_name: str,
        *,
        on_event: Callable[[ResourceEvent], None] | None = None,
        on_line: Callable[[str], None] | None = None,
    ) -> None:
        argv = self.destroy_command(assembly_dir, stack_name)
        result = self.runner(argv, self._env(), self.project_dir, self._line_handler(on_event, on_line))
        if result.exit_code != 0:
            raise map_cdk_failure(result.output, action="delete", exit_code=result.exit_code)

    @staticmethod
    def _line_handler(
        on_event: Callable[[ResourceEvent], None] | None, on_line: Callable[[str], None] | None
    ) -> Callable[[str], None]:
        def handle(line: str) -> None:
            event = parse_progress_line(line)
            if event is not None and on_event is not None:
                on_event(event)
            elif on_line is not None:
                on_line(line)

        return handle
