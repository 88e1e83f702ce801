"""SAML federation through the engine's stand-in SAML IdP, over the real HTTPS endpoints: SP-initiated
sign-in (/oauth2/authorize → the stand-in's SSO page → a signed Response posted to /saml2/idpresponse → a
code → tokens with the mapped email and ``identities``), and every response Cognito refuses (tampered,
wrong audience, expired, replayed, unsigned), refused the way Cognito refuses it."""

from __future__ import annotations

import base64
import copy
import json
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
import jwt
import pytest
from lxml import etree

from amplify_py.local import LocalEngine
from amplify_py.local.rules import local_saml_idp
from amplify_py.local.saml_response import Identity, encode_response, response_xml, sign
from tests._managed_login import CALLBACK, CASES, Browser, forms, query, trusting
from tests.engine.conftest import ManualClock

POOL, CLIENT = "amplifyAuthUserPool4BA7F805", "amplifyAuthUserPoolAppClient2626C6F8"
SAML_IDP = "amplifyAuthSamlIDP38FBBFF9"
EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
GIVEN_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
SSO = "/_local_idp/MySamlIdP/saml/sso"


class Federated:
    """One engine serving managed login for the reference's OIDC + SAML case, its SAML provider mapping email
    and given_name from the claims Entra ID and ADFS send."""

    def __init__(self, tmp: Path) -> None:
        self.clock = ManualClock()
        self.ca_file = tmp / "ca" / "amplify-py-local-ca.pem"
        self.engine = LocalEngine(tmp / "state", clock=self.clock, managed_login_port=0, ca_dir=tmp / "ca").start()
        template = copy.deepcopy(json.loads((CASES / "oidc_saml.template.json").read_text()))
        saml = template["Resources"][SAML_IDP]["Properties"]
        saml["AttributeMapping"] = {"email": EMAIL_CLAIM, "given_name": GIVEN_CLAIM}
        saml["ProviderDetails"].update(IDPSignout="true", IDPInit="true")
        ids = self.engine.deploy("saml", template).physical_ids
        self.pool_id, self.client_id = ids[POOL], ids[CLIENT]
        self.domain = self.engine.managed_login_domain or ""
        self.tls = trusting(self.ca_file)

    def authorize_url(self, state: str = "app-state") -> str:
        return (f"/oauth2/authorize?response_type=code&client_id={self.client_id}&redirect_uri={CALLBACK}"
                f"&state={state}&scope=openid+email+profile&identity_provider=MySamlIdP")

    def at_stand_in(self, state: str = "app-state") -> Browser:
        browser = Browser(self.domain, self.ca_file)
        assert browser.go(self.authorize_url(state)) is None
        return browser

    def signed_response(self, browser: Browser, name_id: str = "alice", email: str = "alice@example.com") -> dict:
        """Fill the stand-in's page; the fields of the form that posts the signed Response (not posted yet)."""
        typed = {f"attr:{EMAIL_CLAIM}": email, f"attr:{GIVEN_CLAIM}": "Alice"}
        assert browser.submit(SSO, name_id=name_id, **typed) is None
        found = [f for f in forms(browser.text) if urlsplit(f["action"]).path == "/saml2/idpresponse"]
        assert found and found[0]["action"] == f"https://{self.domain}/saml2/idpresponse", browser.text[:2000]
        return found[0]["fields"]

    def tokens(self, landed: str) -> dict:
        response = httpx.post(f"https://{self.domain}/oauth2/token", verify=self.tls, data={
            "grant_type": "authorization_code", "client_id": self.client_id, "code": query(landed)["code"],
            "redirect_uri": CALLBACK})
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def fed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federated]:
    env = Federated(tmp_path_factory.mktemp("saml"))
    yield env
    env.engine.stop()


def _xml(fields: dict) -> bytes:
    return base64.b64decode(fields["SAMLResponse"])


def _refused(landed: str | None) -> str:
    """The error_description Cognito sends to the app's redirect URI, after checking the rest of the redirect."""
    assert landed is not None and landed.startswith(CALLBACK), landed
    params = query(landed)
    assert params["error"] == "server_error" and params["state"] == "app-state" and "code" not in params
    return params["error_description"]


def test_sp_initiated_sign_in_ends_in_tokens_with_the_mapped_email_and_identities(fed: Federated) -> None:
    browser = fed.at_stand_in()
    assert browser.page is not None and urlsplit(str(browser.page.url)).path == SSO
    request = parse_qs(urlsplit(str(browser.page.url)).query)
    authn = etree.fromstring(zlib.decompress(base64.b64decode(request["SAMLRequest"][0]), -15))
    assert authn.findtext("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer") == f"urn:amazon:cognito:sp:{fed.pool_id}"
    assert authn.get("AssertionConsumerServiceURL") == f"https://{fed.domain}/saml2/idpresponse"
    assert "Local stand-in SAML identity provider" in browser.text and EMAIL_CLAIM in browser.text

    fields = fed.signed_response(browser)
    assert "document.getElementById(\"saml-post\").submit()" in browser.text and "Continue to the app" in browser.text
    landed = browser.submit("/saml2/idpresponse")
    assert landed is not None and query(landed)["state"] == "app-state", landed
    claims = jwt.decode(fed.tokens(landed)["id_token"], options={"verify_signature": False})
    assert claims["cognito:username"] == "mysamlidp_alice"  # lower-cased: the pool is case-insensitive
    assert claims["email"] == "alice@example.com" and claims["given_name"] == "Alice"
    [identity] = claims["identities"]
    assert identity["userId"] == "alice" and identity["providerName"] == "MySamlIdP"
    assert identity["providerType"] == "SAML"
    assert identity["issuer"] == f"https://{fed.domain}/_local_idp/MySamlIdP/saml/metadata"
    assert etree.fromstring(_xml(fields)).get("InResponseTo") == authn.get("ID")
    browser.close()


def test_the_stand_in_publishes_its_metadata_with_its_signing_certificate(fed: Federated) -> None:
    response = httpx.get(f"https://{fed.domain}/_local_idp/MySamlIdP/saml/metadata", verify=fed.tls)
    assert response.headers["content-type"].startswith("application/samlmetadata+xml")
    root = etree.fromstring(response.content)
    md = "{urn:oasis:names:tc:SAML:2.0:metadata}"
    assert root.get("entityID") == f"https://{fed.domain}/_local_idp/MySamlIdP/saml/metadata"
    bindings = {s.get("Binding").rsplit(":", 1)[-1] for s in root.iter(f"{md}SingleSignOnService")}
    assert bindings == {"HTTP-Redirect", "HTTP-POST"}
    assert [s.get("Location") for s in root.iter(f"{md}SingleLogoutService")] == [
        f"https://{fed.domain}/_local_idp/MySamlIdP/saml/slo"]
    cert = root.findtext(f".//{{http://www.w3.org/2000/09/xmldsig#}}X509Certificate")
    with fed.engine.context.store.lock:
        _key, pem = local_saml_idp.signing_key(fed.engine.context, "MySamlIdP")
    assert cert and "".join(cert.split()) in pem.replace("\n", "")


def test_an_attribute_changed_after_signing_is_refused(fed: Federated) -> None:
    browser = fed.at_stand_in()
    fields = fed.signed_response(browser)
    tampered = _xml(fields).replace(b"alice@example.com", b"admin@example.com")
    landed = browser.submit("/saml2/idpresponse", SAMLResponse=base64.b64encode(tampered).decode())
    assert _refused(landed) == "Invalid SAML response received: SAML Assertion signature is invalid."
    browser.close()


def test_an_unsigned_response_is_refused(fed: Federated) -> None:
    browser = fed.at_stand_in()
    root = etree.fromstring(_xml(fed.signed_response(browser)))
    for signature in root.iter("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        signature.getparent().remove(signature)
    landed = browser.submit("/saml2/idpresponse", SAMLResponse=base64.b64encode(etree.tostring(root)).decode())
    assert _refused(landed) == "Invalid SAML response received: SAML Response and Assertion are not signed."
    browser.close()


def _signed_by_the_stand_in(fed: Federated, browser: Browser, *, audience: str, what: str = "assertion",
                            identity: Identity | None = None) -> str:
    """A Response the stand-in's key signs, answering the AuthnRequest the browser carries (what a
    misconfigured IdP would send)."""
    request = parse_qs(urlsplit(str(browser.page.url)).query) if browser.page is not None else {}
    authn = etree.fromstring(zlib.decompress(base64.b64decode(request["SAMLRequest"][0]), -15))
    ctx = fed.engine.context
    with ctx.store.lock:
        key, cert = local_saml_idp.signing_key(ctx, "MySamlIdP")
    response = response_xml(issuer=local_saml_idp.entity_id(ctx, "MySamlIdP"),
                            destination=f"https://{fed.domain}/saml2/idpresponse", audience=audience,
                            in_response_to=authn.get("ID"),
                            identity=identity or Identity("bob", {EMAIL_CLAIM: ["bob@example.com"]}),
                            now=fed.clock(), response_id="_" + uuid.uuid4().hex, assertion_id="_" + uuid.uuid4().hex)
    return encode_response(sign(response, key, cert, what=what))


def test_a_wrong_audience_is_refused_and_a_signed_response_envelope_is_accepted(fed: Federated) -> None:
    browser = fed.at_stand_in()
    relay = parse_qs(urlsplit(str(browser.page.url)).query)["RelayState"][0] if browser.page else ""
    wrong = _signed_by_the_stand_in(fed, browser, audience="urn:amazon:cognito:sp:us-east-1_Other")
    post = browser.http.post(f"https://{fed.domain}/saml2/idpresponse",
                             data={"SAMLResponse": wrong, "RelayState": relay}, follow_redirects=False)
    assert post.status_code == 302
    assert _refused(post.headers["location"]) == (
        f"Invalid SAML response received: Audience restriction does not contain urn:amazon:cognito:sp:"
        f"{fed.pool_id}. Audiences: urn:amazon:cognito:sp:us-east-1_Other")

    browser = fed.at_stand_in()
    relay = parse_qs(urlsplit(str(browser.page.url)).query)["RelayState"][0] if browser.page else ""
    right = _signed_by_the_stand_in(fed, browser, audience=f"urn:amazon:cognito:sp:{fed.pool_id}", what="response")
    post = browser.http.post(f"https://{fed.domain}/saml2/idpresponse",
                             data={"SAMLResponse": right, "RelayState": relay}, follow_redirects=False)
    claims = jwt.decode(fed.tokens(post.headers["location"])["id_token"], options={"verify_signature": False})
    assert claims["cognito:username"] == "mysamlidp_bob" and claims["email"] == "bob@example.com"
    browser.close()


def test_an_expired_assertion_is_refused_by_the_engines_clock(fed: Federated) -> None:
    browser = fed.at_stand_in()
    fed.signed_response(browser)
    fed.clock.advance(301)  # the stand-in's assertions are valid five minutes
    landed = browser.submit("/saml2/idpresponse")
    assert _refused(landed) == "Invalid SAML response received: Assertion has expired (NotOnOrAfter has passed)"
    browser.close()


def test_a_replayed_response_is_refused(fed: Federated) -> None:
    browser = fed.at_stand_in()
    fields = fed.signed_response(browser)
    landed = browser.submit("/saml2/idpresponse")
    assert landed is not None and "code" in query(landed)

    again = browser.http.post(f"https://{fed.domain}/saml2/idpresponse", data=fields, follow_redirects=False)
    assert again.status_code == 400 and "Invalid state" in again.text  # its RelayState was used up

    fresh = fed.at_stand_in()  # a new sign-in, the old response with its RelayState
    relay = parse_qs(urlsplit(str(fresh.page.url)).query)["RelayState"][0] if fresh.page else ""
    replay = fresh.http.post(f"https://{fed.domain}/saml2/idpresponse",
                             data={"SAMLResponse": fields["SAMLResponse"], "RelayState": relay}, follow_redirects=False)
    assert _refused(replay.headers["location"]) == \
        "Invalid SAML response received: The SAML assertion has already been used."
    browser.close()
    fresh.close()


def test_hostile_xml_is_refused_without_an_internal_error(fed: Federated) -> None:
    browser = fed.at_stand_in()
    fed.signed_response(browser)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&b;</samlp:Response>')
    landed = browser.submit("/saml2/idpresponse", SAMLResponse=base64.b64encode(bomb).decode())
    assert _refused(landed) == "Invalid SAML response received: SAML message must not contain a DOCTYPE"
    browser.close()


def test_the_stand_in_refuses_a_request_that_is_not_from_a_local_pool(fed: Federated) -> None:
    browser = Browser(fed.domain, fed.ca_file)
    assert browser.go(SSO) is None and browser.page is not None and browser.page.status_code == 400
    assert "open this page through the app&#39;s sign-in" in browser.text
    browser.close()


def test_sign_out_with_idp_signout_goes_through_the_stand_ins_single_logout(fed: Federated) -> None:
    browser = fed.at_stand_in()
    fed.signed_response(browser, name_id="carol", email="carol@example.com")
    assert "code" in query(browser.submit("/saml2/idpresponse") or "")

    assert browser.go(f"/logout?client_id={fed.client_id}&logout_uri={CALLBACK}") is None
    assert browser.page is not None and urlsplit(str(browser.page.url)).path == "/_local_idp/MySamlIdP/saml/slo"
    request = parse_qs(urlsplit(str(browser.page.url)).query)
    logout = etree.fromstring(zlib.decompress(base64.b64decode(request["SAMLRequest"][0]), -15))
    saml_ns = "{urn:oasis:names:tc:SAML:2.0:assertion}"
    assert logout.findtext(f"{saml_ns}NameID") == "carol"
    assert logout.findtext(f"{saml_ns}Issuer") == f"urn:amazon:cognito:sp:{fed.pool_id}"
    assert logout.findtext("{urn:oasis:names:tc:SAML:2.0:protocol}SessionIndex")
    assert "Signed out of MySamlIdP" in browser.text
    assert browser.submit("/saml2/logout") == CALLBACK  # the logout_uri of the sign-out request

    # The managed-login session is gone: the pool's sign-in page, not straight back to the app.
    assert browser.go(f"/oauth2/authorize?response_type=code&client_id={fed.client_id}&redirect_uri={CALLBACK}") is None
    assert browser.page is not None and urlsplit(str(browser.page.url)).path == "/login"
    browser.close()


def test_a_logout_response_not_signed_by_the_idp_is_refused(fed: Federated) -> None:
    browser = fed.at_stand_in()
    fed.signed_response(browser, name_id="dave", email="dave@example.com")
    assert "code" in query(browser.submit("/saml2/idpresponse") or "")
    assert browser.go(f"/logout?client_id={fed.client_id}&logout_uri={CALLBACK}") is None
    [form] = [f for f in forms(browser.text) if urlsplit(f["action"]).path == "/saml2/logout"]
    root = etree.fromstring(base64.b64decode(form["fields"]["SAMLResponse"]))
    root.find("{http://www.w3.org/2000/09/xmldsig#}Signature").getparent().remove(
        root.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    assert browser.submit("/saml2/logout", SAMLResponse=base64.b64encode(etree.tostring(root)).decode()) is None
    assert browser.page is not None and browser.page.status_code == 400
    assert "Invalid SAML logout response received: LogoutResponse is not signed." in browser.text
    browser.close()


def test_the_stand_in_also_takes_the_authn_request_with_the_http_post_binding(fed: Federated) -> None:
    browser = fed.at_stand_in()
    assert browser.page is not None
    redirect = parse_qs(urlsplit(str(browser.page.url)).query)
    xml = zlib.decompress(base64.b64decode(redirect["SAMLRequest"][0]), -15)
    page = browser.http.post(f"https://{fed.domain}{SSO}", data={
        "SAMLRequest": base64.b64encode(xml).decode(), "RelayState": redirect["RelayState"][0]})
    assert page.status_code == 200 and 'name="binding" value="post"' in page.text
    browser.page = page
    fields = fed.signed_response(browser, name_id="erin", email="erin@example.com")
    assert fields["RelayState"] == redirect["RelayState"][0]
    landed = browser.submit("/saml2/idpresponse")
    claims = jwt.decode(fed.tokens(landed or "")["id_token"], options={"verify_signature": False})
    assert claims["cognito:username"] == "mysamlidp_erin"
    browser.close()


def test_a_second_assertion_beside_the_signed_one_is_refused(fed: Federated) -> None:
    """Signature wrapping: the signed assertion stays intact, a forged one is added next to it."""
    browser = fed.at_stand_in()
    root = etree.fromstring(_xml(fed.signed_response(browser)))
    forged = copy.deepcopy(root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion"))
    forged.set("ID", "_forged")
    for signature in forged.iter("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        signature.getparent().remove(signature)
    forged.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}NameID").text = "root"
    root.insert(2, forged)
    landed = browser.submit("/saml2/idpresponse", SAMLResponse=base64.b64encode(etree.tostring(root)).decode())
    assert _refused(landed) == "Invalid SAML response received: SAML Response must contain exactly one Assertion"
    browser.close()


def test_a_response_that_is_not_xml_is_refused(fed: Federated) -> None:
    browser = fed.at_stand_in()
    fed.signed_response(browser)
    landed = browser.submit("/saml2/idpresponse", SAMLResponse=base64.b64encode(b"not xml at all").decode())
    assert _refused(landed).startswith("Invalid SAML response received: SAML message is not well-formed XML")
    browser.close()


def test_the_stand_ins_page_wants_a_name_id_and_its_own_csrf_token(fed: Federated) -> None:
    browser = fed.at_stand_in()
    assert browser.submit(SSO, name_id="  ") is None
    assert browser.page is not None and browser.page.status_code == 400
    assert "Type the NameID to sign in as." in browser.text and 'aria-describedby="form-error"' in browser.text
    assert browser.submit(SSO, name_id="frank", _csrf="forged") is None
    assert browser.page is not None and browser.page.status_code == 403
    assert "This page has expired" in browser.text
    browser.close()


def test_idp_initiated_sign_in_with_the_authorize_parameters_in_the_relay_state(fed: Federated) -> None:
    relay = urlencode({"identity_provider": "MySamlIdP", "client_id": fed.client_id, "redirect_uri": CALLBACK,
                       "response_type": "code", "scope": "openid email"})
    browser = Browser(fed.domain, fed.ca_file)
    assert browser.go(f"/_local_idp/MySamlIdP/saml/initiate?pool_id={fed.pool_id}&RelayState={quote(relay)}") is None
    assert "IdP-initiated sign-in to user pool" in browser.text
    fields = fed.signed_response(browser, name_id="gina", email="gina@example.com")
    assert etree.fromstring(_xml(fields)).get("InResponseTo") is None and fields["RelayState"] == relay
    landed = browser.submit("/saml2/idpresponse")
    claims = jwt.decode(fed.tokens(landed or "")["id_token"], options={"verify_signature": False})
    assert claims["cognito:username"] == "mysamlidp_gina" and claims["email"] == "gina@example.com"

    again = browser.http.post(f"https://{fed.domain}/saml2/idpresponse", data=fields, follow_redirects=False)
    assert query(again.headers["location"])["error_description"] == \
        "Invalid SAML response received: The SAML assertion has already been used."

    other = fed.at_stand_in()
    solicited = fed.signed_response(other)  # an answer to an AuthnRequest, posted as unsolicited
    other.close()
    posted = browser.http.post(f"https://{fed.domain}/saml2/idpresponse", follow_redirects=False,
                               data={"SAMLResponse": solicited["SAMLResponse"], "RelayState": relay})
    assert query(posted.headers["location"])["error_description"] == \
        "Invalid SAML response received: An IdP-initiated SAML assertion must not contain InResponseTo."
    browser.close()


def test_idp_initiated_sign_in_needs_idp_init(fed: Federated) -> None:
    template = copy.deepcopy(json.loads((CASES / "oidc_saml.template.json").read_text()))
    ids = fed.engine.deploy("saml-sp-initiated-only", template).physical_ids
    pool_id, client_id = ids[POOL], ids[CLIENT]
    relay = urlencode({"identity_provider": "MySamlIdP", "client_id": client_id, "redirect_uri": CALLBACK,
                       "response_type": "code"})
    browser = Browser(fed.domain, fed.ca_file)
    assert browser.go(f"/_local_idp/MySamlIdP/saml/initiate?pool_id={pool_id}&RelayState={quote(relay)}") is None
    assert browser.submit(SSO, name_id="hank") is None
    landed = browser.submit("/saml2/idpresponse")
    assert landed is not None and query(landed)["error"] == "server_error"
    assert query(landed)["error_description"] == \
        "Invalid SAML response received: IdP-initiated sign-in is not enabled for MySamlIdP."
    browser.close()
    fed.engine.delete("saml-sp-initiated-only")


def test_an_attribute_with_several_values_reaches_the_pool_as_one_value(fed: Federated) -> None:
    browser = fed.at_stand_in()
    relay = parse_qs(urlsplit(str(browser.page.url)).query)["RelayState"][0] if browser.page else ""
    identity = Identity("ivy", {EMAIL_CLAIM: ["ivy@example.com"], GIVEN_CLAIM: ["Ivy", "Ives"]})
    signed = _signed_by_the_stand_in(fed, browser, audience=f"urn:amazon:cognito:sp:{fed.pool_id}", identity=identity)
    post = browser.http.post(f"https://{fed.domain}/saml2/idpresponse",
                             data={"SAMLResponse": signed, "RelayState": relay}, follow_redirects=False)
    claims = jwt.decode(fed.tokens(post.headers["location"])["id_token"], options={"verify_signature": False})
    assert claims["given_name"] == "[Ivy, Ives]"  # federated_users' list format for a multi-valued attribute
    browser.close()


def test_a_name_that_is_no_saml_provider_has_no_stand_in(fed: Federated) -> None:
    """Only a deployed SAML provider's stand-in exists: a page cannot make the engine mint a key per name."""
    for name in ("NoSuchIdP", "MicrosoftEntraID"):  # unknown; an OIDC provider's name
        response = httpx.get(f"https://{fed.domain}/_local_idp/{name}/saml/metadata", verify=fed.tls)
        assert response.status_code == 404
        assert f"No user pool on this engine has a SAML provider named &#39;{name}&#39;." in response.text
    assert fed.engine.context.store.get_meta("local-saml-idp:NoSuchIdP") is None
