"""sign_in_with_redirect against a Cognito-shaped configuration (no local engine): the authorize URL it opens,
the token request it makes, what it stores, and what sign_out asks of the browser."""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import socket
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fake_cognito import OUTPUTS, FakeCognito, auth_result

from amplify_py.auth import get_current_user, sign_in_with_redirect, sign_out
from amplify_py.auth._config import Amplify
from amplify_py.auth.errors import AuthError

DOMAIN = "myapp.auth.us-east-1.amazoncognito.com"
redirect_module = importlib.import_module("amplify_py.auth.sign_in_with_redirect")  # the module, not the function


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cognito(fake: FakeCognito, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    port = _port()
    outputs = json.loads(json.dumps(OUTPUTS))
    outputs["auth"]["oauth"] = {"identity_providers": ["GOOGLE"], "domain": DOMAIN, "response_type": "code",
                                "scopes": ["openid", "email"], "redirect_sign_in_uri": [f"http://localhost:{port}/cb"],
                                "redirect_sign_out_uri": [f"http://localhost:{port}/bye"]}
    Amplify.configure(outputs)
    posted: list[dict[str, Any]] = []
    result = auth_result()

    def post_token(config: Any, oauth: Any, form: dict[str, str]) -> dict[str, Any]:
        posted.append({"domain": oauth.domain, "ca": config.ca_certificate, **form})
        return {"access_token": result["AccessToken"], "id_token": result["IdToken"],
                "refresh_token": result["RefreshToken"], "expires_in": 3600, "token_type": "Bearer"}

    monkeypatch.setattr(redirect_module, "post_token", post_token)
    return {"port": port, "posted": posted}


def _browser_returns(**extra: str) -> Any:
    """A browser that goes straight back to the redirect URI with a code (or what ``extra`` says)."""
    opened: list[str] = []

    def open_url(url: str) -> None:
        opened.append(url)
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        target = query.get("redirect_uri") or query["logout_uri"]
        params = {"code": "the-code", "state": query.get("state", "")} if "redirect_uri" in query else {}
        httpx.get(target, params={**params, **extra})

    open_url.opened = opened  # type: ignore[attr-defined]
    return open_url


def test_the_authorize_url_token_request_and_stored_tokens(cognito: dict[str, Any], fake: FakeCognito) -> None:
    browser = _browser_returns()
    assert sign_in_with_redirect("Google", custom_state="a-b c", options={"open_url": browser, "nonce": "n1"}) == "a-b c"
    (url,) = browser.opened
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.scheme, parts.netloc, parts.path) == ("https", DOMAIN, "/oauth2/authorize")
    assert query["identity_provider"] == "Google" and query["scope"] == "openid email" and query["nonce"] == "n1"
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    random_part, custom = query["state"].split("-", 1)
    assert len(random_part) == 32 and custom == "612d622063"  # aws-amplify's urlSafeEncode of "a-b c"
    (form,) = cognito["posted"]
    assert form["domain"] == DOMAIN and form["ca"] is None  # Cognito: the system's CAs only
    assert {k: form[k] for k in ("grant_type", "code", "client_id", "redirect_uri")} == {
        "grant_type": "authorization_code", "code": "the-code", "client_id": OUTPUTS["auth"]["user_pool_client_id"],
        "redirect_uri": f"http://localhost:{cognito['port']}/cb"}
    challenge = base64.urlsafe_b64encode(hashlib.sha256(form["code_verifier"].encode()).digest()).decode().rstrip("=")
    assert challenge == query["code_challenge"] and len(form["code_verifier"]) == 128
    assert get_current_user().username == "sub-1"

    fake.reply("RevokeToken", {})
    bye = _browser_returns()
    sign_out(options={"open_url": bye})
    assert fake.ops() == ["RevokeToken"]
    (logout,) = bye.opened
    assert logout == (f"https://{DOMAIN}/logout?client_id={OUTPUTS['auth']['user_pool_client_id']}"
                      f"&logout_uri=http%3A%2F%2Flocalhost%3A{cognito['port']}%2Fbye")


def test_providers_map_as_aws_amplify_maps_them(cognito: dict[str, Any]) -> None:
    for provider, expected in (("Amazon", ("identity_provider", "LoginWithAmazon")),
                               ("Apple", ("identity_provider", "SignInWithApple")),
                               ({"custom": "MyOidc"}, ("identity_provider", "MyOidc")),
                               ({"idp_identifier": "example.com"}, ("idp_identifier", "example.com"))):
        browser = _browser_returns()
        sign_in_with_redirect(provider, options={"open_url": browser, "prompt": "LOGIN"})
        query = {k: v[0] for k, v in parse_qs(urlsplit(browser.opened[0]).query).items()}
        assert (expected[0], query[expected[0]]) == expected and query["prompt"] == "login"
    with pytest.raises(AuthError, match="Unknown provider 'Twitter'"):
        sign_in_with_redirect("Twitter")


def test_a_forged_state_is_refused(cognito: dict[str, Any]) -> None:
    with pytest.raises(AuthError, match="An error occurred while validating the state.") as exc:
        sign_in_with_redirect(options={"open_url": _browser_returns(state="forged")})
    assert exc.value.name == "OAuthSignInException" and cognito["posted"] == []


def test_unknown_options_are_reported(cognito: dict[str, Any]) -> None:
    with pytest.raises(AuthError, match=r"sign_in_with_redirect\(\) got unknown option\(s\) 'loginHint'"):
        sign_in_with_redirect(options={"loginHint": "x"})
