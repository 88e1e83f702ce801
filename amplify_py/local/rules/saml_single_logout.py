"""SAML single logout (the provider's ``IDPSignout``): ``/logout`` for a user whose managed-login session came
from a SAML provider sends them first to the IdP's SingleLogoutService with a LogoutRequest (NameID and
SessionIndex of their sign-in); the IdP posts a LogoutResponse to ``/saml2/logout``, and the user goes on to
the ``logout_uri`` or ``redirect_uri`` of their sign-out request.

Cognito signs the LogoutRequest with the pool's signing certificate (GetSigningCertificate); the local
engine has no such certificate and sends it unsigned (its stand-in IdP does not ask for signed requests).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from amplify_py.local import saml
from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.model.oauth import IdentityProvider
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.saml import SamlSignIn, SentLogoutRequest
from amplify_py.local.rules.federated_users import FederationError
from amplify_py.local.rules.oauth_state import FEDERATION_TTL
from amplify_py.local.rules.saml_sp import logout_url, provider_metadata, record_key, sp_entity_id, take_record
from amplify_py.local.saml_logout import LogoutRequest, logout_request_xml, verify_logout_response

__all__ = ["sign_out_url", "finish", "idp_sign_out"]


def idp_sign_out(provider: IdentityProvider) -> bool:
    """ProviderDetails ``IDPSignout``: ``true`` (a string in CloudFormation, a boolean in some templates)."""
    return str(provider.details.get("IDPSignout", "")).lower() == "true"


def sign_out_url(ctx: EngineContext, pool: Pool, provider: IdentityProvider, username: str,
                 return_to: str) -> str | None:
    """The SingleLogoutService address with the LogoutRequest, or None (no IDPSignout, no SAML sign-in)."""
    if not idp_sign_out(provider):
        return None
    signed_in = take_record(ctx, pool.id, SamlSignIn, f"{provider.name}|{username}")
    slo = provider_metadata(ctx, provider).slo.get(saml.REDIRECT_BINDING)
    if signed_in is None or not slo:
        return None
    request = LogoutRequest(id="_" + uuid.uuid4().hex, issuer=sp_entity_id(pool), destination=slo,
                            name_id=signed_in.name_id, session_index=signed_in.session_index)
    relay_state = uuid.uuid4().hex
    sent = SentLogoutRequest(pool_id=pool.id, provider=provider.name, request_id=request.id, return_to=return_to)
    ctx.store.put_session(record_key(sent.KIND, relay_state), pool.id, ctx.now() + FEDERATION_TTL, sent.to_data())
    return saml.redirect_url(slo, logout_request_xml(request, ctx.now()), relay_state)


def finish(ctx: EngineContext, params: Mapping[str, str]) -> str:
    """The IdP's LogoutResponse, checked: where the sign-out continues. ``FederationError`` otherwise."""
    sent = take_record(ctx, None, SentLogoutRequest, params.get("RelayState") or "")
    if sent is None:
        raise FederationError("invalid_request", "Invalid relayState from identity provider.")
    try:
        provider = ctx.identity_providers(ctx.pool(sent.pool_id)).get(sent.provider)
    except CognitoError:  # the pool was deleted meanwhile
        provider = None
    if provider is None:
        raise FederationError("invalid_request", f"{sent.provider} is not available")
    try:
        certificates = provider_metadata(ctx, provider).certificates
        answered = verify_logout_response(params.get("SAMLResponse") or "", certificates, logout_url(ctx), ctx.now())
    except saml.SamlError as exc:
        raise FederationError("invalid_request", f"Invalid SAML logout response received: {exc}") from exc
    if answered != sent.request_id:
        raise FederationError("invalid_request", "Invalid SAML logout response received: InResponseTo does not "
                                                 "match the LogoutRequest the user pool sent.")
    return sent.return_to
