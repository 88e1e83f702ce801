"""Passkeys with the real aws-amplify v6 in headless Chromium, its virtual authenticator standing in for the
platform's: sign up and in, associateWebAuthnCredential, sign out, signIn with USER_AUTH and
preferredChallenge WEB_AUTHN, list and delete; a passkey made for another relying party and a tampered
assertion are refused by the engine."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amplify_py.local import LocalEngine
from tests._outputs import local_outputs
from tests.browser._browser import CHROMEDRIVER, CHROMIUM, Browser, build_page, serve

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
CASE = "passwordless_email_otp"
PASSWORD = "Corr3ct-Horse!"

pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                                reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")


def _template() -> dict[str, Any]:
    tpl = json.loads((REFERENCE / "cases" / f"{CASE}.template.json").read_text())
    [pool] = [r["Properties"] for r in tpl["Resources"].values() if r["Type"] == "AWS::Cognito::UserPool"]
    pool["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] = ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]
    pool.update(WebAuthnRelyingPartyID="localhost", WebAuthnUserVerification="required")  # what a sandbox gets
    return tpl


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    engine = LocalEngine(tmp_path_factory.mktemp("engine"), port=0).start()
    deployed = engine.deploy("browser-passkeys", _template())
    outputs = local_outputs(REFERENCE, CASE, deployed.physical_ids, deployed.region, engine.endpoint)
    outputs["auth"]["passwordless"]["web_authn"] = {"relying_party_id": "localhost", "user_verification": "required"}
    page = build_page(tmp_path_factory.mktemp("page"))
    with serve(page) as port:
        browser = Browser(tmp_path_factory.mktemp("chromium-profile"))
        try:
            yield {"engine": engine, "outputs": outputs, "port": port, "browser": browser}
        finally:
            browser.close()
            engine.stop()


def _code(engine: LocalEngine, email: str) -> str:
    return [m["code"] for m in engine.messages() if m["recipient"] == email and m.get("code")][-1]


def _ok(reply: dict[str, Any]) -> Any:
    assert reply["ok"], reply["error"]
    return reply["result"]


def _sign_up_and_in(site: dict[str, Any], email: str) -> None:
    browser: Browser = site["browser"]
    _ok(browser.call("signUp", {"username": email, "password": PASSWORD,
                                "options": {"userAttributes": {"email": email}}}))
    _ok(browser.call("confirmSignUp", {"username": email, "confirmationCode": _code(site["engine"], email)}))
    assert _ok(browser.call("signIn", {"username": email, "password": PASSWORD}))["nextStep"]["signInStep"] == "DONE"


def test_passkey_lifecycle_with_aws_amplify_in_chromium(site: dict[str, Any]) -> None:
    browser: Browser = site["browser"]
    browser.open(f"http://localhost:{site['port']}/", site["outputs"])
    authenticator = browser.add_authenticator()
    _sign_up_and_in(site, "passkey@example.com")

    assert _ok(browser.call("associateWebAuthnCredential")) is None
    (held,) = browser.credentials(authenticator)
    assert held["rpId"] == "localhost" and held["isResidentCredential"]
    _ok(browser.call("signOut"))

    signed_in = _ok(browser.call("signIn", {"username": "passkey@example.com",
                                            "options": {"authFlowType": "USER_AUTH", "preferredChallenge": "WEB_AUTHN"}}))
    assert signed_in == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert _ok(browser.call("getCurrentUser"))["signInDetails"]["authFlowType"] == "USER_AUTH"
    assert browser.credentials(authenticator)[0]["signCount"] >= 1

    listed = _ok(browser.call("listWebAuthnCredentials"))["credentials"]
    assert [c["relyingPartyId"] for c in listed] == ["localhost"]
    assert listed[0]["credentialId"] == held["credentialId"].replace("+", "-").replace("/", "_").rstrip("=")

    # a tampered assertion: aws-amplify sends it, the engine refuses it, the user stays signed out
    _ok(browser.call("signOut"))
    browser.set_switch("tamperNextAssertion", True)
    refused = browser.call("signIn", {"username": "passkey@example.com",
                                      "options": {"authFlowType": "USER_AUTH", "preferredChallenge": "WEB_AUTHN"}})
    assert refused == {"ok": False, "error": {"name": "NotAuthorizedException",
                                               "message": "Incorrect username or password."}}
    chosen = _ok(browser.call("signIn", {"username": "passkey@example.com", "options": {"authFlowType": "USER_AUTH"}}))
    assert chosen["nextStep"]["signInStep"] == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    assert "WEB_AUTHN" in chosen["nextStep"]["availableChallenges"]
    assert _ok(browser.call("confirmSignIn", {"challengeResponse": "WEB_AUTHN"}))["nextStep"]["signInStep"] == "DONE"

    _ok(browser.call("deleteWebAuthnCredential", {"credentialId": listed[0]["credentialId"]}))
    assert _ok(browser.call("listWebAuthnCredentials"))["credentials"] == []


def test_a_passkey_made_for_another_relying_party_is_refused(site: dict[str, Any]) -> None:
    """The page on app.localhost may make a passkey for its own host: not the pool's relying party."""
    browser: Browser = site["browser"]
    browser.open(f"http://app.localhost:{site['port']}/", copy.deepcopy(site["outputs"]))
    authenticator = browser.add_authenticator()
    _sign_up_and_in(site, "other-rp@example.com")
    browser.set_switch("rpOverride", "app.localhost")
    refused = browser.call("associateWebAuthnCredential")
    assert refused["ok"] is False and refused["error"]["name"] == "WebAuthnRelyingPartyMismatchException"
    assert [c["rpId"] for c in browser.credentials(authenticator)] == ["app.localhost"]  # made, but not registered
    assert _ok(browser.call("listWebAuthnCredentials"))["credentials"] == []
