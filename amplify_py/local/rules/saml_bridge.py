"""The SAML bridge (``ProviderType`` SAML): what Cognito does as a service provider, against the engine's
stand-in IdP (``rules/local_saml_idp.py``).

- Out: an AuthnRequest (Issuer ``urn:amazon:cognito:sp:<pool id>``, AssertionConsumerServiceURL
  ``https://<domain>/saml2/idpresponse``) sent with the HTTP-Redirect binding to the SingleSignOnService of the
  IdP's metadata, the authorize flow's state as RelayState; its ID is kept to check InResponseTo.
- Metadata: a template's MetadataFile or MetadataURL names the user's real IdP, which the local engine cannot
  use, so the engine reads its stand-in's metadata for that provider name instead (signing certificate and
  endpoints come from that document, parsed like any IdP's).
- Back: the Response posted to ``/saml2/idpresponse`` is checked as Cognito checks it: XML signature (on
  the Response or the Assertion) against a certificate of the metadata; Audience is the SP entity id;
  Destination and Recipient are the ACS URL; NotBefore/NotOnOrAfter against the engine's clock; InResponseTo
  is the AuthnRequest's ID; each assertion signs in once. Then ``federated_users.sign_in`` makes or finds the
  user (NameID is the subject, the assertion's attributes go through the AttributeMapping).

- IdP-initiated (ProviderDetails ``IDPInit``): an unsolicited Response whose RelayState holds the authorize
  parameters; the same checks, and it must carry no InResponseTo and be at most 6 minutes old.

A refused response goes to the app's redirect URI as Cognito sends it: ``error=server_error`` and
``error_description=Invalid SAML response received: <why>``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from amplify_py.local import saml
from amplify_py.local.context import EngineContext
from amplify_py.local.model.oauth import IdentityProvider
from amplify_py.local.model.pool import Client, Pool
from amplify_py.local.model.saml import SamlSignIn, SentAuthnRequest, UsedAssertion
from amplify_py.local.model.user import User
from amplify_py.local.rules import saml_single_logout
from amplify_py.local.rules.federated_users import FederationError, ProviderIdentity, sign_in
from amplify_py.local.rules.oauth_state import FEDERATION_TTL, SESSION_TTL
from amplify_py.local.rules.saml_sp import acs_url, provider_metadata, record_key, sp_entity_id, take_record
from amplify_py.local.saml_response import Assertion, Expected, verify

__all__ = ["SamlBridge", "INVALID_RESPONSE"]

INVALID_RESPONSE = "Invalid SAML response received: "  # Cognito's prefix of a refused response's description
_UNSOLICITED_AGE = 360.0  # "must have been issued within the previous 6 minutes" (IdP-initiated sign-in)


def _refused(why: str) -> FederationError:
    return FederationError("server_error", INVALID_RESPONSE + why)


class SamlBridge:
    """``rules.federation.FederationBridge`` for ProviderType SAML."""

    local_stand_in = True  # http/app.py replaces it (not a test's double) when managed login restarts

    def authorize_url(self, ctx: EngineContext, pool: Pool, provider: IdentityProvider, *, state: str,
                      redirect_uri: str, login_hint: str | None) -> str:
        metadata = provider_metadata(ctx, provider)
        sso = metadata.sso.get(saml.REDIRECT_BINDING)
        if not sso:
            raise FederationError("invalid_request", f"{provider.name} has no HTTP-Redirect SingleSignOnService")
        request = saml.AuthnRequest(id="_" + uuid.uuid4().hex, issuer=sp_entity_id(pool), acs_url=redirect_uri,
                                    destination=sso)
        record = SentAuthnRequest(provider=provider.name, request_id=request.id)
        ctx.store.put_session(record_key(record.KIND, state), pool.id, ctx.now() + FEDERATION_TTL, record.to_data())
        return saml.redirect_url(sso, saml.authn_request_xml(request, ctx.now()), state)

    def complete(self, ctx: EngineContext, pool: Pool, client: Client, provider: IdentityProvider,
                 params: Mapping[str, str]) -> User:
        sent = self._sent_request(ctx, pool, provider, params.get("RelayState") or "")
        assertion, metadata = self._checked(ctx, pool, provider, params)
        if not assertion.answers(sent.request_id):
            raise _refused("InResponseTo does not match the AuthnRequest the user pool sent.")
        return self._signed_in(ctx, pool, client, provider, assertion, metadata)

    def complete_unsolicited(self, ctx: EngineContext, pool: Pool, client: Client, provider: IdentityProvider,
                             params: Mapping[str, str]) -> User:
        """IdP-initiated sign-in (ProviderDetails ``IDPInit``): the assertion must not answer a request and must
        have been issued within the last 6 minutes, as Cognito requires."""
        if str(provider.details.get("IDPInit", "")).lower() != "true":
            raise _refused(f"IdP-initiated sign-in is not enabled for {provider.name}.")
        assertion, metadata = self._checked(ctx, pool, provider, params)
        if not assertion.unsolicited:
            raise _refused("An IdP-initiated SAML assertion must not contain InResponseTo.")
        if ctx.now() - assertion.issued > _UNSOLICITED_AGE:
            raise _refused("An IdP-initiated SAML assertion must have been issued within the previous 6 minutes.")
        return self._signed_in(ctx, pool, client, provider, assertion, metadata)

    def _checked(self, ctx: EngineContext, pool: Pool, provider: IdentityProvider,
                 params: Mapping[str, str]) -> tuple[Assertion, saml.IdpMetadata]:
        """The posted Response's assertion, checked (signature, audience, recipient, time) and spent."""
        if not params.get("SAMLResponse"):
            raise _refused("SAMLResponse is missing.")
        metadata = provider_metadata(ctx, provider)
        expected = Expected(certificates=metadata.certificates, audience=sp_entity_id(pool), recipient=acs_url(ctx),
                            now=ctx.now())
        try:
            assertion = verify(params["SAMLResponse"], expected)
        except saml.SamlError as exc:
            raise _refused(str(exc)) from exc
        self._use_once(ctx, pool, provider, assertion.id, assertion.not_on_or_after)
        return assertion, metadata

    @staticmethod
    def _signed_in(ctx: EngineContext, pool: Pool, client: Client, provider: IdentityProvider, assertion: Assertion,
                   metadata: saml.IdpMetadata) -> User:
        attributes = {name: values[0] if len(values) == 1 else values  # several values: federated_users lists them
                      for name, values in assertion.identity.attributes.items()}
        identity = ProviderIdentity(subject=assertion.identity.name_id, attributes=attributes,
                                    issuer=metadata.entity_id)
        user = sign_in(ctx, pool, client, provider, identity)
        signed_in = SamlSignIn(provider.name, assertion.identity.name_id, assertion.session_index)
        ctx.store.put_session(record_key(signed_in.KIND, f"{provider.name}|{user.username}"), pool.id,
                              ctx.now() + SESSION_TTL, signed_in.to_data())
        return user

    def sign_out_url(self, ctx: EngineContext, pool: Pool, provider: IdentityProvider, username: str,
                     return_to: str) -> str | None:
        """Where ``/logout`` sends a user who signed in through ``provider`` before ``return_to``: the IdP's
        SingleLogoutService when the provider has IDPSignout (None otherwise)."""
        return saml_single_logout.sign_out_url(ctx, pool, provider, username, return_to)

    def finish_sign_out(self, ctx: EngineContext, params: Mapping[str, str]) -> str:
        """``/saml2/logout``: the IdP's LogoutResponse checked; where the sign-out goes on."""
        return saml_single_logout.finish(ctx, params)

    @staticmethod
    def _sent_request(ctx: EngineContext, pool: Pool, provider: IdentityProvider, relay_state: str) -> SentAuthnRequest:
        """The AuthnRequest this RelayState went out with (forgotten now: a response answers it once)."""
        record = take_record(ctx, pool.id, SentAuthnRequest, relay_state)
        if record is None or record.provider != provider.name:
            raise _refused("Invalid relayState from identity provider.")
        return record

    @staticmethod
    def _use_once(ctx: EngineContext, pool: Pool, provider: IdentityProvider, assertion_id: str,
                  until: float) -> None:
        key = record_key(UsedAssertion.KIND, f"{provider.name}|{assertion_id}")
        row = ctx.store.get_session(key)
        if row is not None and UsedAssertion.from_data(row.data) is not None:
            raise _refused("The SAML assertion has already been used.")
        ctx.store.put_session(key, pool.id, max(until, ctx.now()) + 3600.0, UsedAssertion(provider.name).to_data())
