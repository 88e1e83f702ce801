"""The store's devices table (remembered devices), kept beside store.py so that module stays small.

``Store`` mixes ``DeviceTable`` in; the rows are ``model.Device.to_record()`` as JSON, found by pool and
device key, or listed by pool and user in the order they were made.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["DeviceTable", "DEVICE_SCHEMA"]

DEVICE_SCHEMA = """
CREATE TABLE IF NOT EXISTS devices (
  pool_id TEXT NOT NULL, device_key TEXT NOT NULL, username TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (pool_id, device_key));
CREATE INDEX IF NOT EXISTS devices_user ON devices (pool_id, username);
"""


class DeviceTable:
    """SQL for devices, through the ``execute``/``one``/``all`` helpers of the store it is mixed into."""

    execute: Callable[..., Any]
    one: Callable[..., Any]
    all: Callable[..., list[tuple]]

    def put_device(self, pool_id: str, device_key: str, username: str, record: dict) -> None:
        self.execute("INSERT OR REPLACE INTO devices VALUES (?, ?, ?, ?)",
                     (pool_id, device_key, username, json.dumps(record)))

    def get_device(self, pool_id: str, device_key: str) -> dict | None:
        row = self.one("SELECT data FROM devices WHERE pool_id = ? AND device_key = ?", (pool_id, device_key))
        return json.loads(row[0]) if row else None

    def devices_of(self, pool_id: str, username: str) -> list[dict]:
        rows = self.all("SELECT data FROM devices WHERE pool_id = ? AND username = ? ORDER BY rowid",
                        (pool_id, username))
        return [json.loads(r[0]) for r in rows]

    def delete_device(self, pool_id: str, device_key: str) -> None:
        self.execute("DELETE FROM devices WHERE pool_id = ? AND device_key = ?", (pool_id, device_key))
