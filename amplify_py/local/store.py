"""SQLite persistence for the engine: one file under the state directory.

Everything that must survive a restart lives here: deployments and their
pools/clients, users (attributes and secrets in a JSON column), groups, codes,
challenge sessions, refresh tokens, identities, the signing key, and remembered
devices (their table in store_devices.py). One
connection guarded by a lock; the engine serialises operations anyway.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amplify_py.local.store_devices import DEVICE_SCHEMA, DeviceTable

__all__ = ["Store", "StoreLock", "ResourceRow", "SessionRow", "RefreshTokenRow", "CodeRow", "IdentityRow"]


@dataclass(frozen=True)
class ResourceRow:
    """A deployed resource: ``config`` holds its resolved ``props`` and what the deployer added."""

    deployment: str
    logical_id: str
    type: str
    physical_id: str
    config: dict


@dataclass(frozen=True)
class SessionRow:
    pool_id: str
    expires: float
    data: dict


@dataclass(frozen=True)
class RefreshTokenRow:
    pool_id: str
    client_id: str
    username: str
    origin_jti: str
    expires: float
    revoked: bool
    auth_time: float
    event_id: str
    device_key: str | None = None  # the device of the sign-in that issued it (device tracking)
    scopes: list[str] | None = None  # issued by the OAuth endpoints: the granted scopes (kept on refresh)


@dataclass(frozen=True)
class CodeRow:
    code: str
    expires: float
    attempts: int
    used: bool


@dataclass(frozen=True)
class IdentityRow:
    identity_pool_id: str
    subject: str | None

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
  deployment TEXT NOT NULL, logical_id TEXT NOT NULL, type TEXT NOT NULL,
  physical_id TEXT NOT NULL, config TEXT NOT NULL,
  PRIMARY KEY (deployment, logical_id));
CREATE INDEX IF NOT EXISTS resources_physical ON resources (physical_id);
CREATE TABLE IF NOT EXISTS users (
  pool_id TEXT NOT NULL, username TEXT NOT NULL, username_key TEXT NOT NULL,
  sub TEXT NOT NULL, email_key TEXT, phone_key TEXT, data TEXT NOT NULL,
  PRIMARY KEY (pool_id, username));
CREATE INDEX IF NOT EXISTS users_key ON users (pool_id, username_key);
CREATE INDEX IF NOT EXISTS users_email ON users (pool_id, email_key);
CREATE INDEX IF NOT EXISTS users_phone ON users (pool_id, phone_key);
CREATE TABLE IF NOT EXISTS memberships (
  pool_id TEXT NOT NULL, username TEXT NOT NULL, group_name TEXT NOT NULL,
  PRIMARY KEY (pool_id, username, group_name));
CREATE TABLE IF NOT EXISTS codes (
  pool_id TEXT NOT NULL, username TEXT NOT NULL, purpose TEXT NOT NULL,
  code TEXT NOT NULL, expires REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  used INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (pool_id, username, purpose));
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, expires REAL NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL, client_id TEXT NOT NULL,
  username TEXT NOT NULL, origin_jti TEXT NOT NULL, expires REAL NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS refresh_origin ON refresh_tokens (origin_jti);
CREATE INDEX IF NOT EXISTS refresh_user ON refresh_tokens (pool_id, username);
CREATE TABLE IF NOT EXISTS identities (
  id TEXT PRIMARY KEY, identity_pool_id TEXT NOT NULL, subject TEXT);
CREATE TABLE IF NOT EXISTS webauthn_credentials (
  pool_id TEXT NOT NULL, credential_id TEXT NOT NULL, username TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (pool_id, credential_id));
CREATE INDEX IF NOT EXISTS webauthn_user ON webauthn_credentials (pool_id, username);
"""


class StoreLock:
    """A re-entrant lock that knows its owner and depth, so ``Store.released`` can hand it back safely."""

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


class _Database:
    """The connection, its lock, transactions, and handing the lock back while a trigger runs."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = StoreLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA + DEVICE_SCHEMA)

    def close(self) -> None:
        with self.lock:
            self._db.close()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self._db.execute(sql, params)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | tuple | None:
        with self.lock:
            return self._db.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple]:
        with self.lock:
            return self._db.execute(sql, params).fetchall()

    def transaction(self) -> "_Transaction":
        return _Transaction(self)

    @contextmanager
    def released(self) -> Iterator[None]:
        """Let go of the operation's lock while something slow runs outside the engine (a Lambda trigger
        whose handler may call the engine back), and take it again after.

        The caller must hold the lock exactly once (the request's own acquisition): inside a transaction,
        or nested deeper, releasing would expose half-made changes, so that is refused. Whatever the caller
        read before may be stale afterwards; it must re-read what it goes on to write.
        """
        depth = self.lock.held_depth()
        if depth != 1:
            raise RuntimeError(f"Store.released() needs the store lock held exactly once by this thread (held {depth} times)")
        self.lock.release()
        try:
            yield
        finally:
            self.lock.acquire()



class Store(_Database, DeviceTable):
    """Thin, explicit SQL helpers, one group per table; callers hold ``store.lock`` for multi-step changes."""

    # --- meta -------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def delete_meta(self, key: str) -> None:
        self.execute("DELETE FROM meta WHERE key = ?", (key,))

    # --- resources (pools, clients, groups, identity pools ...) -----------
    def put_resource(self, deployment: str, logical_id: str, rtype: str, physical_id: str, config: dict) -> None:
        self.execute(
            "INSERT OR REPLACE INTO resources VALUES (?, ?, ?, ?, ?)",
            (deployment, logical_id, rtype, physical_id, json.dumps(config)),
        )

    _RESOURCE = "SELECT deployment, logical_id, type, physical_id, config FROM resources"

    def resources(self, deployment: str) -> list[ResourceRow]:
        return [_resource(r) for r in self.all(f"{self._RESOURCE} WHERE deployment = ?", (deployment,))]

    def resource_by_physical(self, rtype: str, physical_id: str) -> ResourceRow | None:
        row = self.one(f"{self._RESOURCE} WHERE type = ? AND physical_id = ?", (rtype, physical_id))
        return _resource(row) if row else None

    def resources_of_type(self, rtype: str) -> list[ResourceRow]:
        return [_resource(r) for r in self.all(f"{self._RESOURCE} WHERE type = ?", (rtype,))]

    def delete_resource(self, deployment: str, logical_id: str) -> None:
        self.execute("DELETE FROM resources WHERE deployment = ? AND logical_id = ?", (deployment, logical_id))

    def deployments(self) -> list[str]:
        return [r[0] for r in self.all("SELECT DISTINCT deployment FROM resources")]

    def purge_pool(self, pool_id: str) -> None:
        """Remove every user-side row of a pool (on delete or replacement)."""
        with self.lock:
            for table in ("users", "memberships", "codes", "sessions", "refresh_tokens", "webauthn_credentials",
                          "devices"):
                self._db.execute(f"DELETE FROM {table} WHERE pool_id = ?", (pool_id,))

    # --- users ------------------------------------------------------------
    def get_user(self, pool_id: str, username: str) -> dict | None:
        row = self.one("SELECT data FROM users WHERE pool_id = ? AND username = ?", (pool_id, username))
        return json.loads(row[0]) if row else None

    def find_user(self, pool_id: str, column: str, key: str) -> dict | None:
        assert column in ("username_key", "email_key", "phone_key")
        row = self.one(f"SELECT data FROM users WHERE pool_id = ? AND {column} = ?", (pool_id, key))
        return json.loads(row[0]) if row else None

    def put_user(self, pool_id: str, username: str, sub: str, record: dict, *, username_key: str,
                 email_key: str | None, phone_key: str | None) -> None:
        """Write a user's record (``model.User.to_record()``) with the keys it is found by."""
        self.execute(
            "INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?, ?, ?, ?)",
            (pool_id, username, username_key, sub, email_key, phone_key, json.dumps(record)),
        )

    def delete_user(self, pool_id: str, username: str) -> None:
        with self.lock:
            for table in ("users", "memberships", "codes", "refresh_tokens", "webauthn_credentials", "devices"):
                self._db.execute(f"DELETE FROM {table} WHERE pool_id = ? AND username = ?", (pool_id, username))

    def count_users(self, pool_id: str) -> int:
        row = self.one("SELECT COUNT(*) FROM users WHERE pool_id = ?", (pool_id,))
        return int(row[0]) if row else 0

    def list_users(self, pool_id: str) -> list[dict]:
        rows = self.all("SELECT data FROM users WHERE pool_id = ? ORDER BY rowid", (pool_id,))
        return [json.loads(r[0]) for r in rows]

    # --- groups -----------------------------------------------------------
    def groups_of(self, pool_id: str, username: str) -> list[str]:
        return [
            r[0]
            for r in self.all(
                "SELECT group_name FROM memberships WHERE pool_id = ? AND username = ?", (pool_id, username)
            )
        ]

    def members_of(self, pool_id: str, group: str) -> list[str]:
        return [
            r[0]
            for r in self.all("SELECT username FROM memberships WHERE pool_id = ? AND group_name = ?", (pool_id, group))
        ]

    def add_membership(self, pool_id: str, username: str, group: str) -> None:
        self.execute("INSERT OR IGNORE INTO memberships VALUES (?, ?, ?)", (pool_id, username, group))

    def remove_membership(self, pool_id: str, username: str, group: str) -> None:
        self.execute(
            "DELETE FROM memberships WHERE pool_id = ? AND username = ? AND group_name = ?", (pool_id, username, group)
        )

    # --- codes ------------------------------------------------------------
    def put_code(self, pool_id: str, username: str, purpose: str, code: str, expires: float) -> None:
        self.execute(
            "INSERT OR REPLACE INTO codes VALUES (?, ?, ?, ?, ?, 0, 0)", (pool_id, username, purpose, code, expires)
        )

    def get_code(self, pool_id: str, username: str, purpose: str) -> CodeRow | None:
        row = self.one(
            "SELECT code, expires, attempts, used FROM codes WHERE pool_id = ? AND username = ? AND purpose = ?",
            (pool_id, username, purpose),
        )
        return CodeRow(row[0], row[1], row[2], bool(row[3])) if row else None

    def update_code(self, pool_id: str, username: str, purpose: str, *, attempts: int, used: bool) -> None:
        self.execute(
            "UPDATE codes SET attempts = ?, used = ? WHERE pool_id = ? AND username = ? AND purpose = ?",
            (attempts, int(used), pool_id, username, purpose),
        )

    # --- challenge sessions -----------------------------------------------
    def put_session(self, session_id: str, pool_id: str, expires: float, data: dict) -> None:
        self.execute("INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?)", (session_id, pool_id, expires, json.dumps(data)))

    def get_session(self, session_id: str) -> SessionRow | None:
        row = self.one("SELECT pool_id, expires, data FROM sessions WHERE id = ?", (session_id,))
        return SessionRow(row[0], row[1], json.loads(row[2])) if row else None

    def delete_session(self, session_id: str) -> None:
        self.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def prune_sessions(self, now: float) -> None:
        """Forget sessions expired over an hour ago (until then a late answer is told "session is expired")."""
        self.execute("DELETE FROM sessions WHERE expires < ?", (now - 3600,))

    # --- refresh tokens ---------------------------------------------------
    def put_refresh(self, token_hash: str, pool_id: str, client_id: str, username: str, origin_jti: str,
                    expires: float, *, auth_time: float, event_id: str, device_key: str | None = None,
                    scopes: list[str] | None = None) -> None:
        self.execute(
            "INSERT INTO refresh_tokens VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
            (token_hash, pool_id, client_id, username, origin_jti, expires,
             json.dumps({"auth_time": auth_time, "event_id": event_id, "device_key": device_key, "scopes": scopes})),
        )

    def get_refresh(self, token_hash: str) -> RefreshTokenRow | None:
        row = self.one(
            "SELECT pool_id, client_id, username, origin_jti, expires, revoked, data FROM refresh_tokens "
            "WHERE token_hash = ?",
            (token_hash,),
        )
        if not row:
            return None
        data = json.loads(row[6])
        return RefreshTokenRow(row[0], row[1], row[2], row[3], row[4], bool(row[5]), data["auth_time"],
                               data["event_id"], data.get("device_key"), data.get("scopes"))

    def origin_revoked(self, origin_jti: str) -> bool | None:
        """True if revoked, False if live, None if unknown."""
        row = self.one("SELECT revoked FROM refresh_tokens WHERE origin_jti = ?", (origin_jti,))
        return None if row is None else bool(row[0])

    def revoke_origin(self, origin_jti: str) -> None:
        self.execute("UPDATE refresh_tokens SET revoked = 1 WHERE origin_jti = ?", (origin_jti,))

    def revoke_user_tokens(self, pool_id: str, username: str) -> None:
        self.execute("UPDATE refresh_tokens SET revoked = 1 WHERE pool_id = ? AND username = ?", (pool_id, username))

    # --- passkeys (WebAuthn credentials; records are ``model.WebAuthnCredential.to_record()``) ----
    def put_webauthn_credential(self, pool_id: str, credential_id: str, username: str, record: dict) -> None:
        self.execute("INSERT OR REPLACE INTO webauthn_credentials VALUES (?, ?, ?, ?)",
                     (pool_id, credential_id, username, json.dumps(record)))

    def get_webauthn_credential(self, pool_id: str, credential_id: str) -> dict | None:
        row = self.one("SELECT data FROM webauthn_credentials WHERE pool_id = ? AND credential_id = ?",
                       (pool_id, credential_id))
        return json.loads(row[0]) if row else None

    def webauthn_credentials(self, pool_id: str, username: str) -> list[dict]:
        """The user's credentials, oldest first."""
        rows = self.all("SELECT data FROM webauthn_credentials WHERE pool_id = ? AND username = ? ORDER BY rowid",
                        (pool_id, username))
        return [json.loads(r[0]) for r in rows]

    def delete_webauthn_credential(self, pool_id: str, credential_id: str) -> None:
        self.execute("DELETE FROM webauthn_credentials WHERE pool_id = ? AND credential_id = ?", (pool_id, credential_id))

    # --- identities -------------------------------------------------------
    def put_identity(self, identity_id: str, identity_pool_id: str, subject: str | None) -> None:
        self.execute("INSERT OR REPLACE INTO identities VALUES (?, ?, ?)", (identity_id, identity_pool_id, subject))

    def find_identity(self, identity_pool_id: str, subject: str) -> str | None:
        row = self.one("SELECT id FROM identities WHERE identity_pool_id = ? AND subject = ?", (identity_pool_id, subject))
        return row[0] if row else None

    def get_identity(self, identity_id: str) -> IdentityRow | None:
        row = self.one("SELECT identity_pool_id, subject FROM identities WHERE id = ?", (identity_id,))
        return IdentityRow(row[0], row[1]) if row else None

    def count_identities(self, identity_pool_id: str) -> int:
        row = self.one("SELECT COUNT(*) FROM identities WHERE identity_pool_id = ?", (identity_pool_id,))
        return int(row[0]) if row else 0

    def purge_identity_pool(self, identity_pool_id: str) -> None:
        self.execute("DELETE FROM identities WHERE identity_pool_id = ?", (identity_pool_id,))


class _Transaction:
    def __init__(self, store: Store) -> None:
        self._store = store

    def __enter__(self) -> Store:
        self._store.lock.acquire()
        self._store._db.execute("BEGIN")
        return self._store

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._store._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._store.lock.release()


def _resource(row: Any) -> ResourceRow:
    return ResourceRow(row[0], row[1], row[2], row[3], json.loads(row[4]))
