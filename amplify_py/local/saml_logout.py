"""SAML single logout: the LogoutRequest a user pool sends its IdP (HTTP-Redirect binding) when a user with a
SAML session signs out and the provider has IDPSignout, and the IdP's LogoutResponse (HTTP-POST binding, to
the pool's ``/saml2/logout``), signed by the IdP and checked against its metadata's certificates.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from lxml import etree

from amplify_py.local.saml import ASSERTION, DSIG, PROTOCOL, SamlError, instant, parse
from amplify_py.local.saml_response import SUCCESS, sign_element, signed_part

__all__ = ["LogoutRequest", "logout_request_xml", "read_logout_request", "logout_response", "verify_logout_response"]

_SAML = f"{{{ASSERTION}}}"
_SAMLP = f"{{{PROTOCOL}}}"


@dataclass(frozen=True)
class LogoutRequest:
    id: str
    issuer: str  # the SP entity id
    destination: str  # the IdP's SingleLogoutService
    name_id: str
    session_index: str | None


def logout_request_xml(request: LogoutRequest, now: float) -> bytes:
    root = etree.Element(f"{_SAMLP}LogoutRequest", nsmap={"samlp": PROTOCOL, "saml": ASSERTION}, ID=request.id,
                         Version="2.0", IssueInstant=instant(now), Destination=request.destination)
    etree.SubElement(root, f"{_SAML}Issuer").text = request.issuer
    etree.SubElement(root, f"{_SAML}NameID").text = request.name_id
    if request.session_index:
        etree.SubElement(root, f"{_SAMLP}SessionIndex").text = request.session_index
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def read_logout_request(xml: bytes) -> LogoutRequest:
    root = parse(xml)
    if root.tag != f"{_SAMLP}LogoutRequest" or not root.get("ID"):
        raise SamlError("SAMLRequest is not a LogoutRequest")
    return LogoutRequest(root.get("ID", ""), (root.findtext(f"{_SAML}Issuer") or "").strip(),
                         root.get("Destination", ""), (root.findtext(f"{_SAML}NameID") or "").strip(),
                         root.findtext(f"{_SAMLP}SessionIndex"))


def logout_response(*, issuer: str, destination: str, in_response_to: str, now: float, response_id: str,
                    key_pem: str, cert_pem: str) -> str:
    """The IdP's signed LogoutResponse, base64 (the HTTP-POST binding's SAMLResponse)."""
    root = etree.Element(f"{_SAMLP}LogoutResponse", nsmap={"samlp": PROTOCOL, "saml": ASSERTION}, ID=response_id,
                         Version="2.0", IssueInstant=instant(now), Destination=destination,
                         InResponseTo=in_response_to)
    etree.SubElement(root, f"{_SAML}Issuer").text = issuer
    etree.SubElement(etree.SubElement(root, f"{_SAMLP}Status"), f"{_SAMLP}StatusCode", Value=SUCCESS)
    return base64.b64encode(etree.tostring(sign_element(root, key_pem, cert_pem))).decode()


def verify_logout_response(saml_response: str, certificates: tuple[str, ...], destination: str, now: float) -> str:
    """The InResponseTo of a signed, successful LogoutResponse addressed to ``destination``; ``SamlError``."""
    try:
        root = parse(base64.b64decode(saml_response))
    except (binascii.Error, ValueError) as exc:
        raise SamlError("Invalid base64 SAMLResponse") from exc
    if root.tag != f"{_SAMLP}LogoutResponse":
        raise SamlError("SAMLResponse is not a LogoutResponse")
    if root.find(f"{{{DSIG}}}Signature") is None:
        raise SamlError("LogoutResponse is not signed.")
    signed = signed_part(root, "./", certificates, now)
    status = signed.find(f"{_SAMLP}Status/{_SAMLP}StatusCode")
    if status is None or status.get("Value") != SUCCESS:
        raise SamlError(f"LogoutResponse status is {status.get('Value') if status is not None else 'missing'}")
    if signed.get("Destination") not in (None, destination):
        raise SamlError(f"Destination {signed.get('Destination')} is not {destination}")
    return signed.get("InResponseTo") or ""
