"""The engine's SQLite connection: its lock, and the transactions that make operations safe across processes.

One connection per engine process, shared by its threads under a re-entrant lock. Several processes (the
workers of a multi-process engine) open the same file in WAL mode, so the lock orders threads within a
process and SQLite orders the processes:

* an operation that may write runs in one ``BEGIN IMMEDIATE`` transaction: it holds the database's write
  lock from its first read to its commit, so its read-modify-writes (a code consumed once, a lockout count,
  a user name taken once) see no other process's change in between;
* a read-only operation runs in a plain ``BEGIN`` transaction: one consistent snapshot, no write lock;
* an operation that first computes (the SRP verifier of a sign-up) may start as a read and take the write
  lock only from ``start_writing`` on; it must re-check there whatever it read before (a name still free);
* a Lambda trigger runs between two transactions (``released``): the first commits, so a handler that calls
  the engine back sees what the operation saved, and the second starts when the trigger returns.

A commit is durable against the process being killed (WAL with ``synchronous=NORMAL``): a client that got
its answer keeps what it did.

Waiting for another process's write lock: SQLite's own busy handler polls, sleeping 1, 2, 5 ... 100 ms
between tries, so under load a waiting worker mostly sleeps while the lock is free. Before ``BEGIN
IMMEDIATE`` each process therefore takes an exclusive ``flock`` on ``<database>-writer``: the kernel wakes
the next writer the moment the lock is let go (and frees it if its holder dies). SQLite still does the
locking that the guarantees rest on; ``busy_timeout`` remains for writers that take no flock.

Checkpoints (copying the WAL back into the database, with its fsyncs) run after the flock is let go, every
``CHECKPOINT_EVERY`` write transactions of a process, as PASSIVE ones that never wait for other writers.
SQLite's automatic checkpoint (off here) runs inside the committing COMMIT, which is inside the flock: on a
busy disk one took tens to hundreds of milliseconds, and every other worker waited for it.

A PASSIVE checkpoint copies pages back but cannot start the WAL over while another process reads from it,
and under steady load from several workers some worker nearly always does: the WAL then grows without end
(4 GB after ten minutes of the benchmark). So once it is past ``WAL_RESTART_BYTES`` the checkpoint is a
TRUNCATE one, taken under the flock: no writer appends meanwhile, readers (short) move off the WAL, SQLite
waiting for them through its busy handler, and the file is emptied.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["Database", "StoreLock", "ReadOnlyViolation", "BUSY_TIMEOUT_MS", "CHECKPOINT_EVERY", "WAL_RESTART_BYTES"]

BUSY_TIMEOUT_MS = 30_000
CHECKPOINT_EVERY = 200  # write transactions of one process between its checkpoints (SQLite's default: ~1000 pages)
WAL_RESTART_BYTES = 64 << 20  # past this, a checkpoint empties the WAL (module docstring)
RESTART_WAIT_MS = 20  # how long that checkpoint waits for readers (holding every writer) before it gives up


class ReadOnlyViolation(RuntimeError):
    """An operation declared read-only changed the database (a bug in the engine)."""


class StoreLock:
    """A re-entrant lock that knows its owner and depth, so ``Database.released`` can hand it back safely."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        acquired = self._lock.acquire(blocking, timeout)
        if acquired:
            self._owner = threading.get_ident()
            self._depth += 1
        return acquired

    def release(self) -> None:
        if self._owner != threading.get_ident():
            raise RuntimeError("cannot release the store lock: this thread does not hold it")
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
        self._lock.release()

    def held_depth(self) -> int:
        """How many times the calling thread holds the lock (0: not at all)."""
        return self._depth if self._owner == threading.get_ident() else 0

    def __enter__(self) -> "StoreLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Database:
    """The connection, its lock, operation transactions, and handing both back while a trigger runs."""

    def __init__(self, path: Path, schema: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.lock = StoreLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints: _count_write (module docstring)
        self._writes = 0  # write transactions since this process's last checkpoint
        self._writer = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
        self._in_operation: str | None = None  # "write" or "read" while an operation's transaction is open
        self._may_start_writing = False  # the open read transaction's operation may call start_writing
        self._changes_at_begin = 0
        self._db.executescript(schema)  # CREATE ... IF NOT EXISTS: safe when several processes open the file

    def close(self) -> None:
        with self.lock:
            self._db.close()
            os.close(self._writer)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self._db.execute(sql, params)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | tuple | None:
        with self.lock:
            return self._db.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple]:
        with self.lock:
            return self._db.execute(sql, params).fetchall()

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with self.lock:
            self._db.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator["Database"]:
        """A write transaction outside operations (deploy, delete); inside one, the operation's own."""
        with self.lock:
            if self._in_operation == "write" or self._db.in_transaction:
                yield self
                return
            fcntl.flock(self._writer, fcntl.LOCK_EX)
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            finally:
                fcntl.flock(self._writer, fcntl.LOCK_UN)
            self._count_write()

    @contextmanager
    def operation(self, *, write: bool, late: bool = False,
                  keep_on: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
        """Run one engine operation: the lock, and a write (``BEGIN IMMEDIATE``) or read-only transaction.

        With ``late``, a writing operation starts as a read and writes only after ``start_writing``.
        An exception rolls the transaction back, except those in ``keep_on``: an answer such as Cognito's
        "Incorrect username or password." keeps what the operation wrote before it (the failure it counted).
        """
        with self.lock:
            if self._in_operation is not None:  # an operation inside an operation: it joins the outer one
                yield
                return
            mode = "write" if write and not late else "read"
            self._may_start_writing = write and late
            self._begin(mode)
            try:
                yield
            except keep_on:
                self._end(commit=True)
                raise
            except BaseException:
                self._end(commit=False)
                raise
            if self._in_operation == "read" and self._db.total_changes != self._changes_at_begin:
                self._end(commit=False)
                raise ReadOnlyViolation("an operation changed the database in a read transaction")
            self._end(commit=True)

    def start_writing(self) -> None:
        """From here on the operation writes (``operation(late=True)``): its read transaction ends and a write
        transaction begins, so what it read before may be stale and must be read again before it decides."""
        if self._in_operation != "read":
            return  # already writing (or joined to an outer operation that writes)
        if not self._may_start_writing:
            raise ReadOnlyViolation("a read-only operation asked to write")
        if self._db.total_changes != self._changes_at_begin:
            raise ReadOnlyViolation("an operation changed the database before start_writing")
        self._end(commit=True)
        self._begin("write")

    def _begin(self, mode: str) -> None:
        if mode == "write":
            fcntl.flock(self._writer, fcntl.LOCK_EX)
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except BaseException:
                fcntl.flock(self._writer, fcntl.LOCK_UN)
                raise
        else:
            self._db.execute("BEGIN")
        self._in_operation = mode
        self._changes_at_begin = self._db.total_changes

    def _end(self, *, commit: bool) -> None:
        mode, self._in_operation = self._in_operation, None
        try:
            if mode is not None and self._db.in_transaction:
                self._db.execute("COMMIT" if commit else "ROLLBACK")
        finally:
            if mode == "write":
                fcntl.flock(self._writer, fcntl.LOCK_UN)
        if mode == "write":
            self._count_write()

    def _count_write(self) -> None:
        """After a write transaction, outside the flock: a checkpoint every CHECKPOINT_EVERY of them."""
        self._writes += 1
        if self._writes >= CHECKPOINT_EVERY and not self._db.in_transaction:
            self._writes = 0
            self._checkpoint()

    def _checkpoint(self) -> None:
        """PASSIVE; past WAL_RESTART_BYTES, TRUNCATE under the flock (module docstring)."""
        try:
            wal_bytes = os.path.getsize(f"{self.path}-wal")
        except OSError:
            wal_bytes = 0
        if wal_bytes <= WAL_RESTART_BYTES:
            self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            return
        fcntl.flock(self._writer, fcntl.LOCK_EX)
        self._db.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # busy: the next checkpoint tries again
        finally:
            self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            fcntl.flock(self._writer, fcntl.LOCK_UN)

    @contextmanager
    def released(self) -> Iterator[None]:
        """Let go of the operation's lock and transaction while something slow runs outside the engine (a
        Lambda trigger whose handler may call the engine back), and take both again after.

        What the operation wrote so far is committed first. The caller must hold the lock exactly once (the
        operation's own acquisition): nested deeper, releasing would expose half-made changes, so that is
        refused. Whatever the caller read before may be stale afterwards; it must re-read what it goes on to
        write.
        """
        depth = self.lock.held_depth()
        if depth != 1:
            raise RuntimeError(f"Store.released() needs the store lock held exactly once by this thread (held {depth} times)")
        mode = self._in_operation
        self._end(commit=True)
        self.lock.release()
        try:
            yield
        finally:
            self.lock.acquire()
            if mode is not None:
                self._begin(mode)

