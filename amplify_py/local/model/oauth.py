"""OAuth 2.0 state: an authorize request, the codes it ends in, the managed-login session cookie's record,
and the deployed resources that shape them (domains, resource servers, identity providers).

Codes, sessions and requests waiting on an identity provider are kept in the store's sessions table as JSON
records of a ``KIND``; ``to_data``/``from_data`` are the only way in and out, as for users and challenge
sessions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

from amplify_py.local.model.records import Record

__all__ = ["AuthorizeRequest", "AuthorizationCode", "HostedSession", "PendingFederation", "ResourceServer",
           "IdentityProvider", "Domain", "record_from_data"]


@dataclass
class AuthorizeRequest:
    """The parameters of ``/oauth2/authorize``, carried unchanged through every managed-login page."""

    client_id: str = ""
    redirect_uri: str = ""
    response_type: str = ""
    scope: str | None = None
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    identity_provider: str | None = None
    idp_identifier: str | None = None
    login_hint: str | None = None
    prompt: str | None = None
    lang: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> "AuthorizeRequest":
        names = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in params.items() if k in names and v is not None and v != ""})

    def to_params(self) -> dict[str, str]:
        """The query string a page links or posts back to (empty values left out)."""
        return {k: v for k, v in asdict(self).items() if v}

    @property
    def scopes(self) -> list[str]:
        """The requested scopes, space separated on the wire, without repeats."""
        return list(dict.fromkeys((self.scope or "").split()))

    @property
    def prompts(self) -> set[str]:
        return set((self.prompt or "").split())


@dataclass
class AuthorizationCode(Record):
    """A code grant: single use, five minutes, bound to its client, redirect URI and PKCE challenge."""

    KIND: ClassVar[str] = "oauth_code"
    client_id: str = ""
    username: str = ""
    redirect_uri: str = ""
    scopes: list[str] = field(default_factory=list)
    auth_time: float = 0.0
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    nonce: str | None = None
    used: bool = False


@dataclass
class HostedSession(Record):
    """The managed-login session behind the browser's cookie: a second authorize signs in without a password."""

    KIND: ClassVar[str] = "managed_login_session"
    username: str = ""
    auth_time: float = 0.0
    provider: str = "COGNITO"  # or the identity provider the user came through


@dataclass
class PendingFederation(Record):
    """An authorize request waiting for an identity provider's answer at ``/oauth2/idpresponse``."""

    KIND: ClassVar[str] = "oauth_federation"
    provider: str = ""
    request: dict[str, str] = field(default_factory=dict)

    @property
    def authorize_request(self) -> AuthorizeRequest:
        return AuthorizeRequest.from_params(self.request)


_KINDS: dict[str, type[Record]] = {cls.KIND: cls for cls in (AuthorizationCode, HostedSession, PendingFederation)}


def record_from_data(data: Mapping[str, Any]) -> Record | None:
    """The typed record for stored data; None for an unknown kind or shape."""
    cls = _KINDS.get(str(data.get("kind")))
    return cls.from_data(data) if cls is not None else None


# --- deployed resources ---------------------------------------------------------------
@dataclass(frozen=True)
class Domain:
    """AWS::Cognito::UserPoolDomain: a pool with one serves managed login and the OAuth endpoints."""

    name: str
    pool_id: str

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> "Domain":
        return cls(str(props.get("Domain") or ""), str(props.get("UserPoolId") or ""))


@dataclass(frozen=True)
class ResourceServer:
    """AWS::Cognito::UserPoolResourceServer: custom scopes are ``<identifier>/<scope name>``."""

    identifier: str
    pool_id: str
    name: str = ""
    scope_names: tuple[str, ...] = ()

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> "ResourceServer":
        return cls(str(props.get("Identifier") or ""), str(props.get("UserPoolId") or ""),
                   str(props.get("Name") or ""),
                   tuple(str(s.get("ScopeName")) for s in props.get("Scopes") or [] if s.get("ScopeName")))

    @property
    def scopes(self) -> list[str]:
        return [f"{self.identifier}/{name}" for name in self.scope_names]


@dataclass(frozen=True)
class IdentityProvider:
    """AWS::Cognito::UserPoolIdentityProvider: a provider the authorize flow can send a user to."""

    name: str
    pool_id: str
    type: str  # Google, Facebook, LoginWithAmazon, SignInWithApple, OIDC, SAML
    details: Mapping[str, Any] = field(default_factory=dict)
    attribute_mapping: Mapping[str, str] = field(default_factory=dict)
    identifiers: tuple[str, ...] = ()

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> "IdentityProvider":
        return cls(str(props.get("ProviderName") or ""), str(props.get("UserPoolId") or ""),
                   str(props.get("ProviderType") or ""), dict(props.get("ProviderDetails") or {}),
                   dict(props.get("AttributeMapping") or {}), tuple(props.get("IdpIdentifiers") or ()))
