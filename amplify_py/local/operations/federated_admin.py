"""Linking provider identities to native users: AdminLinkProviderForUser and AdminDisableProviderForUser
(the rule itself is rules/federated_users.py)."""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError, invalid_parameter, user_not_found
from amplify_py.local.rules import directory
from amplify_py.local.rules.federated_users import COGNITO_SUBJECT, federated_username, identities_of, link, unlink

__all__ = ["OPERATIONS"]

_COGNITO = "Cognito"
_MAX_LINKS = 5


def admin_link_provider_for_user(ctx: EngineContext, body: dict) -> dict:
    """The source identity (a provider's subject or mapped attribute) signs in as the native destination user."""
    pool = ctx.pool(body.get("UserPoolId"))
    destination, source = body.get("DestinationUser") or {}, body.get("SourceUser") or {}
    if destination.get("ProviderName") != _COGNITO:
        raise invalid_parameter("DestinationUser ProviderName must be Cognito")
    user = directory.find_by_username(ctx, pool, str(destination.get("ProviderAttributeValue") or ""))
    if user is None:
        raise user_not_found()
    # The developer guide: a destination may be a native user or an existing federated user, with up to five
    # linked identities each.
    linked = [e for e in identities_of(user) if e.get("primary") != "true"]
    if len(linked) >= _MAX_LINKS:
        raise CognitoError("LimitExceededException", f"A user can have at most {_MAX_LINKS} linked identities; "
                           f"{destination.get('ProviderAttributeValue')} has {len(linked)}.")
    provider = ctx.identity_providers(pool).get(str(source.get("ProviderName") or ""))
    if provider is None:
        raise invalid_parameter(f"The provider {source.get('ProviderName')} does not exist for the user pool")
    attribute = str(source.get("ProviderAttributeName") or COGNITO_SUBJECT)
    value = str(source.get("ProviderAttributeValue") or "")
    if not value:
        raise invalid_parameter("SourceUser ProviderAttributeValue is required")
    if attribute == COGNITO_SUBJECT and directory.get_user(ctx, pool, federated_username(pool, provider, value)):
        # The docs: the source must be "an external IdP account for a user who doesn't exist yet in the pool".
        raise invalid_parameter("Merging is not currently supported, provide a SourceUser that has not been "
                                "linked yet")
    link(ctx, pool, user, provider, attribute, value)
    return {}


def admin_disable_provider_for_user(ctx: EngineContext, body: dict) -> dict:
    """A linked identity loses its link (its next sign-in makes a new federated user); a federated user of
    that identity can no longer sign in."""
    pool = ctx.pool(body.get("UserPoolId"))
    named = body.get("User") or {}
    provider_name = str(named.get("ProviderName") or "")
    attribute = str(named.get("ProviderAttributeName") or COGNITO_SUBJECT)
    value = str(named.get("ProviderAttributeValue") or "")
    provider = ctx.identity_providers(pool).get(provider_name)
    if provider is None:
        raise invalid_parameter(f"The provider {provider_name} does not exist for the user pool")
    unlinked = unlink(ctx, pool, provider_name, attribute, value)
    federated = directory.get_user(ctx, pool, federated_username(pool, provider, value)) \
        if attribute == COGNITO_SUBJECT else None
    if federated is not None:
        federated.enabled = False
        directory.save_user(ctx, pool, federated)
        ctx.store.revoke_user_tokens(pool.id, federated.username)
    elif not unlinked:
        raise user_not_found()
    return {}


OPERATIONS = {
    "AdminLinkProviderForUser": admin_link_provider_for_user,
    "AdminDisableProviderForUser": admin_disable_provider_for_user,
}
