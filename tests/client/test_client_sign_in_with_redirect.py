"""``sign_in_with_redirect`` end to end against the engine's managed login: the browser step is driven by the
test (a form-filling HTTP client standing in for the user's browser), everything else is the real flow: the
loopback server, PKCE, the code exchange, stored tokens, and sign_out ending the hosted session."""

from __future__ import annotations

import io
import re
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from amplify_py.auth import fetch_auth_session, get_current_user, sign_in_with_redirect, sign_out
from amplify_py.auth._config import Amplify
from amplify_py.auth.errors import AuthError
from amplify_py.local import LocalEngine
from amplify_py.outputs import build_outputs, resolve_stack_outputs
from amplify_py.outputs.convert import local_engine_custom, local_oauth_domain
from tests._managed_login import POOL, Browser, oauth_template

PASSWORD = "Cl1ent-passw0rd!"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.loopback = f"http://localhost:{self.port}/"
        self.engine = LocalEngine(tmp, managed_login_port=0, region=REGION).start()
        template = oauth_template(callbacks=[self.loopback], logouts=[self.loopback + "signed-out"])
        result = self.engine.deploy("redirect", template)
        self.pool_id = result.physical_ids[POOL]
        stack_outputs = local_oauth_domain(resolve_stack_outputs(template, result.physical_ids, REGION),
                                           self.engine.managed_login_domain)
        self.outputs = build_outputs(stack_outputs, custom=local_engine_custom(
            self.engine.endpoint, ca_certificate=str(self.engine.ca_certificate))).to_dict()
        import boto3

        self.idp = boto3.client("cognito-idp", endpoint_url=self.engine.endpoint,
                                **self.engine.credentials.boto3_kwargs())

    def user(self, email: str) -> str:
        self.idp.admin_create_user(UserPoolId=self.pool_id, Username=email, MessageAction="SUPPRESS", UserAttributes=[
            {"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
        self.idp.admin_set_user_password(UserPoolId=self.pool_id, Username=email, Password=PASSWORD, Permanent=True)
        return email

    def browser(self) -> Browser:
        return Browser(self.engine.managed_login_domain or "", self.engine.ca_certificate)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = Site(tmp_path_factory.mktemp("redirect"))
    yield s
    s.engine.stop()


@pytest.fixture
def configured(site: Site) -> Site:
    Amplify.configure(site.outputs)
    return site


def _user_at_the_browser(browser: Browser, email: str | None, seen: list[str],
                         asked: list[str] | None = None) -> Callable[[str], None]:
    """The user's side: open the URL, sign in when asked (noted in ``asked``), and let the browser follow the
    redirect home."""
    def open_url(url: str) -> None:
        seen.append(url)
        landed = browser.go(url)
        if landed is None and email is not None:
            if asked is not None:
                asked.append(url)
            landed = browser.submit("/login", username=email, password=PASSWORD)
        assert landed is not None, browser.text[:1000]
        httpx.get(landed)  # the browser follows the redirect to the program's loopback URL
    return open_url


def test_sign_in_with_redirect_signs_in_with_the_browser_step_driven_by_the_test(configured: Site) -> None:
    email = configured.user("cli@example.com")
    browser, seen = configured.browser(), []
    state = sign_in_with_redirect(custom_state="back to /reports", options={
        "open_url": _user_at_the_browser(browser, email, seen), "login_hint": email})
    assert state == "back to /reports"
    (url,) = seen
    assert url.startswith(f"https://{configured.engine.managed_login_domain}/oauth2/authorize?")
    for part in ("response_type=code", "code_challenge_method=S256", "identity_provider=COGNITO",
                 f"redirect_uri=http%3A%2F%2Flocalhost%3A{configured.port}%2F", "login_hint=cli%40example.com"):
        assert part in url
    session = fetch_auth_session()
    assert session.tokens is not None and session.tokens.id_token is not None
    assert session.tokens.id_token.payload["email"] == email
    assert session.tokens.access_token.payload["scope"].split() == [
        "phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"]
    assert get_current_user().username == session.tokens.access_token.payload["username"]
    assert fetch_auth_session(force_refresh=True).tokens is not None  # the refresh token works too
    with pytest.raises(AuthError, match="There is already a signed in user."):
        sign_in_with_redirect(options={"open_url": _user_at_the_browser(browser, email, [])})
    sign_out(options={"open_url": _user_at_the_browser(browser, None, [])})
    browser.close()


def test_sign_out_ends_the_hosted_session(configured: Site) -> None:
    from amplify_py.auth._session import cognito_user_pools_token_provider

    email = configured.user("leave@example.com")
    browser, asked = configured.browser(), []
    sign_in_with_redirect(options={"open_url": _user_at_the_browser(browser, email, [], asked)})
    assert len(asked) == 1  # a new browser: the sign-in page
    cognito_user_pools_token_provider.clear_tokens()  # this program forgets; the browser's session remains
    sign_in_with_redirect(options={"open_url": _user_at_the_browser(browser, email, [], asked)})
    assert len(asked) == 1  # straight back, no password
    refresh_token = [v for k, v in _storage_items().items() if k.endswith(".refreshToken")][0]

    logout: list[str] = []
    sign_out(options={"open_url": _user_at_the_browser(browser, None, logout)})
    (url,) = logout
    assert re.fullmatch(rf"https://{re.escape(configured.engine.managed_login_domain or '')}/logout\?client_id=\w+"
                        rf"&logout_uri=http%3A%2F%2Flocalhost%3A{configured.port}%2Fsigned-out", url)
    with pytest.raises(AuthError, match="User needs to be authenticated"):
        get_current_user()
    with pytest.raises(configured.idp.exceptions.NotAuthorizedException, match="Refresh Token has been revoked"):
        configured.idp.get_tokens_from_refresh_token(ClientId=configured.outputs["auth"]["user_pool_client_id"],
                                                     RefreshToken=refresh_token)
    sign_in_with_redirect(options={"open_url": _user_at_the_browser(browser, email, [], asked)})
    assert len(asked) == 2  # the hosted session is gone: the password again
    sign_out(options={"open_url": _user_at_the_browser(browser, None, [])})
    browser.close()


def _storage_items() -> dict[str, str]:
    from amplify_py.auth._session import cognito_user_pools_token_provider

    return dict(cognito_user_pools_token_provider.storage._items)  # type: ignore[attr-defined]


def test_a_headless_program_prints_the_url(configured: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    email = configured.user("headless@example.com")
    browser = configured.browser()
    printed = io.StringIO()

    class Terminal(io.StringIO):
        """stderr; the user reads the link and opens it in a browser elsewhere (here: a thread)."""

        def write(self, text: str) -> int:
            printed.write(text)
            found = re.search(r"https://\S+", text)
            if found:
                threading.Thread(target=_user_at_the_browser(browser, email, []), args=(found.group(0),)).start()
            return len(text)

    monkeypatch.setattr(sys, "stderr", Terminal())
    sign_in_with_redirect(options={"launch_browser": False, "timeout": 30})
    assert printed.getvalue().startswith("Go to the following link in your browser:\n\n    https://")
    assert get_current_user().username
    monkeypatch.undo()
    sign_out(options={"open_url": _user_at_the_browser(browser, None, [])})
    browser.close()


def test_cognitos_error_comes_back_as_an_oauth_error(configured: Site) -> None:
    browser = configured.browser()
    with pytest.raises(AuthError, match="login_required") as exc:
        sign_in_with_redirect(options={"prompt": "NONE", "open_url": _user_at_the_browser(browser, None, [])})
    assert exc.value.name == "OAuthSignInException"
    browser.close()


def test_a_program_needs_a_registered_loopback_url(configured: Site) -> None:
    outputs: dict[str, Any] = {**configured.outputs, "auth": {**configured.outputs["auth"], "oauth": {
        **configured.outputs["auth"]["oauth"], "redirect_sign_in_uri": ["https://app.example.com/"]}}}
    Amplify.configure(outputs)
    with pytest.raises(AuthError, match=r"None of the sign-in URLs is a loopback URL") as exc:
        sign_in_with_redirect()
    assert exc.value.name == "InvalidRedirectException" and "http://localhost:53682/" in (exc.value.resolution or "")
    with pytest.raises(AuthError, match="redirect_url 'http://localhost:1/' does not match"):
        sign_in_with_redirect(options={"redirect_url": "http://localhost:1/"})
    without = {**configured.outputs, "auth": {k: v for k, v in configured.outputs["auth"].items() if k != "oauth"}}
    Amplify.configure(without)
    with pytest.raises(AuthError, match="oauth param not configured."):
        sign_in_with_redirect()
