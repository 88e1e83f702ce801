"""What SAML federation remembers between requests: the AuthnRequest the pool sent (its ID, to check the
response's InResponseTo) and the assertions already used (each signs in once).

Kept in the store's sessions table like the other OAuth records (same expiry and purge with the pool);
``to_data``/``from_data`` are the only way in and out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

__all__ = ["SentAuthnRequest", "UsedAssertion", "saml_record"]


@dataclass
class SentAuthnRequest:
    """An AuthnRequest on its way to the IdP, found again by the RelayState it carried."""

    KIND: ClassVar[str] = "saml_authn_request"
    provider: str = ""
    request_id: str = ""

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.KIND, **asdict(self)}


@dataclass
class UsedAssertion:
    """An assertion (or response) ID that has signed a user in: kept until the assertion would expire."""

    KIND: ClassVar[str] = "saml_assertion_used"
    provider: str = ""

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.KIND, **asdict(self)}


def saml_record(data: Mapping[str, Any], cls: type) -> Any:
    """The record of type ``cls`` for stored data; None for another kind or an unknown shape."""
    if data.get("kind") != cls.KIND:
        return None
    known = {f.name for f in fields(cls)}
    try:
        return cls(**{k: v for k, v in data.items() if k in known})
    except TypeError:
        return None
