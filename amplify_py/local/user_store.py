"""The users table and group memberships: finding a user by a key, and ListUsers' filtered, keyset pages.

Each user row keeps its record as JSON (``model.User.to_record()``, never looked into here) beside the keys
it is found by: the user name (as stored and as the pool compares it), email and phone (sign-in aliases) and
the values ListUsers may filter on (Cognito's searchable attributes). Every searchable value has an index
that ends with the user name, so a page of an exact filter is one index range in user-name order, and a
prefix filter one range in (value, user name) order: a page costs the same with ten users or a million.
"""

from __future__ import annotations

import json

from amplify_py.local.database import Database

__all__ = ["UserTables", "USER_SCHEMA", "SEARCHABLE", "UserPage"]

SEARCHABLE = {
    "username": "username", "sub": "sub", "email": "s_email", "phone_number": "s_phone_number", "name": "s_name",
    "given_name": "s_given_name", "family_name": "s_family_name", "preferred_username": "s_preferred_username",
    "cognito:user_status": "s_user_status", "status": "s_status",
}
"""ListUsers' searchable names (Cognito's list: standard attributes, user status, enabled) and their columns."""

_SEARCH_COLUMNS = [c for c in SEARCHABLE.values() if c.startswith("s_")]

USER_SCHEMA = """
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
"""
# Added to databases written before ListUsers searched in SQL; ``s_indexed = 0`` marks a row to re-index.
_SEARCH_SCHEMA = "".join(
    f"CREATE INDEX IF NOT EXISTS users_{c} ON users (pool_id, {c}, username);\n" for c in _SEARCH_COLUMNS
) + "CREATE INDEX IF NOT EXISTS users_sub ON users (pool_id, sub, username);\n" \
    "CREATE INDEX IF NOT EXISTS users_unindexed ON users (s_indexed) WHERE s_indexed = 0;\n"

UserPage = tuple[list[dict], list[str] | None]
"""A page of user records, and the key after which the next page starts (None: this was the last)."""


class UserTables(Database):
    """Users and memberships (one group of the store's SQL helpers)."""

    def _add_search_columns(self) -> None:
        """Give an older users table the searchable columns and their indexes (its rows are re-indexed later)."""
        with self.transaction():
            present = {row[1] for row in self.all("PRAGMA table_info(users)")}
            for column in [*_SEARCH_COLUMNS, "s_indexed"]:
                if column not in present:
                    default = "0" if column == "s_indexed" else "''"
                    kind = "INTEGER" if column == "s_indexed" else "TEXT"
                    self.execute(f"ALTER TABLE users ADD COLUMN {column} {kind} NOT NULL DEFAULT {default}")
        self._db.executescript(_SEARCH_SCHEMA)

    def get_user(self, pool_id: str, username: str) -> dict | None:
        row = self.one("SELECT data FROM users WHERE pool_id = ? AND username = ?", (pool_id, username))
        return json.loads(row[0]) if row else None

    def find_user(self, pool_id: str, column: str, key: str) -> dict | None:
        assert column in ("username_key", "email_key", "phone_key")
        row = self.one(f"SELECT data FROM users WHERE pool_id = ? AND {column} = ?", (pool_id, key))
        return json.loads(row[0]) if row else None

    def put_user(self, pool_id: str, username: str, sub: str, record: dict, *, username_key: str,
                 email_key: str | None, phone_key: str | None, search: dict[str, str] | None = None) -> None:
        """Write a user's record with the keys it is found by; ``search``: the searchable values by name
        (without it the row is marked for re-indexing, as rows from before the search columns are)."""
        values = [(search or {}).get(name, "") for name, column in SEARCHABLE.items() if column.startswith("s_")]
        self.execute(
            f"INSERT OR REPLACE INTO users (pool_id, username, username_key, sub, email_key, phone_key, data, "
            f"{', '.join(_SEARCH_COLUMNS)}, s_indexed) VALUES ({', '.join('?' * (8 + len(_SEARCH_COLUMNS)))})",
            (pool_id, username, username_key, sub, email_key, phone_key, json.dumps(record), *values,
             int(search is not None)),
        )

    def unindexed_users(self, limit: int = 500) -> list[tuple[str, dict]]:
        """(pool id, record) of rows written before the searchable columns existed."""
        rows = self.all("SELECT pool_id, data FROM users WHERE s_indexed = 0 LIMIT ?", (limit,))
        return [(r[0], json.loads(r[1])) for r in rows]

    def delete_user(self, pool_id: str, username: str) -> None:
        with self.transaction():
            for table in ("users", "memberships", "codes", "refresh_tokens", "webauthn_credentials", "devices"):
                self._db.execute(f"DELETE FROM {table} WHERE pool_id = ? AND username = ?", (pool_id, username))

    def count_users(self, pool_id: str) -> int:
        row = self.one("SELECT COUNT(*) FROM users WHERE pool_id = ?", (pool_id,))
        return int(row[0]) if row else 0

    def list_users(self, pool_id: str) -> list[dict]:
        """Every user of the pool, by user name (for filters on attributes that are not searchable)."""
        rows = self.all("SELECT data FROM users WHERE pool_id = ? ORDER BY username", (pool_id,))
        return [json.loads(r[0]) for r in rows]

    def user_page(self, pool_id: str, *, limit: int, after: list[str] | None = None, name: str | None = None,
                  value: str = "", prefix: bool = False) -> UserPage:
        """Up to ``limit`` users after key ``after``: all of them, or those whose searchable ``name`` equals
        (or, with ``prefix``, starts with) ``value``. Exact and unfiltered pages go by user name; prefix pages
        by (value, user name), so the key has one element or two."""
        column = SEARCHABLE[name] if name else None
        where, params = ["pool_id = ?"], [pool_id]
        if column and not prefix:
            where.append(f"{column} = ?")
            params.append(value)
        elif column and value:
            where.append(f"{column} >= ?")
            params.append(value)
            upper = _after_prefix(value)
            if upper is not None:
                where.append(f"{column} < ?")
                params.append(upper)
        ranged = bool(column and prefix and column != "username")
        order = f"{column}, username" if ranged else "username"
        if after is not None:
            where.append(f"({column}, username) > (?, ?)" if ranged else "username > ?")
            params.extend(after)
        rows = self.all(f"SELECT data, username{', ' + column if ranged else ''} FROM users "
                        f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?", (*params, limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        key = ([rows[-1][2], rows[-1][1]] if ranged else [rows[-1][1]]) if more and rows else None
        return [json.loads(r[0]) for r in rows], key

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


def _after_prefix(prefix: str) -> str | None:
    """The smallest string above every string that starts with ``prefix`` (SQLite compares UTF-8 bytes, which
    order as code points do); None when there is none to name (the last character is the highest)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return None
    following = last + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates cannot be encoded; the next encodable code point
        following = 0xE000
    return prefix[:-1] + chr(following)

