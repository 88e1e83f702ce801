"""A clock that only moves when told to, readable by every process of a multi-process engine.

Tests move time (code expiry, lockouts) without sleeping. With one engine process any callable does; the
workers of a multi-process engine are other processes, so the time they read must live outside any one
of them: here, eight bytes in a small file that each process maps into memory.
"""

from __future__ import annotations

import mmap
import os
import struct
import tempfile
import time
from pathlib import Path

__all__ = ["SharedClock"]

_FORMAT = "d"


class SharedClock:
    """``clock()`` is the current time in seconds; ``advance`` moves it, for every process that maps ``path``."""

    def __init__(self, path: Path | None = None, start: float | None = None) -> None:
        if path is None:
            handle, name = tempfile.mkstemp(prefix="amplify-clock-")
            os.close(handle)
            path = Path(name)
            start = time.time() if start is None else start
        self.path = Path(path)
        if start is not None:
            self.path.write_bytes(struct.pack(_FORMAT, start))
        with open(self.path, "r+b") as fh:
            self._map = mmap.mmap(fh.fileno(), struct.calcsize(_FORMAT))

    def __call__(self) -> float:
        return struct.unpack_from(_FORMAT, self._map)[0]

    @property
    def now(self) -> float:
        return self()

    @now.setter
    def now(self, value: float) -> None:
        struct.pack_into(_FORMAT, self._map, 0, value)

    def advance(self, seconds: float) -> None:
        self.now = self() + seconds

    def __reduce__(self) -> tuple:
        return (SharedClock, (self.path,))
