"""Spreading a multi-process engine's connections over its workers.

The workers share one listening socket. Left to the event loop, the worker that wakes first accepts every
connection waiting in the backlog, so sixteen clients that connect at once mostly land on one worker (seen
on two workers: 13/3, 14/2, 15/1) and keep-alive keeps them there: the other worker idles and two workers
serve barely more than one.

So each worker accepts for itself, one connection at a time, and only while it holds no more open
connections than the least-loaded other worker. The counts are on a ``ConnectionBoard``: a small file in the
state folder, mapped by every worker, one slot each. A worker with more steps aside (stops watching the
socket for ``STEP_ASIDE_S``) so a less-loaded one takes the connection; a connection never waits long for
that, since a worker that has stepped aside for ``MAX_WAIT_S`` accepts anyway (the others may be busy with a
long request). This is the "least connections" rule of load balancers, without a balancer process in between.
"""

from __future__ import annotations

import asyncio
import mmap
import os
import select
import socket
import struct
from collections.abc import Callable
from pathlib import Path

__all__ = ["ConnectionBoard", "BalancedAcceptor", "ABSENT", "STEP_ASIDE_S", "MAX_WAIT_S"]

ABSENT = 2**31 - 1
"""A slot's value while its worker is not serving (starting, or dead and being restarted): never the least."""
STEP_ASIDE_S = 0.001
MAX_WAIT_S = 0.01
_SLOT = struct.Struct("=q")


class ConnectionBoard:
    """How many connections each worker holds: one 8-byte slot per worker in a file every worker maps.

    Each slot has one writer (its worker; the parent only when that worker is not running), and a reader
    that sees a count a moment old only places one connection less well, so there is no lock."""

    def __init__(self, path: Path, slots: int) -> None:
        """Map the board the parent made (``create``) for ``slots`` workers."""
        self.slots = slots
        fd = os.open(path, os.O_RDWR)
        try:
            self._map = mmap.mmap(fd, slots * _SLOT.size)
        finally:
            os.close(fd)

    @classmethod
    def create(cls, path: Path, slots: int) -> "ConnectionBoard":
        """The parent's board, made anew: every worker absent until it serves."""
        path.write_bytes(_SLOT.pack(ABSENT) * slots)
        path.chmod(0o600)
        return cls(path, slots)

    def publish(self, slot: int, count: int) -> None:
        _SLOT.pack_into(self._map, slot * _SLOT.size, count)

    def count(self, slot: int) -> int:
        return _SLOT.unpack_from(self._map, slot * _SLOT.size)[0]

    def least_other(self, slot: int) -> int:
        """The fewest connections any other serving worker holds (ABSENT when none serves)."""
        return min((self.count(other) for other in range(self.slots) if other != slot), default=ABSENT)

    def close(self) -> None:
        self._map.close()


class BalancedAcceptor:
    """Accept connections from a shared listening socket by the board's rule (see the module docstring).

    ``serve`` takes each accepted socket; whoever serves it calls ``connection_ended`` when it is closed
    (or could not be set up), so the count on the board is exact.
    """

    def __init__(self, sock: socket.socket, board: ConnectionBoard, slot: int,
                 serve: Callable[[socket.socket], None]) -> None:
        self._sock, self._board, self._slot, self._serve = sock, board, slot, serve
        self._loop: asyncio.AbstractEventLoop | None = None
        self._aside_since: float | None = None  # when this worker first left the waiting connection to others
        self._resume_handle: asyncio.TimerHandle | None = None
        self._open = 0  # connections accepted here and not yet ended
        self._closed = False
        self._closed_event = asyncio.Event()

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._sock.setblocking(False)
        self._board.publish(self._slot, self._open)
        loop.add_reader(self._sock.fileno(), self._readable)

    def connection_ended(self) -> None:
        self._open -= 1
        if not self._closed:
            self._board.publish(self._slot, self._open)

    def _readable(self) -> None:
        """A connection waits (the socket is readable): take it, or step aside for a worker holding fewer.
        One per call: the loop calls again while more wait, and each time the counts are read anew."""
        assert self._loop is not None
        if self._closed:
            return
        if self._open > self._board.least_other(self._slot):
            now = self._loop.time()
            if self._aside_since is None:
                self._aside_since = now
            if now - self._aside_since < MAX_WAIT_S:
                self._step_aside()
                return
        try:
            conn, _ = self._sock.accept()
        except (BlockingIOError, InterruptedError):
            self._aside_since = None  # no connection waits (another worker took it)
            return
        except OSError:  # out of file descriptors, or the like: leave it in the backlog, try again soon
            self._step_aside()
            return
        self._aside_since = None
        conn.setblocking(False)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # answers must not wait for Nagle
        self._open += 1
        self._board.publish(self._slot, self._open)
        self._serve(conn)

    def _step_aside(self) -> None:
        assert self._loop is not None
        self._loop.remove_reader(self._sock.fileno())
        self._resume_handle = self._loop.call_later(STEP_ASIDE_S, self._resume)

    def _resume(self) -> None:
        self._resume_handle = None
        if self._closed or self._loop is None:
            return
        if not select.select([self._sock], [], [], 0)[0]:
            self._aside_since = None  # another worker took what waited: the next connection waits afresh
        self._loop.add_reader(self._sock.fileno(), self._readable)

    def close(self) -> None:
        """Stop accepting (what the server's shutdown calls); the board says this worker is absent."""
        if self._closed:
            return
        self._closed = True
        if self._resume_handle is not None:
            self._resume_handle.cancel()
        if self._loop is not None:
            self._loop.remove_reader(self._sock.fileno())
        self._board.publish(self._slot, ABSENT)
        self._closed_event.set()

    async def wait_closed(self) -> None:
        """What ``asyncio.Server.wait_closed`` is to uvicorn's shutdown: done once ``close`` ran."""
        await self._closed_event.wait()
