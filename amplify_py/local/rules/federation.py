"""The seam between the authorize flow and external identity providers (Google, Facebook, Login with Amazon,
Sign in with Apple, OIDC, SAML).

``/oauth2/authorize`` with ``identity_provider=`` or ``idp_identifier=`` (or a "Continue with ..." button)
picks a provider here and hands the browser to the bridge registered for its type in
``EngineContext.federation_bridges``; the bridge's provider comes back to ``/oauth2/idpresponse`` (OAuth
and OIDC providers) or ``/saml2/idpresponse`` (SAML) with the state it was given, and the bridge turns that
answer into the pool's user (rules/federated_users.py). The engine registers bridges to its local stand-in
providers for Google, Facebook, LoginWithAmazon, SignInWithApple and OIDC (operations/federation_bridges.py);
a type without a bridge is configured but cannot be reached on the local engine, and the pages say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from amplify_py.local.context import EngineContext
from amplify_py.local.model.oauth import IdentityProvider
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.user import User

__all__ = ["COGNITO", "FederationBridge", "providers_for", "by_identifier", "bridge_for"]

COGNITO = "COGNITO"  # the pool's own users, in SupportedIdentityProviders and identity_provider=


class FederationBridge(Protocol):
    """How the engine reaches one type of identity provider (a local stand-in for it). A bridge may also have
    ``sign_out_url(ctx, pool, provider, username, return_to)``: ``/logout`` sends the user there first (SAML
    single logout, rules/saml_single_logout.py)."""

    def authorize_url(self, ctx: EngineContext, pool: Pool, provider: IdentityProvider, *, state: str,
                      redirect_uri: str, login_hint: str | None) -> str:
        """The provider's sign-in page for this request; it must come back to ``redirect_uri`` with ``state``."""
        ...

    def complete(self, ctx: EngineContext, pool: Pool, client: Client, provider: IdentityProvider,
                 params: Mapping[str, str]) -> User:
        """The pool's user for the provider's answer (``params`` of the idpresponse request), created or linked
        the way Cognito federates (``identities`` attribute, attribute mapping, PreSignUp_ExternalProvider)."""
        ...


def providers_for(ctx: EngineContext, pool: Pool, client: Client) -> list[IdentityProvider]:
    """The client's external providers, in the order of its SupportedIdentityProviders."""
    known = ctx.identity_providers(pool)
    return [known[name] for name in client.identity_providers if name in known]


def by_identifier(ctx: EngineContext, pool: Pool, client: Client, identifier: str) -> IdentityProvider | None:
    """``idp_identifier=``: the client's provider that lists this identifier (identifiers ignore case)."""
    wanted = identifier.lower()
    return next((p for p in providers_for(ctx, pool, client) if wanted in (i.lower() for i in p.identifiers)), None)


def bridge_for(ctx: EngineContext, provider: IdentityProvider) -> FederationBridge | None:
    return ctx.federation_bridges.get(provider.type)
