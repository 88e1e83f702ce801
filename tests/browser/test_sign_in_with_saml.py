"""The real aws-amplify v6 in headless Chromium, federating through SAML: ``signInWithRedirect({ provider:
{ custom: "MySamlIdP" } })`` → /oauth2/authorize → the engine's stand-in SAML IdP (its page, then the
auto-submitting HTTP-POST of the signed Response) → /saml2/idpresponse → back in the app with tokens."""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from amplify_py.outputs import build_outputs, resolve_stack_outputs
from amplify_py.outputs.convert import local_engine_custom, local_oauth_domain
from tests._managed_login import CASES, CLIENT
from tests.browser._page import AppServer
from tests.browser.conftest import REGION, Hosted

EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
SAML_IDP = "amplifyAuthSamlIDP38FBBFF9"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def saml_app(hosted: Hosted, app_script: Path) -> Iterator[AppServer]:
    """The reference's OIDC + SAML backend on the browser tier's engine (its SAML provider mapping the email
    claim), and the app page configured with its outputs."""
    port = _free_port()
    app_url = f"http://localhost:{port}/"
    template = copy.deepcopy(json.loads((CASES / "oidc_saml.template.json").read_text()))
    resources = template["Resources"]
    resources[SAML_IDP]["Properties"]["AttributeMapping"] = {"email": EMAIL_CLAIM}
    resources[CLIENT]["Properties"].update(CallbackURLs=[app_url], LogoutURLs=[app_url + "signed-out"])
    template["Outputs"]["oauthRedirectSignIn"]["Value"] = app_url
    template["Outputs"]["oauthRedirectSignOut"]["Value"] = app_url + "signed-out"
    engine = hosted.engine
    result = engine.deploy("browser-saml", template)
    stack_outputs = local_oauth_domain(resolve_stack_outputs(template, result.physical_ids, REGION),
                                       engine.managed_login_domain)
    outputs = build_outputs(stack_outputs, custom=local_engine_custom(
        engine.endpoint, ca_certificate=str(engine.ca_certificate))).to_dict()
    with AppServer(app_script, outputs, port) as app:
        yield app
    engine.delete("browser-saml")


def _call(browser: Any, api: str) -> dict[str, Any]:
    return browser.execute_async_script(f"window.app.{api}().then(arguments[arguments.length - 1]);")


def _on(browser: Any, prefix: str) -> None:
    WebDriverWait(browser, 20).until(lambda d: d.current_url.startswith(prefix), message=f"never reached {prefix}")


def test_sign_in_with_redirect_through_the_saml_stand_in(browser: Any, hosted: Hosted, saml_app: AppServer) -> None:
    browser.get(hosted.managed_login + "/")
    browser.delete_all_cookies()
    browser.get(saml_app.url)
    browser.execute_script("window.localStorage.clear(); window.sessionStorage.clear();")
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return window.appReady === true"))
    browser.execute_script('window.app.signInWithRedirect({ provider: { custom: "MySamlIdP" } }); return null;')

    _on(browser, f"{hosted.managed_login}/_local_idp/MySamlIdP/saml/sso?SAMLRequest=")
    assert "Local stand-in SAML identity provider" in browser.page_source
    browser.find_element(By.ID, "name_id").send_keys("grace")
    email = browser.find_element(By.NAME, f"attr:{EMAIL_CLAIM}")
    assert browser.find_element(By.CSS_SELECTOR, f"label[for={email.get_attribute('id')}]").text.startswith("email")
    email.send_keys("grace@example.com")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # then the page posts itself

    _on(browser, saml_app.url)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return window.appReady === true"))
    WebDriverWait(browser, 20).until(lambda d: _call(d, "currentUser")["ok"], message="not signed in")
    claims = _call(browser, "idTokenPayload")["value"]
    assert claims["email"] == "grace@example.com" and claims["cognito:username"] == "mysamlidp_grace"
    assert [i["providerName"] for i in claims["identities"]] == ["MySamlIdP"]
    assert "signedIn" in browser.execute_script("return window.authEvents")
