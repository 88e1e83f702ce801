"""One way to replace a file atomically, for every file amplify-py writes in a project.

Outputs, deployment records, synthesized templates and sandbox secrets are all
written to a temporary file beside the target, flushed to disk, then moved over
it with ``os.replace``: a reader (a dev server reloading amplify_outputs.json, a
second ``ampy`` process) never sees half a file, and the old file stays intact
if anything fails. Neutral on purpose (no pydantic, no CDK), so any layer can use it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from amplify_py.errors import AmpyUserError

__all__ = ["write_text_atomic"]


def write_text_atomic(target: Path, text: str, *, mode: int | None = None) -> None:
    """Replace ``target`` with ``text`` in one step: the old file stays intact if anything fails.

    The new file gets ``mode`` if given (``0o600`` for secrets: the temporary file is created
    0600, so the text is never readable by others), else the old file's mode, else the umask's.
    """
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
        if mode is not None:
            os.chmod(tmp, mode)
        elif target.exists():
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
