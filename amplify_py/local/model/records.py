"""Records kept in the store's sessions table as JSON: each class has a ``KIND``, and ``to_data``/``from_data``
are the only way in and out (as for users and challenge sessions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, TypeVar

__all__ = ["Record"]

R = TypeVar("R", bound="Record")


@dataclass
class Record:
    KIND: ClassVar[str] = ""

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.KIND, **asdict(self)}

    @classmethod
    def from_data(cls: type[R], data: Mapping[str, Any]) -> R | None:
        """The record for stored data; None for another kind or an unknown shape."""
        if data.get("kind") != cls.KIND:
            return None
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError:
            return None
