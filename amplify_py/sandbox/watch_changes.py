"""Which saves the sandbox reacts to: editors' temporary files are not changes to the backend."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import watchfiles

__all__ = ["EDITOR_TEMP_FILES", "changed_files"]

#: File names editors write next to a file while saving it, beyond what watchfiles ignores already (vim's
#: .sw? swap files, backups ending in ~, emacs's .# locks, JetBrains' ___jb_ files): vim's write probe
#: (4913, 5036, ...), emacs's #autosave#, kate's .kate-swp, gedit's .goutputstream-*, and the *.tmp files
#: of atomic saves.
EDITOR_TEMP_FILES = (r"^\d+$", r"^#.*#$", r"\.kate-swp$", r"^\.goutputstream-", r"\.tmp(\.\d+)?$")


def changed_files(changes: Iterable[tuple[watchfiles.Change, str]]) -> list[str]:
    """The paths a batch of changes really changed, sorted.

    A file created and gone again within the batch (an editor's temporary file) changed nothing.
    """
    batch = list(changes)
    added = {path for change, path in batch if change == watchfiles.Change.added}
    return sorted({path for _change, path in batch if path not in added or Path(path).exists()})
