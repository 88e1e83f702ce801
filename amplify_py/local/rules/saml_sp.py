"""The user pool as a SAML service provider: its entity id, its assertion consumer service, the IdP metadata
it trusts, and the SAML records it keeps in the store's sessions table (shared by the bridge and single
logout)."""

from __future__ import annotations

import hashlib
from typing import Any

from amplify_py.local import saml
from amplify_py.local.context import EngineContext
from amplify_py.local.model.oauth import IdentityProvider
from amplify_py.local.model.pool import Pool
from amplify_py.local.rules import local_saml_idp

__all__ = ["sp_entity_id", "acs_url", "logout_url", "provider_metadata", "record_key", "take_record"]


def sp_entity_id(pool: Pool) -> str:
    """The pool's SAML service provider entity id (the Audience an IdP must name)."""
    return f"{local_saml_idp.SP_PREFIX}{pool.id}"


def acs_url(ctx: EngineContext) -> str:
    return f"https://{ctx.managed_login_domain}{local_saml_idp.ACS_PATH}"


def provider_metadata(ctx: EngineContext, provider: IdentityProvider) -> saml.IdpMetadata:
    """The IdP metadata the engine federates with: its stand-in's, in place of the template's MetadataFile or
    MetadataURL (the user's real IdP, out of reach locally)."""
    return saml.read_idp_metadata(local_saml_idp.metadata_xml(ctx, provider.name))


def record_key(kind: str, value: str) -> str:
    """Where a SAML record lives in the sessions table: its kind and the SHA-256 of what finds it."""
    return f"{kind}:" + hashlib.sha256(value.encode()).hexdigest()


def take_record(ctx: EngineContext, pool_id: str | None, cls: type, value: str, *, keep: bool = False) -> Any:
    """The live record of type ``cls`` found by ``value`` (in ``pool_id``'s, unless None), forgotten unless
    ``keep``; None when unknown, expired or of another pool."""
    key = record_key(cls.KIND, value)
    row = ctx.store.get_session(key)
    record = cls.from_data(row.data) if row is not None else None
    if row is None or record is None or row.expires <= ctx.now() or pool_id not in (None, row.pool_id):
        return None
    if not keep:
        ctx.store.delete_session(key)
    return record


def logout_url(ctx: EngineContext) -> str:
    """Where an IdP posts its LogoutResponse: ``https://<domain>/saml2/logout``."""
    return f"https://{ctx.managed_login_domain}/saml2/logout"
