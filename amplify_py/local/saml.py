"""SAML 2.0 messages, as the engine (a service provider, like Cognito) and its stand-in identity provider
exchange them: the AuthnRequest (HTTP-Redirect binding: deflate, base64, query string), the IdP's metadata
(EntityDescriptor with an IDPSSODescriptor), and the time format both use.

Every document that comes from outside is parsed by ``parse``: no DTD, no entities, no network, bounded
size. A document with a DOCTYPE is refused outright (SAML never needs one; entity tricks all start there).
Knows nothing of pools or users; the rules above it decide what a message means.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import zlib
from dataclasses import dataclass
from urllib.parse import urlencode

from lxml import etree

__all__ = ["SamlError", "NS", "PROTOCOL", "ASSERTION", "METADATA", "DSIG", "REDIRECT_BINDING", "POST_BINDING",
           "MAX_MESSAGE", "parse", "instant", "parse_instant", "encode_redirect", "decode_redirect", "AuthnRequest",
           "authn_request_xml", "read_authn_request", "IdpMetadata", "idp_metadata_xml", "read_idp_metadata",
           "redirect_url"]

PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
METADATA = "urn:oasis:names:tc:SAML:2.0:metadata"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
NS = {"samlp": PROTOCOL, "saml": ASSERTION, "md": METADATA, "ds": DSIG}
REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
MAX_MESSAGE = 100_000  # "The saml2/idpresponse endpoint can accept SAML assertions of up to 100,000 characters"


class SamlError(Exception):
    """A SAML message that cannot be used; the message says why (what Cognito's error description carries)."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False, remove_pis=True)


def parse(data: bytes | str) -> etree._Element:
    """A document from outside, parsed safely (see the module docstring)."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_MESSAGE * 2:
        raise SamlError("SAML message is too large")
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise SamlError("SAML message must not contain a DOCTYPE")
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise SamlError(f"SAML message is not well-formed XML ({exc.msg})") from exc
    if root is None:
        raise SamlError("SAML message is empty")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # one the byte check missed (UTF-16, say)
        raise SamlError("SAML message must not contain a DOCTYPE")
    return root


def instant(seconds: float) -> str:
    """SAML's xs:dateTime in UTC, to the second, with a ``Z`` (what IdPs send)."""
    return dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(value: str | None, what: str) -> float:
    if not value:
        raise SamlError(f"{what} is missing")
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise SamlError(f"{what} is not a valid time: {value}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.timestamp()


def encode_redirect(xml: bytes) -> str:
    """HTTP-Redirect binding: raw DEFLATE, then base64 (the caller URL-encodes it into the query)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(compressor.compress(xml) + compressor.flush()).decode()


def decode_redirect(value: str) -> bytes:
    try:
        deflated = base64.b64decode(value, validate=False)
        inflater = zlib.decompressobj(-15)
        xml = inflater.decompress(deflated, MAX_MESSAGE * 2)
    except (binascii.Error, zlib.error, ValueError) as exc:
        raise SamlError("SAMLRequest is not deflated and base64-encoded") from exc
    if inflater.unconsumed_tail:
        raise SamlError("SAML message is too large")
    return xml


def redirect_url(location: str, saml_request: bytes, relay_state: str) -> str:
    joiner = "&" if "?" in location else "?"
    return location + joiner + urlencode({"SAMLRequest": encode_redirect(saml_request), "RelayState": relay_state})


# --- AuthnRequest ---------------------------------------------------------------------
@dataclass(frozen=True)
class AuthnRequest:
    id: str
    issuer: str  # the SP's entity id (Cognito: urn:amazon:cognito:sp:<pool id>)
    acs_url: str  # AssertionConsumerServiceURL
    destination: str


def authn_request_xml(request: AuthnRequest, issue_instant: float) -> bytes:
    """The AuthnRequest Cognito sends: POST binding asked for the response, the pool as Issuer."""
    root = etree.Element(f"{{{PROTOCOL}}}AuthnRequest", nsmap={"samlp": PROTOCOL, "saml": ASSERTION})
    root.set("ID", request.id)
    root.set("Version", "2.0")
    root.set("IssueInstant", instant(issue_instant))
    root.set("Destination", request.destination)
    root.set("ProtocolBinding", POST_BINDING)
    root.set("AssertionConsumerServiceURL", request.acs_url)
    etree.SubElement(root, f"{{{ASSERTION}}}Issuer").text = request.issuer
    policy = etree.SubElement(root, f"{{{PROTOCOL}}}NameIDPolicy")
    policy.set("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
    policy.set("AllowCreate", "true")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def read_authn_request(xml: bytes) -> AuthnRequest:
    root = parse(xml)
    if root.tag != f"{{{PROTOCOL}}}AuthnRequest":
        raise SamlError("SAMLRequest is not an AuthnRequest")
    issuer = root.findtext("saml:Issuer", namespaces=NS)
    if not root.get("ID") or not issuer:
        raise SamlError("AuthnRequest has no ID or no Issuer")
    return AuthnRequest(root.get("ID", ""), issuer.strip(), root.get("AssertionConsumerServiceURL", ""),
                        root.get("Destination", ""))


# --- IdP metadata ---------------------------------------------------------------------
@dataclass(frozen=True)
class IdpMetadata:
    entity_id: str
    certificates: tuple[str, ...]  # PEM, every signing certificate (a response signed by any of them is valid)
    sso: dict[str, str]  # binding → SingleSignOnService Location
    slo: dict[str, str]  # binding → SingleLogoutService Location


def _pem(der_b64: str) -> str:
    body = "".join(der_b64.split())
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def _der_b64(pem: str) -> str:
    return "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))


def idp_metadata_xml(metadata: IdpMetadata) -> bytes:
    root = etree.Element(f"{{{METADATA}}}EntityDescriptor", nsmap={"md": METADATA, "ds": DSIG})
    root.set("entityID", metadata.entity_id)
    idp = etree.SubElement(root, f"{{{METADATA}}}IDPSSODescriptor")
    idp.set("WantAuthnRequestsSigned", "false")
    idp.set("protocolSupportEnumeration", PROTOCOL)
    for pem in metadata.certificates:
        key = etree.SubElement(idp, f"{{{METADATA}}}KeyDescriptor", use="signing")
        data = etree.SubElement(etree.SubElement(key, f"{{{DSIG}}}KeyInfo"), f"{{{DSIG}}}X509Data")
        etree.SubElement(data, f"{{{DSIG}}}X509Certificate").text = _der_b64(pem)
    for binding, location in metadata.slo.items():
        etree.SubElement(idp, f"{{{METADATA}}}SingleLogoutService", Binding=binding, Location=location)
    etree.SubElement(idp, f"{{{METADATA}}}NameIDFormat").text = \
        "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
    for binding, location in metadata.sso.items():
        etree.SubElement(idp, f"{{{METADATA}}}SingleSignOnService", Binding=binding, Location=location)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def read_idp_metadata(xml: bytes | str) -> IdpMetadata:
    """An IdP's metadata document: its entity id, signing certificates and endpoints."""
    root = parse(xml)
    if root.tag != f"{{{METADATA}}}EntityDescriptor":
        raise SamlError("metadata is not an EntityDescriptor")
    idp = root.find("md:IDPSSODescriptor", NS)
    if idp is None:
        raise SamlError("metadata has no IDPSSODescriptor")
    certificates = tuple(_pem(cert.text or "") for key in idp.findall("md:KeyDescriptor", NS)
                         if key.get("use") in (None, "signing")
                         for cert in key.iterfind(".//ds:X509Certificate", NS) if (cert.text or "").strip())
    sso = {s.get("Binding", ""): s.get("Location", "") for s in idp.findall("md:SingleSignOnService", NS)}
    slo = {s.get("Binding", ""): s.get("Location", "") for s in idp.findall("md:SingleLogoutService", NS)}
    return IdpMetadata(root.get("entityID", ""), certificates, sso, slo)
