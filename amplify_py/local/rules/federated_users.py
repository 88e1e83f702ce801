"""The one rule for a federated sign-in: an identity provider vouched for a subject, so which user of the pool
is that, and what does Cognito write on them.

Every bridge (OIDC, Google, Facebook, Login with Amazon, Sign in with Apple, SAML) calls ``sign_in`` once it
has checked the provider's answer. What a bridge must pass, as a ``ProviderIdentity``:

- ``subject``: the provider's own unique id for the user: OIDC/Google/Apple ``sub``, Facebook ``id``, Login
  with Amazon ``user_id``; for SAML the assertion's ``NameID`` (Cognito's ``Cognito_Subject``).
- ``attributes``: everything the provider said about the user, by the provider's names (OIDC claims from
  the ID token and userinfo; for SAML the assertion's attribute names, e.g.
  ``http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress``; a value is a string, or a list of
  strings for a multi-valued attribute, which ``_text`` flattens).
- ``issuer``: what Cognito writes as the identity's ``issuer``: the OIDC issuer or the SAML IdP's entity ID;
  None for the social providers (Cognito writes ``null`` there).

What happens, as Cognito does it:

- The user's name is ``<ProviderName>_<subject>`` (the developer guide: the IdP's name is prepended), lower-cased
  in a case-insensitive pool (amplify-js issue 13844; Cognito's ID tokens show ``google_<sub>``), status
  EXTERNAL_PROVIDER, no password.
- ``identities`` is a JSON list of ``{"userId", "providerName", "providerType", "issuer", "primary",
  "dateCreated"}`` (``primary`` the string "true", ``dateCreated`` milliseconds as a string); the ID token
  carries it as a list (rules/tokens.py).
- The provider's AttributeMapping (pool attribute ← provider attribute) is applied on the first sign-in and
  again on every later one.
- On the first sign-in PreSignUp runs with ``PreSignUp_ExternalProvider`` (a refusal ends the sign-in); the
  pool's required attributes must then be there (``attributes required: [email]`` otherwise); the user joins
  the group ``<pool id>_<ProviderName>``; PostConfirmation runs with ``PostConfirmation_ConfirmSignUp``.
- Every sign-in then runs PreAuthentication and PostAuthentication (``..._Authentication``).
- A provider identity linked to a user (native or federated) with AdminLinkProviderForUser signs in as that
  user: its mapped attributes are applied to them and they keep their status.

Errors are ``FederationError(error, description)``: ``/oauth2/idpresponse`` sends them to the app's redirect
URI as ``error=`` and ``error_description=``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.model.oauth import IdentityProvider
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.user import User, UserStatus
from amplify_py.local.rules import directory, triggers

__all__ = ["ProviderIdentity", "FederationError", "sign_in", "federated_username", "identity_record", "provider_group",
           "mapped_attributes", "identities_of", "link", "unlink", "linked_username", "COGNITO_SUBJECT",
           "SOCIAL_TYPES"]

COGNITO_SUBJECT = "Cognito_Subject"  # AdminLinkProviderForUser's ProviderAttributeName for the subject itself
SOCIAL_TYPES = frozenset({"Google", "Facebook", "LoginWithAmazon", "SignInWithApple"})
_LINK_KEY = "federation_link"  # meta keys: federation_link|<pool>|<provider>|<attribute>|<value> → username
_NOT_MAPPED = frozenset({"sub", "identities", "username"})  # attributes Cognito writes itself


class FederationError(Exception):
    """A federated sign-in Cognito refuses; ``error`` and ``description`` go to the app's redirect URI."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


@dataclass(frozen=True)
class ProviderIdentity:
    """What a provider said about the user who signed in there (see the module's docstring)."""

    subject: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    issuer: str | None = None


def federated_username(pool: Pool, provider: IdentityProvider, subject: str) -> str:
    name = f"{provider.name}_{subject}"
    return name if pool.case_sensitive else name.lower()


def provider_group(pool: Pool, provider: IdentityProvider) -> str:
    """The group Cognito puts a provider's federated users in: ``<pool id>_<provider name>`` (it shows in
    their tokens' ``cognito:groups``)."""
    return f"{pool.id}_{provider.name}"


def identity_record(provider: IdentityProvider, identity: ProviderIdentity, now: float) -> dict[str, Any]:
    """One entry of the ``identities`` attribute, with Cognito's keys and value types."""
    return {"userId": identity.subject, "providerName": provider.name, "providerType": provider.type,
            "issuer": None if provider.type in SOCIAL_TYPES else identity.issuer, "primary": "true",
            "dateCreated": str(int(now * 1000))}


def identities_of(user: User) -> list[dict[str, Any]]:
    try:
        value = json.loads(user.attributes.get("identities") or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _set_identities(user: User, entries: list[dict[str, Any]]) -> None:
    if entries:
        user.attributes["identities"] = json.dumps(entries, separators=(",", ":"))
    else:
        user.attributes.pop("identities", None)


def _text(value: Any) -> str:
    """A provider's value as the attribute's string. Several values (a SAML attribute, an OIDC array claim):
    each URL form encoded where it has characters other than letters, digits and ``.-*_`` (the developer
    guide's "Things to know about mappings"), listed as ``[a, b]`` (the list format is not in the guide)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return _text(value[0])
        return "[" + ", ".join(quote_plus(_text(v), safe="*") for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def mapped_attributes(pool: Pool, provider: IdentityProvider, identity: ProviderIdentity) -> dict[str, str]:
    """The pool's attributes the mapping fills from this answer (pool attribute ← provider attribute); a
    provider attribute the answer lacks leaves its pool attribute alone."""
    schema = pool.schema()
    out: dict[str, str] = {}
    for pool_attribute, provider_attribute in provider.attribute_mapping.items():
        # Cognito names federated users itself: a "username" mapping (OIDC's username ← sub) is no attribute.
        if pool_attribute in _NOT_MAPPED or pool_attribute not in schema:
            continue
        if identity.attributes.get(provider_attribute) is not None:
            out[pool_attribute] = _text(identity.attributes[provider_attribute])
    return out


def _link_key(pool_id: str, provider: str, attribute: str, value: str) -> str:
    return "|".join((_LINK_KEY, pool_id, provider, attribute, value))


def linked_username(ctx: EngineContext, pool: Pool, provider: IdentityProvider, identity: ProviderIdentity,
                    mapped: Mapping[str, str]) -> str | None:
    """The native user a provider identity was linked to: by subject, or by a mapped attribute's value (the
    ProviderAttributeName OIDC and SAML links may name)."""
    candidates = [(COGNITO_SUBJECT, identity.subject)] + sorted(mapped.items())
    for attribute, value in candidates:
        username = ctx.store.get_meta(_link_key(pool.id, provider.name, attribute, value))
        if username is not None:
            return username
    return None


def link(ctx: EngineContext, pool: Pool, destination: User, provider: IdentityProvider, attribute: str,
         value: str) -> None:
    """AdminLinkProviderForUser's effect: the identity signs in as ``destination`` from now on."""
    ctx.store.set_meta(_link_key(pool.id, provider.name, attribute, value), destination.username)
    entries = [e for e in identities_of(destination)
               if not (e.get("providerName") == provider.name and e.get("userId") == value)]
    entries.append({"userId": value, "providerName": provider.name, "providerType": provider.type,
                    "issuer": None, "primary": "false", "dateCreated": str(int(ctx.now() * 1000))})
    _set_identities(destination, entries)
    directory.save_user(ctx, pool, destination)


def unlink(ctx: EngineContext, pool: Pool, provider_name: str, attribute: str, value: str) -> bool:
    """AdminDisableProviderForUser on a linked identity: the link goes, from the native user too."""
    key = _link_key(pool.id, provider_name, attribute, value)
    username = ctx.store.get_meta(key)
    if username is None:
        return False
    ctx.store.delete_meta(key)
    user = directory.get_user(ctx, pool, username)
    if user is not None:
        _set_identities(user, [e for e in identities_of(user)
                               if not (e.get("providerName") == provider_name and e.get("userId") == value)])
        directory.save_user(ctx, pool, user)
    return True


def sign_in(ctx: EngineContext, pool: Pool, client: Client, provider: IdentityProvider,
            identity: ProviderIdentity) -> User:
    """The pool's user for a checked provider answer, created, linked or updated as Cognito does."""
    if not identity.subject:
        raise FederationError("invalid_request", f"{provider.name} did not identify the user (no subject)")
    mapped = mapped_attributes(pool, provider, identity)
    linked = linked_username(ctx, pool, provider, identity, mapped)
    user = directory.get_user(ctx, pool, linked) if linked else None
    if user is None:
        user = directory.get_user(ctx, pool, federated_username(pool, provider, identity.subject))
        if user is not None and not _is_identity(user, provider, identity.subject):
            # a native user who took the federated name (``google_<sub>``) is not this identity: never sign
            # the provider's user in as them (or write the provider's attributes onto their account)
            raise FederationError("invalid_request", f"A user named {user.username} already exists and is not "
                                  f"this {provider.name} identity.")
    if user is not None:
        if not user.enabled:
            raise FederationError("invalid_request", "User is disabled.")
        user.attributes.update(mapped)
        directory.save_user(ctx, pool, user)
    else:
        user = _first_sign_in(ctx, pool, client, provider, identity, mapped)
    return _authenticated(ctx, pool, client, user)


def _is_identity(user: User, provider: IdentityProvider, subject: str) -> bool:
    """Is ``user`` the federated user of this provider identity (EXTERNAL_PROVIDER, named in its identities)?"""
    return user.status == UserStatus.EXTERNAL_PROVIDER and any(
        isinstance(e, dict) and e.get("providerName") == provider.name and e.get("userId") == subject
        for e in identities_of(user))


def _authenticated(ctx: EngineContext, pool: Pool, client: Client, user: User) -> User:
    """PreAuthentication and PostAuthentication, as every sign-in of the pool runs them (the developer guide's
    federated trigger sources: only custom-auth, migration, message and sender triggers are left out)."""
    try:
        if triggers.pre_authentication(ctx, pool, user, client.id, None):
            directory.reload_user(ctx, pool, user)
        if triggers.post_authentication(ctx, pool, user, client.id, None):
            directory.reload_user(ctx, pool, user)
    except CognitoError as exc:
        raise FederationError("invalid_request", exc.message) from exc
    return user


def _first_sign_in(ctx: EngineContext, pool: Pool, client: Client, provider: IdentityProvider,
                   identity: ProviderIdentity, mapped: dict[str, str]) -> User:
    username = federated_username(pool, provider, identity.subject)
    user = directory.new_user(ctx, username, dict(mapped), UserStatus.EXTERNAL_PROVIDER)
    _set_identities(user, [identity_record(provider, identity, ctx.now())])
    try:
        triggers.pre_sign_up(ctx, pool, user, client.id, "PreSignUp_ExternalProvider", validation_data=None,
                             client_metadata=None)
    except CognitoError as exc:
        raise FederationError("invalid_request", exc.message) from exc
    missing = sorted(name for name, attribute in pool.schema().items()
                     if attribute.required and name != "sub" and not user.attributes.get(name))
    if missing:
        raise FederationError("invalid_request", f"attributes required: [{', '.join(missing)}]")
    existing = directory.get_user(ctx, pool, username)
    if existing is not None:  # a concurrent first sign-in made them while the trigger ran
        return existing
    directory.save_user(ctx, pool, user)
    ctx.store.add_membership(pool.id, user.username, provider_group(pool, provider))
    try:
        triggers.post_confirmation(ctx, pool, user, client.id, "PostConfirmation_ConfirmSignUp", None)
    except CognitoError as exc:
        raise FederationError("invalid_request", exc.message) from exc
    return directory.reload_user(ctx, pool, user)
