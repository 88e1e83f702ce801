"""Deployment records: what a successful deployment left behind, kept in the project.

The sandbox writes ``<project>/.amplify/deployments/<identifier>.json`` after
every successful deployment (local engine or AWS). ``ampy generate outputs``
reads it to write amplify_outputs again without deploying. Writes are atomic
so a crash never leaves a half-written record.
"""

from __future__ import annotations

import getpass
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from amplify_py._files import write_text_atomic
from amplify_py.errors import AmpyUserError
from amplify_py.outputs.convert import DEFAULT_OUTPUTS_VERSION, build_outputs
from amplify_py.outputs.model import AmplifyOutputs

__all__ = [
    "DeploymentRecord",
    "default_identifier",
    "delete_record",
    "list_records",
    "load_record",
    "outputs_for_record",
    "record_path",
    "records_dir",
    "save_record",
    "validate_identifier",
]

_IDENTIFIER = re.compile(r"^[a-zA-Z0-9-]{1,15}$")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class DeploymentRecord(BaseModel):
    """One successful deployment, with its stack outputs already resolved to strings."""

    model_config = ConfigDict(extra="forbid")

    identifier: str
    target: Literal["local", "aws"]
    stack_name: str
    region: str
    stack_outputs: dict[str, str]
    custom: dict[str, Any] = Field(default_factory=dict)
    deployed_at: datetime = Field(default_factory=_now)


def outputs_for_record(record: DeploymentRecord, version: str = DEFAULT_OUTPUTS_VERSION) -> AmplifyOutputs:
    """amplify_outputs of a recorded deployment: its stack outputs, plus its ``custom`` entries."""
    return build_outputs(record.stack_outputs, version=version, custom=record.custom or None)


def default_identifier() -> str:
    """The sandbox's default identifier, as ampx's: the OS user name."""
    return getpass.getuser()


def validate_identifier(identifier: str) -> str:
    """Check an explicit ``--identifier`` the way ``ampx sandbox`` does."""
    if not _IDENTIFIER.match(identifier):
        raise AmpyUserError(
            "InvalidCommandInputError",
            f"Invalid --identifier provided: {identifier}",
            "Use an identifier that matches [a-zA-Z0-9-] and is less than 15 characters.",
        )
    return identifier


def records_dir(project_dir: Path) -> Path:
    return Path(project_dir) / ".amplify" / "deployments"


def record_path(project_dir: Path, identifier: str) -> Path:
    if not identifier or identifier in (".", "..") or any(sep in identifier for sep in ("/", "\\", "\0")):
        raise AmpyUserError(
            "InvalidCommandInputError",
            f"Invalid sandbox identifier {identifier!r}: it names a file, so it cannot be empty or contain path separators.",
            "Pass --identifier with letters, digits and '-' only.",
        )
    return records_dir(project_dir) / f"{identifier}.json"


def save_record(project_dir: Path, record: DeploymentRecord) -> Path:
    """Write (or replace) the record of ``record.identifier``, atomically; returns its path."""
    path = record_path(project_dir, record.identifier)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(record.model_dump(mode="json"), indent=2) + "\n")
    return path


def load_record(project_dir: Path, identifier: str) -> DeploymentRecord:
    """The record of sandbox ``identifier``; a clear user error when there is none."""
    path = record_path(project_dir, identifier)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise AmpyUserError(
            "DeploymentNotFoundError",
            f"No sandbox deployment named {identifier} in {Path(project_dir).resolve()}.",
            "Run `ampy sandbox` first (with the same --identifier), or pass the --identifier of an existing deployment"
            + _known_identifiers_hint(project_dir)
            + ".",
        ) from exc
    try:
        return DeploymentRecord.model_validate_json(text)
    except ValidationError as exc:
        raise AmpyUserError(
            "InvalidDeploymentRecordError",
            f"The deployment record {path} is not valid.",
            "Delete it and run `ampy sandbox` again to redeploy.",
            details=str(exc),
        ) from exc


def delete_record(project_dir: Path, identifier: str) -> bool:
    """Forget a deployment (after ``ampy sandbox delete``); True if there was a record."""
    path = record_path(project_dir, identifier)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def list_records(project_dir: Path) -> list[DeploymentRecord]:
    """Every readable record in the project, sorted by identifier."""
    directory = records_dir(project_dir)
    if not directory.is_dir():
        return []
    records = []
    for path in sorted(directory.glob("*.json")):
        try:
            records.append(DeploymentRecord.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValidationError):
            continue
    return records


def _known_identifiers_hint(project_dir: Path) -> str:
    known = [record.identifier for record in list_records(project_dir)]
    return f" (existing: {', '.join(known)})" if known else ""
