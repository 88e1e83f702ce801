"""Write amplify_outputs.json / amplify_outputs.dart exactly as ampx does, atomically.

ampx writes ``JSON.stringify(config, null, 2)`` (no trailing newline) for
``json`` and wraps the same text in a Dart raw string for ``dart``. The file is
replaced atomically (``amplify_py._files``), so a reader (a dev server
hot-reloading the file) never sees half-written outputs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from amplify_py._files import write_text_atomic
from amplify_py.errors import AmpyUserError
from amplify_py.outputs.model import AmplifyOutputs

__all__ = ["OUTPUTS_FILE_BASENAME", "OutputsFormat", "format_outputs", "outputs_path", "require_writable_dir",
           "write_outputs"]

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


def require_writable_dir(out_dir: Path) -> None:
    """Fail now, with :func:`write_outputs`' error, when ``out_dir`` could not be created or written to.

    The sandbox checks this before its slow steps, instead of after a deployment.
    """
    out_dir = Path(out_dir)
    existing = out_dir
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if existing.is_dir() and os.access(existing, os.W_OK | os.X_OK):
        return
    if existing.is_dir():
        reason = f"{existing} is not writable"
    else:
        reason = "it is a file" if existing == out_dir else f"{existing} is a file"
    raise AmpyUserError(
        "InvalidPathError",
        f"Directory {out_dir} could not be created: {reason}.",
        "Ensure that you have access for creating this file path and that the path is correct.",
    )


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
