"""``sign_in_with_redirect(provider="Google")`` and ``provider={"custom": "MicrosoftEntraID"}`` from Python,
through the engine's local stand-in providers: the test fills the stand-in's page (as the user would in the
browser the program opens); the loopback server, PKCE, the code exchange and the stored tokens are real."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from amplify_py.auth import fetch_auth_session, get_current_user, sign_in_with_redirect
from amplify_py.auth._config import Amplify
from amplify_py.auth.errors import AuthError
from amplify_py.local import LocalEngine
from amplify_py.outputs import build_outputs, resolve_stack_outputs
from amplify_py.outputs.convert import local_engine_custom, local_oauth_domain
from tests._client import fresh_client  # noqa: F401  (autouse: in-memory tokens, reset configuration)
from tests._federation import apple_key_pem, federated_template
from tests._managed_login import Browser

REGION = "us-east-1"


class Site:
    def __init__(self, tmp: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.loopback = f"http://localhost:{sock.getsockname()[1]}/"
        self.engine = LocalEngine(tmp, managed_login_port=0, region=REGION).start()
        template = federated_template(apple_key=apple_key_pem(), callbacks=[self.loopback])
        result = self.engine.deploy("federated-client", template)
        stack_outputs = local_oauth_domain(resolve_stack_outputs(template, result.physical_ids, REGION),
                                           self.engine.managed_login_domain)
        self.outputs = build_outputs(stack_outputs, custom=local_engine_custom(
            self.engine.endpoint, ca_certificate=str(self.engine.ca_certificate))).to_dict()

    def user_types(self, **identity: str):  # noqa: ANN201 - the open_url callback
        """The user at the browser: the stand-in's page, the identity typed, back to the program."""
        def open_url(url: str) -> None:
            browser = Browser(self.engine.managed_login_domain or "", self.engine.ca_certificate)
            try:
                assert browser.go(url) is None and "Local stand-in for" in browser.text
                landed = browser.submit(str(browser.page.url.path) if browser.page else "", action="allow",
                                        **identity)
                assert landed is not None, browser.text[:1000]
                httpx.get(landed)  # the browser follows the redirect to the program's loopback URL
            finally:
                browser.close()
        return open_url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = Site(tmp_path_factory.mktemp("federated-client"))
    yield s
    s.engine.stop()


def test_sign_in_with_redirect_to_google_from_python(site: Site) -> None:
    Amplify.configure(site.outputs)
    sign_in_with_redirect(provider="Google", options={
        "open_url": site.user_types(email="py@example.com", subject="424242"), "login_hint": "py@example.com"})
    tokens = fetch_auth_session().tokens
    assert tokens is not None and tokens.id_token is not None
    payload = tokens.id_token.payload
    assert payload["email"] == "py@example.com" and payload["cognito:username"] == "google_424242"
    assert payload["identities"][0]["providerName"] == "Google"
    assert get_current_user().username == "google_424242"


def test_sign_in_with_redirect_to_a_custom_oidc_provider_from_python(site: Site) -> None:
    Amplify.configure(site.outputs)
    sign_in_with_redirect(provider={"custom": "MicrosoftEntraID"},
                          options={"open_url": site.user_types(email="oidc@example.com", subject="Entra-1")})
    payload = fetch_auth_session().tokens.id_token.payload  # type: ignore[union-attr]
    assert payload["cognito:username"] == "microsoftentraid_entra-1" and payload["email"] == "oidc@example.com"


def test_a_refused_federated_sign_in_raises_cognitos_description(site: Site) -> None:
    Amplify.configure(site.outputs)
    with pytest.raises(AuthError, match=r"attributes required: \[email\]"):
        sign_in_with_redirect(provider="Google", options={"open_url": site.user_types(name="No Email")})
