"""Write amplify_outputs.json / amplify_outputs.dart exactly as ampx does, atomically.

ampx writes ``JSON.stringify(config, null, 2)`` (no trailing newline) for
``json`` and wraps the same text in a Dart raw string for ``dart``. We write to
a temporary file beside the target and ``os.replace`` it, so a reader (a dev
server hot-reloading the file) never sees half-written outputs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

from amplify_py.errors import AmpyUserError
from amplify_py.outputs.model import AmplifyOutputs

__all__ = ["OUTPUTS_FILE_BASENAME", "OutputsFormat", "format_outputs", "outputs_path", "write_outputs", "write_text_atomic"]

OUTPUTS_FILE_BASENAME = "amplify_outputs"
OutputsFormat = Literal["json", "dart"]


def format_outputs(outputs: AmplifyOutputs, format: OutputsFormat = "json") -> str:  # noqa: A002 - ampx's name
    """The file's text for ``format``."""
    text = outputs.to_json()
    if format == "json":
        return text
    if format == "dart":
        # A raw string (r''') so '$' in values is not Dart interpolation.
        return f"const amplifyConfig = r'''{text}''';"
    raise AmpyUserError(
        "InvalidOutputsFormatError",
        f"Unsupported outputs format {format!r}.",
        "Use --format json or --format dart.",
    )


def outputs_path(out_dir: Path, format: OutputsFormat = "json") -> Path:  # noqa: A002
    return Path(out_dir) / f"{OUTPUTS_FILE_BASENAME}.{format}"


def write_outputs(outputs: AmplifyOutputs, out_dir: Path, format: OutputsFormat = "json") -> Path:  # noqa: A002
    """Write ``amplify_outputs.<format>`` into ``out_dir`` (created if missing); returns its path."""
    text = format_outputs(outputs, format)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AmpyUserError(
            "InvalidPathError",
            f"Directory {out_dir} could not be created: {exc.strerror or exc}.",
            "Ensure that you have access for creating this file path and that the path is correct.",
        ) from exc
    target = outputs_path(out_dir, format)
    write_text_atomic(target, text)
    return target


def write_text_atomic(target: Path, text: str) -> None:
    """Replace ``target`` with ``text`` in one step: the old file stays intact if anything fails."""
    target = Path(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except PermissionError as exc:
        raise _permission_error(target) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise _permission_error(target) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _permission_error(target: Path) -> AmpyUserError:
    return AmpyUserError(
        "PermissionsError",
        f"You do not have the permissions to write to this file: {target}",
        f"Ensure that you have the right permissions to write to {target}.",
    )


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
