"""SQLite persistence for the engine: one file under the state directory.

Everything that must survive a restart lives here: deployments and their
pools/clients, users (attributes and secrets in a JSON column), groups, codes,
challenge sessions, refresh tokens, identities, the signing key, and remembered
devices (their table in store_devices.py; users and memberships in user_store.py).
The connection, its lock and the transactions are ``database.Database``'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amplify_py.local.database import StoreLock
from amplify_py.local.store_devices import DEVICE_SCHEMA, DeviceTable
from amplify_py.local.user_store import USER_SCHEMA, UserTables

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


def phantom_pool_id(pool_id: str) -> str:
    """Where the records of a pool's unknown names (``model.phantom``) are kept: rows of the users table under
    this id, which no pool has, so no lookup of the pool's users sees them, and saving one costs what saving
    a user costs (the same row, the same indexes)."""
    return f"{pool_id}#unknown-names"


class Store(UserTables, DeviceTable):
    """Thin, explicit SQL helpers, one group per table; operations run inside ``Database.operation``."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA + USER_SCHEMA + DEVICE_SCHEMA)
        self._add_search_columns()

    # --- meta -------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def add_meta(self, key: str, value: str) -> None:
        """Set ``key`` unless it is set: of several processes adding one key, the first one written wins."""
        self.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def delete_meta(self, key: str) -> None:
        self.execute("DELETE FROM meta WHERE key = ?", (key,))

    # --- resources (pools, clients, groups, identity pools ...) -----------
    def put_resource(self, deployment: str, logical_id: str, rtype: str, physical_id: str, config: dict) -> None:
        with self.transaction():
            self.execute(
                "INSERT OR REPLACE INTO resources VALUES (?, ?, ?, ?, ?)",
                (deployment, logical_id, rtype, physical_id, json.dumps(config)),
            )
            self._next_config_generation()

    def touch_config(self) -> None:
        """Say that the deployed configuration changed (resources, or the trigger functions that serve them)."""
        self._next_config_generation()

    def _next_config_generation(self) -> None:
        """Every change to the deployed resources moves the generation, so each process drops its cache."""
        self.execute("INSERT INTO meta (key, value) VALUES ('config_generation', '1') ON CONFLICT (key) "
                     "DO UPDATE SET value = CAST(value AS INTEGER) + 1")

    def config_generation(self) -> int:
        """Which version of the deployed resources the database holds (moves on every deploy and delete)."""
        row = self.one("SELECT value FROM meta WHERE key = 'config_generation'")
        return int(row[0]) if row else 0

    _RESOURCE = "SELECT deployment, logical_id, type, physical_id, config FROM resources"

    def resources(self, deployment: str) -> list[ResourceRow]:
        return [_resource(r) for r in self.all(f"{self._RESOURCE} WHERE deployment = ?", (deployment,))]

    def resource_by_physical(self, rtype: str, physical_id: str) -> ResourceRow | None:
        row = self.one(f"{self._RESOURCE} WHERE type = ? AND physical_id = ?", (rtype, physical_id))
        return _resource(row) if row else None

    def resources_of_type(self, rtype: str) -> list[ResourceRow]:
        return [_resource(r) for r in self.all(f"{self._RESOURCE} WHERE type = ?", (rtype,))]

    def delete_resource(self, deployment: str, logical_id: str) -> None:
        with self.transaction():
            self.execute("DELETE FROM resources WHERE deployment = ? AND logical_id = ?", (deployment, logical_id))
            self._next_config_generation()

    def deployments(self) -> list[str]:
        return [r[0] for r in self.all("SELECT DISTINCT deployment FROM resources")]

    def purge_pool(self, pool_id: str) -> None:
        """Remove every user-side row of a pool (on delete or replacement)."""
        with self.transaction():
            for table in ("users", "memberships", "codes", "sessions", "refresh_tokens", "webauthn_credentials",
                          "devices"):
                self._db.execute(f"DELETE FROM {table} WHERE pool_id = ?", (pool_id,))
            self._db.execute("DELETE FROM users WHERE pool_id = ?", (phantom_pool_id(pool_id),))

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

    # --- names that are no user (model.phantom) ---------------------------
    def forget_phantoms(self, pool_id: str, *, before: float) -> None:
        """Drop the records of unknown names last changed before ``before`` (they no longer matter)."""
        self.execute("DELETE FROM users WHERE pool_id = ? AND json_extract(data, '$.modified') < ?",
                     (phantom_pool_id(pool_id), before))

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


def _resource(row: Any) -> ResourceRow:
    return ResourceRow(row[0], row[1], row[2], row[3], json.loads(row[4]))
