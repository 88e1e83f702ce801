"""An operation that computes before it writes (``operation(late=True)``) reads without the writers' lock and
takes it at ``start_writing``; writing before that, or asking to write from a read-only operation, is an
engine bug and is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplify_py.local import database
from tests._flock import writers_lock_held

SCHEMA = "CREATE TABLE IF NOT EXISTS t (n INTEGER);"


def _writers_flock_free(tmp_path: Path) -> bool:
    return not writers_lock_held(tmp_path / "engine.db-writer")


@pytest.fixture()
def db(tmp_path: Path):
    db = database.Database(tmp_path / "engine.db", SCHEMA)
    yield db
    db.close()


def test_a_late_operation_holds_the_writers_lock_only_from_start_writing(db: database.Database, tmp_path: Path) -> None:
    with db.operation(write=True, late=True):
        assert db.one("SELECT COUNT(*) FROM t")[0] == 0
        assert _writers_flock_free(tmp_path)  # the reads (and the math between them) keep no one waiting
        db.start_writing()
        assert not _writers_flock_free(tmp_path)
        db.execute("INSERT INTO t VALUES (1)")
        db.start_writing()  # a second call changes nothing
    assert _writers_flock_free(tmp_path)
    assert db.one("SELECT COUNT(*) FROM t")[0] == 1


def test_a_late_operation_sees_what_another_connection_wrote_before_start_writing(db: database.Database,
                                                                                    tmp_path: Path) -> None:
    other = database.Database(tmp_path / "engine.db", SCHEMA)  # another worker's connection
    try:
        with db.operation(write=True, late=True):
            assert db.one("SELECT COUNT(*) FROM t")[0] == 0
            with other.operation(write=True):
                other.execute("INSERT INTO t VALUES (7)")
            db.start_writing()
            assert db.one("SELECT COUNT(*) FROM t")[0] == 1  # the re-check sees it: a new snapshot
    finally:
        other.close()


def test_writing_before_start_writing_is_refused(db: database.Database) -> None:
    with pytest.raises(database.ReadOnlyViolation, match="changed the database in a read transaction"):
        with db.operation(write=True, late=True):
            db.execute("INSERT INTO t VALUES (1)")
    assert db.one("SELECT COUNT(*) FROM t")[0] == 0
    with pytest.raises(database.ReadOnlyViolation, match="changed the database before start_writing"):
        with db.operation(write=True, late=True):
            db.execute("INSERT INTO t VALUES (2)")
            db.start_writing()
    assert db.one("SELECT COUNT(*) FROM t")[0] == 0


def test_a_read_only_operation_cannot_start_writing(db: database.Database) -> None:
    with pytest.raises(database.ReadOnlyViolation, match="a read-only operation asked to write"):
        with db.operation(write=False):
            db.start_writing()


def test_start_writing_inside_a_writing_operation_changes_nothing(db: database.Database, tmp_path: Path) -> None:
    with db.operation(write=True):
        db.execute("INSERT INTO t VALUES (1)")
        db.start_writing()
        assert not _writers_flock_free(tmp_path)
    assert db.one("SELECT COUNT(*) FROM t")[0] == 1
