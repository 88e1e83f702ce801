"""The engine's SQLite checkpoints run after a write transaction lets go of the writers' flock, every
``CHECKPOINT_EVERY`` write transactions of a process, never inside COMMIT (where SQLite's automatic one runs)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from amplify_py.local import database

SCHEMA = "CREATE TABLE IF NOT EXISTS t (n INTEGER);"


def test_checkpoint_runs_every_n_writes_outside_the_writers_flock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "CHECKPOINT_EVERY", 3)
    db = database.Database(tmp_path / "engine.db", SCHEMA)
    probe = os.open(tmp_path / "engine.db-writer", os.O_RDWR)
    seen: list[tuple[str, bool]] = []

    def trace(statement: str) -> None:
        try:  # can another process take the writers' flock right now?
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(probe, fcntl.LOCK_UN)
            free = True
        except BlockingIOError:
            free = False
        seen.append((statement, free))

    try:
        assert db.one("PRAGMA wal_autocheckpoint")[0] == 0  # SQLite's own is off
        db._db.set_trace_callback(trace)
        for n in range(7):
            with db.operation(write=True):
                db.execute("INSERT INTO t VALUES (?)", (n,))
        with db.operation(write=False):  # reads do not count
            db.one("SELECT COUNT(*) FROM t")
        checkpoints = [i for i, (statement, _) in enumerate(seen) if statement == "PRAGMA wal_checkpoint(PASSIVE)"]
        assert len(checkpoints) == 2  # after the third and the sixth write transaction
        assert all(seen[i][1] for i in checkpoints)  # each with the flock free
        assert all(not free for statement, free in seen if statement.startswith("INSERT"))
        assert seen[checkpoints[0] - 1][0] == "COMMIT" and sum(s.startswith("INSERT") for s, _ in seen[:checkpoints[0]]) == 3
        assert db.one("SELECT COUNT(*) FROM t")[0] == 7
    finally:
        os.close(probe)
        db.close()


def _write_beside_a_reader(tmp_path: Path, writes: int) -> int:
    """``writes`` write transactions on one connection while another (a second worker) keeps reading; the
    WAL's size after them."""
    import threading
    import time

    schema = "CREATE TABLE IF NOT EXISTS t (n INTEGER, pad TEXT);"
    writer, reader = (database.Database(tmp_path / "engine.db", schema) for _ in range(2))
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            with reader.operation(write=False):
                reader.one("SELECT COUNT(*) FROM t")
                time.sleep(0.0005)
            time.sleep(0.0005)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for n in range(writes):
            with writer.operation(write=True):
                writer.execute("INSERT INTO t VALUES (?, ?)", (n, "x" * 3000))
    finally:
        stop.set()
        thread.join()
    size = os.path.getsize(tmp_path / "engine.db-wal")
    writer.close()
    reader.close()
    return size


def test_the_wal_is_emptied_once_past_its_limit_though_another_process_keeps_reading(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "CHECKPOINT_EVERY", 20)
    monkeypatch.setattr(database, "WAL_RESTART_BYTES", 1 << 20)
    # 2000 rows of 3 KB; with passive checkpoints only (as before), this reader kept the WAL from ever
    # starting over: it ended at 5.7-6.4 MB
    assert _write_beside_a_reader(tmp_path, 2000) < 4 << 20
