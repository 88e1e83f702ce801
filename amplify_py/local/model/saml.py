"""What SAML federation remembers between requests: the AuthnRequest the pool sent (its ID, to check the
response's InResponseTo), the assertions already used (each signs in once), a user's SAML session (for single
logout: NameID and SessionIndex) and the LogoutRequest on its way to the IdP.

Kept in the store's sessions table like the other OAuth records (same expiry and purge with the pool);
``to_data``/``from_data`` are the only way in and out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from amplify_py.local.model.records import Record

__all__ = ["SentAuthnRequest", "UsedAssertion", "SamlSignIn", "SentLogoutRequest"]


@dataclass
class SentAuthnRequest(Record):
    """An AuthnRequest on its way to the IdP, found again by the RelayState it carried."""

    KIND: ClassVar[str] = "saml_authn_request"
    provider: str = ""
    request_id: str = ""

@dataclass
class UsedAssertion(Record):
    """An assertion (or response) ID that has signed a user in: kept until the assertion would expire."""

    KIND: ClassVar[str] = "saml_assertion_used"
    provider: str = ""

@dataclass
class SamlSignIn(Record):
    """The last SAML sign-in of a user through a provider: what a LogoutRequest names."""

    KIND: ClassVar[str] = "saml_sign_in"
    provider: str = ""
    name_id: str = ""
    session_index: str | None = None

@dataclass
class SentLogoutRequest(Record):
    """A LogoutRequest at the IdP, found again by its RelayState: where /logout sends the user afterwards."""

    KIND: ClassVar[str] = "saml_logout_request"
    pool_id: str = ""
    provider: str = ""
    request_id: str = ""
    return_to: str = ""
