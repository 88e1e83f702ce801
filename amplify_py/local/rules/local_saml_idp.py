"""The stand-in SAML identity provider: what the local engine federates with in place of the real IdP a
template names (its MetadataFile or MetadataURL points at the user's Okta, Entra ID, ADFS, ... which a machine
without the network, and without the user's account there, cannot use).

One stand-in per provider name, served on managed login's HTTPS port under ``/_local_idp/<name>/saml/``:
its metadata (an EntityDescriptor with its signing certificate, SingleSignOnService for HTTP-Redirect and
HTTP-POST, SingleLogoutService), a single sign-on page where the developer types the identity to sign in
as, and a signed Response posted back to the pool's ``/saml2/idpresponse``. Its RSA key and self-signed
certificate (made with ``cryptography``) are kept in the store, so every engine process and every restart
signs with the same key.

It is an IdP, not Cognito: it knows the pool only from the AuthnRequest's Issuer, and answers only the
engine's own assertion consumer service.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from amplify_py.local import saml
from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.model.oauth import IdentityProvider
from amplify_py.local.model.pool import IDP, Pool
from amplify_py.local.saml_logout import logout_response, read_logout_request
from amplify_py.local.saml_response import Identity, encode_response, response_xml, sign

__all__ = ["PREFIX", "SP_PREFIX", "ACS_PATH", "LOGOUT_PATH", "base_url", "entity_id", "metadata", "metadata_xml",
           "signing_key", "StandInRequest", "read_request", "unsolicited", "attribute_fields", "answer", "sign_out",
           "EMAIL_CLAIM"]

PREFIX = "/_local_idp/"  # shared with the other stand-ins (OIDC); SAML's routes are /_local_idp/<name>/saml/...
SP_PREFIX = "urn:amazon:cognito:sp:"  # Cognito's SP entity id: urn:amazon:cognito:sp:<user pool id>
ACS_PATH = "/saml2/idpresponse"
LOGOUT_PATH = "/saml2/logout"
EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
_KEY_META = "local-saml-idp:"
_LIFETIME = 300.0  # how long an assertion it issues is valid (NotOnOrAfter), as IdPs commonly do: 5 minutes


def base_url(ctx: EngineContext, name: str) -> str:
    return f"https://{ctx.managed_login_domain}{PREFIX}{quote(name, safe='')}/saml"


def entity_id(ctx: EngineContext, name: str) -> str:
    """The stand-in's entity id: the address of its metadata, as many IdPs name themselves."""
    return f"{base_url(ctx, name)}/metadata"


def _new_key(name: str, now: float) -> dict[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} (amplify-py local SAML IdP)"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "amplify-py")])
    start = dt.datetime.fromtimestamp(now, dt.timezone.utc) - dt.timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=3650)).sign(key, hashes.SHA256()))
    return {"key": key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode(),
            "cert": cert.public_bytes(serialization.Encoding.PEM).decode()}


def signing_key(ctx: EngineContext, name: str) -> tuple[str, str]:
    """(private key PEM, certificate PEM) of the stand-in for ``name``; made and stored on first use."""
    stored = ctx.store.get_meta(_KEY_META + name)
    if stored is None:
        if not any(p.type == "SAML" and p.name == name for p in (IdentityProvider.from_props(r.config["props"])
                                                                  for r in ctx.store.resources_of_type(IDP))):
            # only a deployed SAML provider's stand-in has a key: a page cannot make the engine mint one per name
            raise saml.SamlError(f"No user pool on this engine has a SAML provider named {name!r}.")
        # Another engine process may make one at the same moment: the first written is everyone's.
        ctx.store.add_meta(_KEY_META + name, json.dumps(_new_key(name, ctx.now())))
        stored = ctx.store.get_meta(_KEY_META + name)
        assert stored is not None
    pair = json.loads(stored)
    return pair["key"], pair["cert"]


def metadata(ctx: EngineContext, name: str) -> saml.IdpMetadata:
    base = base_url(ctx, name)
    return saml.IdpMetadata(entity_id(ctx, name), (signing_key(ctx, name)[1],),
                            {saml.REDIRECT_BINDING: f"{base}/sso", saml.POST_BINDING: f"{base}/sso"},
                            {saml.REDIRECT_BINDING: f"{base}/slo"})


def metadata_xml(ctx: EngineContext, name: str) -> bytes:
    return saml.idp_metadata_xml(metadata(ctx, name))


# --- single sign-on ---------------------------------------------------------------------
@dataclass(frozen=True)
class StandInRequest:
    """An AuthnRequest the stand-in accepted: from which pool, for which of its providers."""

    pool: Pool
    provider: IdentityProvider
    request: saml.AuthnRequest
    relay_state: str


def read_request(ctx: EngineContext, name: str, saml_request: str, relay_state: str, *,
                 deflated: bool = True) -> StandInRequest:
    """The AuthnRequest of an SSO request (HTTP-Redirect: deflated; HTTP-POST: base64 only), or ``SamlError``."""
    if not saml_request:
        raise saml.SamlError("The request has no SAMLRequest: open this page through the app's sign-in")
    if deflated:
        xml = saml.decode_redirect(saml_request)
    else:
        try:
            xml = base64.b64decode(saml_request)
        except (binascii.Error, ValueError) as exc:
            raise saml.SamlError("SAMLRequest is not base64-encoded") from exc
    request = saml.read_authn_request(xml)
    pool, provider = _requester(ctx, name, request.issuer)
    acs = f"https://{ctx.managed_login_domain}{ACS_PATH}"
    if request.acs_url and request.acs_url != acs:
        raise saml.SamlError(f"AssertionConsumerServiceURL {request.acs_url} is not the engine's {acs}")
    return StandInRequest(pool, provider, request, relay_state)


def unsolicited(ctx: EngineContext, name: str, pool_id: str, relay_state: str) -> StandInRequest:
    """IdP-initiated sign-in: no AuthnRequest; the stand-in answers ``pool_id``'s pool with an unsolicited
    Response (no InResponseTo), ``relay_state`` carrying the authorize parameters Cognito reads from it."""
    if not pool_id:
        raise saml.SamlError("IdP-initiated sign-in needs the user pool id (pool_id=)")
    pool, provider = _requester(ctx, name, SP_PREFIX + pool_id)
    acs = f"https://{ctx.managed_login_domain}{ACS_PATH}"
    return StandInRequest(pool, provider, saml.AuthnRequest("", SP_PREFIX + pool.id, acs, ""), relay_state)


def _requester(ctx: EngineContext, name: str, issuer: str) -> tuple[Pool, IdentityProvider]:
    """The local pool that sent a request (its Issuer) and its SAML provider of this name, or ``SamlError``."""
    if not issuer.startswith(SP_PREFIX):
        raise saml.SamlError(f"The stand-in answers the local user pools only; Issuer {issuer} is not "
                             f"{SP_PREFIX}<user pool id>")
    try:
        pool = ctx.pool(issuer[len(SP_PREFIX):])
    except CognitoError as exc:
        raise saml.SamlError(f"No user pool {issuer[len(SP_PREFIX):]} on this engine") from exc
    provider = ctx.identity_providers(pool).get(name)
    if provider is None or provider.type != "SAML":
        raise saml.SamlError(f"User pool {pool.id} has no SAML identity provider named {name}")
    return pool, provider


def attribute_fields(provider: IdentityProvider) -> list[tuple[str, str]]:
    """(SAML attribute name, pool attribute it maps to) for the sign-in page: each one the provider's
    AttributeMapping names, and an email claim when none is mapped to ``email``."""
    mapped = [(claim, attribute) for attribute, claim in provider.attribute_mapping.items()]
    if "email" not in provider.attribute_mapping:
        mapped.append((EMAIL_CLAIM, ""))
    return list(dict.fromkeys(mapped))


def answer(ctx: EngineContext, accepted: StandInRequest, name_id: str, attributes: dict[str, str]) -> str:
    """The signed Response (base64, the HTTP-POST binding's SAMLResponse) for the identity the developer typed."""
    values = {claim: [value.strip()] for claim, value in attributes.items() if value.strip()}
    identity = Identity(name_id.strip(), values)
    key, cert = signing_key(ctx, accepted.provider.name)
    acs = f"https://{ctx.managed_login_domain}{ACS_PATH}"
    response = response_xml(issuer=entity_id(ctx, accepted.provider.name), destination=acs,
                            audience=accepted.request.issuer, in_response_to=accepted.request.id or None,
                            identity=identity,
                            now=ctx.now(), response_id="_" + uuid.uuid4().hex, assertion_id="_" + uuid.uuid4().hex,
                            lifetime=_LIFETIME)
    return encode_response(sign(response, key, cert, what="assertion"))


def sign_out(ctx: EngineContext, name: str, saml_request: str) -> tuple[str, str]:
    """A pool's LogoutRequest (HTTP-Redirect binding) answered: (NameID signed out, signed LogoutResponse in
    base64, for the HTTP-POST binding to the pool's ``/saml2/logout``). The stand-in keeps no session."""
    request = read_logout_request(saml.decode_redirect(saml_request))
    _requester(ctx, name, request.issuer)
    key, cert = signing_key(ctx, name)
    response = logout_response(issuer=entity_id(ctx, name),
                               destination=f"https://{ctx.managed_login_domain}{LOGOUT_PATH}",
                               in_response_to=request.id, now=ctx.now(), response_id="_" + uuid.uuid4().hex,
                               key_pem=key, cert_pem=cert)
    return request.name_id, response
