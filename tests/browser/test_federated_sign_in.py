"""The real aws-amplify v6 in headless Chromium, federated through the engine's local stand-in providers:
``signInWithRedirect({ provider: "Google" })`` → the Google stand-in (the developer types the test identity)
→ the engine's bridge (OIDC code flow, ID token checked against the stand-in's JWKS, userinfo) → back in the
app with a federated user; and ``{ custom: "MicrosoftEntraID" }`` (an OIDC provider) likewise."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from amplify_py.outputs import build_outputs, resolve_stack_outputs
from amplify_py.outputs.convert import local_engine_custom, local_oauth_domain
from tests._federation import apple_key_pem, federated_template
from tests._managed_login import CLIENT, POOL
from tests.browser._page import AppServer
from tests.browser.conftest import REGION, Hosted
from tests.browser.test_sign_in_with_redirect import _call, _on, _open_app


class FederatedApp:
    def __init__(self, app: AppServer, pool_id: str, client_id: str) -> None:
        self.app, self.pool_id, self.client_id = app, pool_id, client_id


@pytest.fixture(scope="module")
def federated(hosted: Hosted, app_script: Any) -> Iterator[FederatedApp]:
    """A second deployment on the session's engine (its HTTPS certificate is the one Chromium trusts): a pool
    federating with Google, MicrosoftEntraID (OIDC) and the other stand-ins, with its own app page."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app_url = f"http://localhost:{port}/"
    template = federated_template(apple_key=apple_key_pem(), callbacks=[app_url])
    result = hosted.engine.deploy("federated-browser", template)
    stack_outputs = local_oauth_domain(resolve_stack_outputs(template, result.physical_ids, REGION),
                                       hosted.engine.managed_login_domain)
    outputs = build_outputs(stack_outputs, custom=local_engine_custom(
        hosted.engine.endpoint, ca_certificate=str(hosted.engine.ca_certificate))).to_dict()
    with AppServer(app_script, outputs, port) as app:
        yield FederatedApp(app, result.physical_ids[POOL], result.physical_ids[CLIENT])


def _fresh(browser: Any, hosted: Hosted, federated: FederatedApp) -> None:
    browser.get(hosted.managed_login + "/")
    browser.delete_all_cookies()
    browser.get(federated.app.url)
    browser.execute_script("window.localStorage.clear(); window.sessionStorage.clear();")
    browser.delete_all_cookies()


def _through_stand_in(browser: Any, hosted: Hosted, federated: FederatedApp, provider: str, argument: str,
                      **identity: str) -> dict[str, Any]:
    _fresh(browser, hosted, federated)
    _open_app(browser, federated)  # type: ignore[arg-type]  # it has .app, all _open_app reads
    browser.execute_script(f"window.app.signInWithRedirect({argument}); return null;")
    _on(browser, f"{hosted.managed_login}/_local_idp/{federated.pool_id}/{provider}/authorize?")
    assert f"Local stand-in for {provider}" in browser.find_element(By.CSS_SELECTOR, "p.local").text
    for field, value in identity.items():
        element = browser.find_element(By.ID, f"field-{field}")
        element.clear()
        element.send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "button.primary[type=submit]").click()
    _on(browser, federated.app.url)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return window.appReady === true"))
    WebDriverWait(browser, 20).until(
        lambda d: _call(d, "currentUser")["ok"],
        message=lambda d: f"not signed in; Hub: {d.execute_script('return window.authEvents')}")
    return _call(browser, "idTokenPayload")["value"]


def test_sign_in_with_redirect_to_google_through_its_stand_in(browser: Any, hosted: Hosted,
                                                             federated: FederatedApp) -> None:
    claims = _through_stand_in(browser, hosted, federated, "Google", '{ provider: "Google" }',
                               email="grace@example.com", name="Grace Hopper", subject="110169484474386276334")
    assert claims["email"] == "grace@example.com" and claims["name"] == "Grace Hopper"
    assert claims["cognito:username"] == "google_110169484474386276334"
    assert [(i["providerName"], i["userId"]) for i in claims["identities"]] == [("Google", "110169484474386276334")]
    user = _call(browser, "currentUser")["value"]
    assert user["username"] == "google_110169484474386276334" and user["userId"] == claims["sub"]
    assert "signedIn" in browser.execute_script("return window.authEvents")


def test_sign_in_with_redirect_to_a_custom_oidc_provider(browser: Any, hosted: Hosted,
                                                        federated: FederatedApp) -> None:
    claims = _through_stand_in(browser, hosted, federated, "MicrosoftEntraID", '{ provider: { custom: '
                               '"MicrosoftEntraID" } }', email="alan@example.com", department="Hut 8")
    assert claims["email"] == "alan@example.com" and claims["custom:department"] == "Hut 8"
    assert claims["cognito:username"].startswith("microsoftentraid_")
    [identity] = claims["identities"]
    assert (identity["providerName"], identity["providerType"]) == ("MicrosoftEntraID", "OIDC")
