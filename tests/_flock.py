"""Is an engine database's writers' flock held right now? (For tests of what runs inside the write lock.)"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def writers_lock_held(writer_file: Path) -> bool:
    """Whether anyone holds the flock on ``writer_file`` (``<database>-writer``): our own open file of it
    conflicts with every other one, the engine's included."""
    probe = os.open(writer_file, os.O_RDWR)
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(probe, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(probe)
