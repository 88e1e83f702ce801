"""``ampy sandbox`` (deploy, watch, redeploy), ``ampy sandbox delete``, ``ampy sandbox stop`` and
``ampy sandbox console``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from amplify_py.cli._common import (
    OutputsFormat,
    Target,
    app,
    debug_enabled,
    debug_option,
    deploy_target,
    dir_option,
    identifier_option,
    invalid_input,
    profile_option,
    resolve_project,
    sandbox_identifier,
)
from amplify_py.cli.factory import get_factory
from amplify_py.errors import AmpyUserError

if TYPE_CHECKING:
    from amplify_py.deploy.records import DeploymentRecord
    from amplify_py.sandbox.console import SandboxConsole
    from amplify_py.sandbox.lifecycle import SandboxSettings

__all__ = ["sandbox_app"]

sandbox_app = typer.Typer(
    name="sandbox",
    help="Deploy the backend (to the local engine by default, to AWS with --target aws or --profile), "
    "write amplify_outputs.json, then watch amplify/ and redeploy on every save.",
    no_args_is_help=False,
)
app.add_typer(sandbox_app)

_DELETE_PROMPT = "Are you sure you want to delete all the resources in your sandbox environment (This can't be undone)?"


def _console(debug: bool) -> SandboxConsole:
    from amplify_py.deploy.records import DeploymentRecord
    from amplify_py.sandbox.console import SandboxConsole

    return SandboxConsole(debug=debug)


def _interactive() -> bool:
    """Whether a person can answer a question (stdin is a terminal)."""
    return sys.stdin.isatty()


def _ask(question: str) -> bool:
    return typer.confirm(question, default=False)


def _confirm() -> Callable[[str], bool] | None:
    """How the sandbox asks before a replacement deletes users: in a terminal only (a script gets the refusal)."""
    return _ask if _interactive() else None


@sandbox_app.callback(invoke_without_command=True)
def sandbox(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Deploy once and write outputs, then exit. Locally, the engine keeps serving in the background (`ampy sandbox stop` ends it)."),
    identifier: Optional[str] = identifier_option(),
    dir_to_watch: Optional[Path] = typer.Option(None, "--dir-to-watch", help="Directory to watch for file changes. All subdirectories and files will be included. Defaults to the amplify directory."),
    exclude: Optional[list[str]] = typer.Option(None, "--exclude", help="Paths or glob patterns to ignore (repeatable). Relative to the project or absolute; files or directories."),
    outputs_out_dir: Optional[Path] = typer.Option(None, "--outputs-out-dir", help="A path to directory where amplify_outputs is written. Defaults to the project directory."),
    outputs_format: OutputsFormat = typer.Option(OutputsFormat.json, "--outputs-format", help="amplify_outputs file format."),
    outputs_version: str = typer.Option("1.5", "--outputs-version", help="Version of amplify_outputs: 1, 1.1, 1.2, 1.3, 1.4 or 1.5."),
    profile: Optional[str] = profile_option(),
    port: int = typer.Option(9325, "--port", help="Port of the local engine on 127.0.0.1 (local target only).", min=1, max=65535),
    target: Optional[Target] = typer.Option(None, "--target", help="Where to deploy: the local engine (default) or AWS."),
    allow_replacement: bool = typer.Option(False, "--allow-replacement", help="Let a deploy replace a user pool that holds users when its change cannot be made in place (a custom attribute removed or changed, other sign-in attributes), deleting those users. Without it such a deploy stops and says what it would delete (in a terminal, it asks). Local engine only."),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option("Show tracebacks and the toolkit's full output."),
) -> None:
    """Start the sandbox: deploy, write amplify_outputs.json, watch and redeploy on every save."""
    if ctx.invoked_subcommand is not None:
        return
    debug = debug or debug_enabled()
    from amplify_py._node import ensure_jsii_node
    from amplify_py.sandbox.identifiers import identifier_flag
    from amplify_py.outputs.model import OUTPUTS_VERSIONS
    from amplify_py.sandbox.lifecycle import SandboxSettings

    project = resolve_project(dir_)
    chosen_target = deploy_target(target, profile)
    if once and (exclude or dir_to_watch):
        raise invalid_input("--once cannot be combined with --exclude or --dir-to-watch: nothing is watched with --once.",
                            "Drop --exclude/--dir-to-watch, or drop --once to watch for changes.")
    if chosen_target == "aws" and getattr(ctx.get_parameter_source("port"), "name", None) == "COMMANDLINE":
        raise invalid_input("--port applies to the local engine only.", "Drop --port when deploying to AWS.")
    if chosen_target == "aws" and allow_replacement:
        raise invalid_input("--allow-replacement applies to the local engine only: on AWS, CloudFormation decides.",
                            "Drop --allow-replacement when deploying to AWS.")
    if outputs_version not in OUTPUTS_VERSIONS:
        raise invalid_input(f"--outputs-version {outputs_version} is not supported.",
                            f"Choose one of {', '.join(OUTPUTS_VERSIONS)} (the default is 1.5).")
    watch_dir = None
    if dir_to_watch is not None:
        watch_dir = dir_to_watch if dir_to_watch.is_absolute() else project / dir_to_watch
        if not watch_dir.exists():
            raise invalid_input(f"--dir-to-watch {dir_to_watch} does not exist", "Pass an existing directory.")
        if not watch_dir.is_dir():
            raise invalid_input(f"--dir-to-watch {dir_to_watch} is not a valid directory", "Pass a directory, not a file.")
    settings = SandboxSettings(
        project_dir=project, identifier=sandbox_identifier(identifier), target=chosen_target, port=port, profile=profile,
        once=once, watch_dir=watch_dir.resolve() if watch_dir else None, exclude=tuple(exclude or ()),
        outputs_out_dir=(outputs_out_dir if outputs_out_dir is None or outputs_out_dir.is_absolute()
                         else project / outputs_out_dir),
        outputs_format=outputs_format.value, outputs_version=outputs_version, debug=debug,
        allow_replacement=allow_replacement,
    )
    _check_before_deploying(settings)
    ensure_jsii_node()
    console = _console(debug)
    console.info(f"Sandbox {settings.identifier} ({'AWS' if chosen_target == 'aws' else 'local engine'}) in {project}")
    get_factory().sandbox(settings, console, confirm=_confirm()).run(once=once)
    if once and chosen_target == "local":
        console.note("The local engine keeps serving in the background; "
                     f"`ampy sandbox stop{identifier_flag(settings.identifier)}` ends it.")


def _check_before_deploying(settings: SandboxSettings) -> None:
    """The checks that would otherwise fail only after the slow synth: the outputs folder, the engine's port."""
    from amplify_py.deploy.background_engine import LOCAL_HOST, read_server_info, require_free_port
    from amplify_py.outputs.writers import require_writable_dir
    from amplify_py.sandbox.state import sandbox_state_dir

    require_writable_dir(settings.outputs_out_dir or settings.project_dir)
    if settings.target == "local":
        own = read_server_info(sandbox_state_dir(settings.project_dir, settings.identifier))
        if own is None or own.port != settings.port:  # this sandbox's own background engine is replaced
            require_free_port(LOCAL_HOST, settings.port)


def _record(project: Path, identifier: str) -> DeploymentRecord | None:
    """The sandbox's deployment record: where it was deployed and as what (None without a readable one)."""
    from amplify_py.deploy.records import load_record

    try:
        return load_record(project, identifier)
    except AmpyUserError:
        return None


@sandbox_app.command("delete")
def delete(
    identifier: Optional[str] = identifier_option(),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation before deleting the sandbox environment."),
    profile: Optional[str] = profile_option(),
    target: Optional[Target] = typer.Option(None, "--target", help="The sandbox's target; defaults to where it was deployed."),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option("Show tracebacks and the toolkit's full output."),
) -> None:
    """Delete the sandbox environment: its local pools and data, or its AWS stack.

    A local sandbox is deleted without synthesizing (a project with a syntax error can be reset); the AWS
    stack is destroyed by the CDK toolkit, which synthesizes the project.
    """
    debug = debug or debug_enabled()
    from amplify_py._node import ensure_jsii_node
    from amplify_py.sandbox.lifecycle import SandboxSettings

    project = resolve_project(dir_)
    name = sandbox_identifier(identifier)
    record = _record(project, name)
    chosen = deploy_target(target, profile) if (target or profile) else (record.target if record else "local")
    if not yes and not typer.confirm(_DELETE_PROMPT, default=False):
        raise typer.Exit(0)
    ensure_jsii_node()
    console = _console(debug)
    settings = SandboxSettings(project_dir=project, identifier=name, target=chosen, profile=profile, debug=debug,
                               stack_name=record.stack_name if record and record.target == chosen else None)
    get_factory().sandbox(settings, console).delete()
    console.note("amplify_outputs.json was left in place (as ampx leaves it); delete it if you no longer need it.")


@sandbox_app.command("stop")
def stop(
    identifier: Optional[str] = identifier_option(),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Stop the local engine that `ampy sandbox --once` left serving in the background (its data stays)."""
    from amplify_py.deploy.background_engine import StoppedServer, not_running_message, server_status, stop_detached_server
    from amplify_py.sandbox.identifiers import identifier_flag
    from amplify_py.sandbox.state import sandbox_state_dir

    project = resolve_project(dir_)
    name = sandbox_identifier(identifier)
    console = _console(False)
    state_dir = sandbox_state_dir(project, name)
    record = _record(project, name)
    served_at = ((record.custom.get("local_engine") or {}).get("user_pool_endpoint") if record else None)
    status = server_status(state_dir, endpoint=served_at)
    stopped = stop_detached_server(state_dir)
    if isinstance(status, StoppedServer):
        console.info(not_running_message(status, name, f"ampy sandbox --once{identifier_flag(name)}"))
    elif stopped is None:
        console.info(f"No background engine is running for sandbox {name}.")
    else:
        console.info(f"Stopped the local engine of sandbox {name} (pid {stopped.pid}, {stopped.endpoint}). Its data stays; "
                     f"`ampy sandbox --once{identifier_flag(name)}` serves it again.")


@sandbox_app.command("console")
def show_console(
    identifier: Optional[str] = identifier_option(),
    dir_: Optional[Path] = dir_option(),
    debug: bool = debug_option(),
) -> None:
    """Print the address of the local console of the engine `ampy sandbox --once` left serving, token included.

    Open it in a browser on this machine: the console shows the sandbox's pools, users, the codes the engine
    sent and its recent requests. A sandbox in watch mode prints the address in its own terminal.
    """
    from amplify_py.deploy.background_engine import StoppedServer, not_running_message, server_status
    from amplify_py.sandbox.identifiers import identifier_flag
    from amplify_py.sandbox.state import sandbox_state_dir

    project = resolve_project(dir_)
    name = sandbox_identifier(identifier)
    status = server_status(sandbox_state_dir(project, name))
    again = f"ampy sandbox --once{identifier_flag(name)}"
    if isinstance(status, StoppedServer):
        raise AmpyUserError("LocalEngineNotRunningError", not_running_message(status, name, again),
                            f"Run `{again}` to start it again; it prints the console's address.")
    if status is None or not status.console_url:
        raise AmpyUserError(
            "NoConsoleRecordedError",
            f"No background engine with a console is recorded for sandbox {name}.",
            "A sandbox in watch mode (`ampy sandbox`) prints the console's address in its terminal; "
            f"`{again}` leaves a background engine whose address this command prints.")
    typer.echo(status.console_url)
