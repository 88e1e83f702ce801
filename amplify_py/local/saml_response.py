"""The SAML Response: made and signed by an identity provider (the engine's stand-in), checked by the service
provider (the engine's SAML bridge) the way Cognito checks one.

Signatures are XML-DSig (signxml: RSA-SHA256, exclusive canonicalization, enveloped) on the Assertion, the
Response, or both. ``verify`` trusts only what a signature covers ("see what is signed"): the values it
returns are read from signxml's ``signed_xml``, never from the document as posted, so an element wrapped
around or beside the signed one changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml import etree

from amplify_py.local.saml import ASSERTION, DSIG, MAX_MESSAGE, PROTOCOL, SamlError, instant, parse, parse_instant

__all__ = ["Identity", "Assertion", "Expected", "response_xml", "sign", "sign_element", "signed_part",
           "encode_response", "verify",
           "SUCCESS", "BEARER", "SIGNATURE_INVALID"]

SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SIGNATURE_INVALID = "SAML Assertion signature is invalid."  # Cognito's words (seen in its error_description)
_EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
_SAML = f"{{{ASSERTION}}}"
_SAMLP = f"{{{PROTOCOL}}}"


@dataclass(frozen=True)
class Identity:
    """Who the IdP says signed in: the NameID (the subject) and SAML attributes (name → values)."""

    name_id: str
    attributes: dict[str, list[str]] = field(default_factory=dict)
    name_id_format: str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"


@dataclass(frozen=True)
class Assertion:
    """A checked assertion: who, which attributes, and its ID (single use until ``not_on_or_after``)."""

    id: str
    identity: Identity
    not_on_or_after: float
    session_index: str | None
    in_response_to: str | None  # SubjectConfirmationData's (signed), for the caller to match with its request
    response_in_response_to: str | None  # the Response's own (signed only when the Response is)
    issued: float  # the Assertion's IssueInstant

    @property
    def unsolicited(self) -> bool:
        """No InResponseTo anywhere: an IdP-initiated sign-in."""
        return self.in_response_to is None and self.response_in_response_to is None

    def answers(self, request_id: str) -> bool:
        """True when this assertion answers the AuthnRequest ``request_id`` (not unsolicited, not another's)."""
        return self.in_response_to == request_id and self.response_in_response_to in (None, request_id)


@dataclass(frozen=True)
class Expected:
    """What the service provider requires of a response."""

    certificates: tuple[str, ...]  # PEM, from the IdP's metadata
    audience: str  # the SP entity id
    recipient: str  # the ACS URL (Destination, SubjectConfirmationData/@Recipient)
    now: float


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    child = etree.SubElement(parent, tag, **attrs)
    if text is not None:
        child.text = text
    return child


def response_xml(*, issuer: str, destination: str, audience: str, in_response_to: str | None, identity: Identity,
                 now: float, response_id: str, assertion_id: str, lifetime: float = 300) -> etree._Element:
    """An unsigned Response with one Assertion (bearer subject confirmation, audience, authn statement)."""
    ns = {"samlp": PROTOCOL, "saml": ASSERTION}
    response = etree.Element(f"{_SAMLP}Response", nsmap=ns, ID=response_id, Version="2.0",
                             IssueInstant=instant(now), Destination=destination)
    if in_response_to:
        response.set("InResponseTo", in_response_to)
    _el(response, f"{_SAML}Issuer", issuer)
    status = _el(response, f"{_SAMLP}Status")
    _el(status, f"{_SAMLP}StatusCode", Value=SUCCESS)
    assertion = _el(response, f"{_SAML}Assertion", ID=assertion_id, Version="2.0", IssueInstant=instant(now))
    _el(assertion, f"{_SAML}Issuer", issuer)
    subject = _el(assertion, f"{_SAML}Subject")
    _el(subject, f"{_SAML}NameID", identity.name_id, Format=identity.name_id_format)
    confirmation = _el(subject, f"{_SAML}SubjectConfirmation", Method=BEARER)
    data = _el(confirmation, f"{_SAML}SubjectConfirmationData", NotOnOrAfter=instant(now + lifetime),
               Recipient=destination)
    if in_response_to:
        data.set("InResponseTo", in_response_to)
    conditions = _el(assertion, f"{_SAML}Conditions", NotBefore=instant(now), NotOnOrAfter=instant(now + lifetime))
    _el(_el(conditions, f"{_SAML}AudienceRestriction"), f"{_SAML}Audience", audience)
    statement = _el(assertion, f"{_SAML}AuthnStatement", AuthnInstant=instant(now), SessionIndex=assertion_id)
    _el(_el(statement, f"{_SAML}AuthnContext"), f"{_SAML}AuthnContextClassRef",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
    if identity.attributes:
        attributes = _el(assertion, f"{_SAML}AttributeStatement")
        for name, values in identity.attributes.items():
            attribute = _el(attributes, f"{_SAML}Attribute", Name=name,
                            NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified")
            for value in values:
                _el(attribute, f"{_SAML}AttributeValue", value)
    return response


@lru_cache(maxsize=32)
def _private_key(key_pem: str) -> Any:
    """The loaded key: loading an RSA key checks it (about 50 ms), so each PEM is loaded once."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(key_pem.encode(), password=None)


def sign_element(element: etree._Element, key_pem: str, cert_pem: str) -> etree._Element:
    """``element`` with an enveloped signature right after its Issuer, where SAML's schema puts it."""
    placeholder = etree.Element(f"{{{DSIG}}}Signature", nsmap={"ds": DSIG}, Id="placeholder")
    element.find(f"{_SAML}Issuer").addnext(placeholder)
    from signxml import XMLSigner  # imported on first use: the engine starts without it

    signer = XMLSigner(c14n_algorithm=_EXC_C14N)
    return signer.sign(element, key=_private_key(key_pem), cert=cert_pem, reference_uri=element.get("ID"))


def sign(response: etree._Element, key_pem: str, cert_pem: str, *, what: str = "assertion") -> bytes:
    """The Response with its Assertion signed (``assertion``), itself signed (``response``), or ``both``."""
    if what in ("assertion", "both"):
        assertion = response.find(f"{_SAML}Assertion")
        index = list(response).index(assertion)
        response.remove(assertion)
        response.insert(index, sign_element(assertion, key_pem, cert_pem))
    if what in ("response", "both"):
        response = sign_element(response, key_pem, cert_pem)
    return etree.tostring(response, xml_declaration=True, encoding="UTF-8")


def encode_response(xml: bytes) -> str:
    """HTTP-POST binding: the Response, base64-encoded, is the form's SAMLResponse."""
    return base64.b64encode(xml).decode()


# --- the service provider's checks ---------------------------------------------------------
def _decode(saml_response: str) -> etree._Element:
    if len(saml_response) > MAX_MESSAGE:
        raise SamlError("SAMLResponse is longer than 100,000 characters")
    try:
        xml = base64.b64decode(saml_response, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise SamlError("Invalid base64 SAMLResponse") from exc
    root = parse(xml)
    if root.tag != f"{_SAMLP}Response":
        raise SamlError("SAMLResponse is not a Response")
    return root


def signed_part(node: etree._Element, location: str, certificates: tuple[str, ...], now: float) -> etree._Element:
    """The element the signature at ``location`` covers, if one of ``certificates`` made it (checked at ``now``)."""
    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.exceptions import SignXMLException

    when = dt.datetime.fromtimestamp(now, dt.timezone.utc)
    config = SignatureConfiguration(location=location, verification_time=when)
    for cert in certificates:
        try:
            return XMLVerifier().verify(node, x509_cert=cert, id_attribute="ID", expect_config=config).signed_xml
        except (SignXMLException, ValueError):
            continue
    raise SamlError(SIGNATURE_INVALID)


def _signed_assertion(root: etree._Element, expected: Expected) -> tuple[etree._Element | None, etree._Element]:
    """(the signed Response or None, the signed Assertion): the Response's signature, else the Assertion's."""
    assertions = root.findall(f"{_SAML}Assertion")
    if root.find(f"{_SAML}EncryptedAssertion") is not None:
        raise SamlError("Encrypted assertions are not supported by the local engine")
    if len(assertions) != 1:
        raise SamlError("SAML Response must contain exactly one Assertion")
    if root.find(f"{{{DSIG}}}Signature") is not None:
        response = signed_part(root, "./", expected.certificates, expected.now)
        inner = response.findall(f"{_SAML}Assertion")
        if len(inner) != 1:
            raise SamlError(SIGNATURE_INVALID)
        return response, inner[0]
    if assertions[0].find(f"{{{DSIG}}}Signature") is None:
        raise SamlError("SAML Response and Assertion are not signed.")
    return None, signed_part(root, f"./{_SAML}Assertion/", expected.certificates, expected.now)


def _check_time(assertion: etree._Element, expected: Expected) -> float:
    conditions = assertion.find(f"{_SAML}Conditions")
    if conditions is None:
        raise SamlError("Assertion has no Conditions")
    if conditions.get("NotBefore") and expected.now < parse_instant(conditions.get("NotBefore"), "NotBefore"):
        raise SamlError("Assertion is not yet valid (NotBefore is in the future)")
    not_after = parse_instant(conditions.get("NotOnOrAfter"), "Conditions NotOnOrAfter")
    if expected.now >= not_after:
        raise SamlError("Assertion has expired (NotOnOrAfter has passed)")
    audiences = [a.text.strip() for a in assertion.iterfind(f"{_SAML}Conditions/{_SAML}AudienceRestriction/"
                                                           f"{_SAML}Audience") if a.text]
    if expected.audience not in audiences:
        raise SamlError(f"Audience restriction does not contain {expected.audience}. Audiences: "
                        f"{', '.join(audiences) or 'none'}")
    return not_after


def _check_subject(assertion: etree._Element, expected: Expected) -> tuple[str, str | None]:
    name_id = assertion.find(f"{_SAML}Subject/{_SAML}NameID")
    if name_id is None or not (name_id.text or "").strip():
        raise SamlError("Assertion has no Subject NameID")
    bearer = [c.find(f"{_SAML}SubjectConfirmationData") for c in assertion.iterfind(
        f"{_SAML}Subject/{_SAML}SubjectConfirmation") if c.get("Method") == BEARER]
    data = next((d for d in bearer if d is not None), None)
    if data is None:
        raise SamlError("Assertion has no bearer SubjectConfirmationData")
    if data.get("Recipient") != expected.recipient:
        raise SamlError(f"Recipient {data.get('Recipient')} is not {expected.recipient}")
    if expected.now >= parse_instant(data.get("NotOnOrAfter"), "SubjectConfirmationData NotOnOrAfter"):
        raise SamlError("Assertion has expired (NotOnOrAfter has passed)")
    return name_id.text.strip(), data.get("InResponseTo")


def verify(saml_response: str, expected: Expected) -> Assertion:
    """The checked assertion of a posted SAMLResponse (signature, status, Destination, Conditions, Audience,
    Recipient, expiry); ``SamlError`` says what is wrong. Whether it answers the caller's AuthnRequest is
    ``Assertion.answers``: the caller first makes sure an assertion is used once."""
    root = _decode(saml_response)
    response, assertion = _signed_assertion(root, expected)
    envelope = response if response is not None else root
    status = envelope.find(f"{_SAMLP}Status/{_SAMLP}StatusCode")
    if status is None or status.get("Value") != SUCCESS:
        raise SamlError(f"SAML Response status is {status.get('Value') if status is not None else 'missing'}")
    if envelope.get("Destination") not in (None, expected.recipient):
        raise SamlError(f"Destination {envelope.get('Destination')} is not {expected.recipient}")
    not_after = _check_time(assertion, expected)
    name_id, in_response_to = _check_subject(assertion, expected)
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.iterfind(f"{_SAML}AttributeStatement/{_SAML}Attribute"):
        values = [(v.text or "") for v in attribute.iterfind(f"{_SAML}AttributeValue")]
        attributes.setdefault(attribute.get("Name", ""), []).extend(values)
    session = assertion.find(f"{_SAML}AuthnStatement")
    return Assertion(assertion.get("ID", ""), Identity(name_id, attributes), not_after,
                     session.get("SessionIndex") if session is not None else None, in_response_to,
                     envelope.get("InResponseTo"), parse_instant(assertion.get("IssueInstant"), "IssueInstant"))

