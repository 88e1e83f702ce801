"""``amplify_py.auth.sign_in_with_redirect`` with Chromium as the user's browser: the program's loopback server
receives Chromium's redirect from managed login; ``sign_out`` sends Chromium to /logout."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from amplify_py.auth import fetch_auth_session, sign_in_with_redirect, sign_out
from amplify_py.auth._config import Amplify
from tests._client import fresh_client  # noqa: F401  (autouse: in-memory tokens, reset configuration)
from tests.browser.conftest import Hosted

PASSWORD = "Pyth0n-passw0rd!"


def test_a_program_signs_in_and_out_through_chromium(browser: Any, hosted: Hosted) -> None:
    email = "program@example.com"
    hosted.idp.admin_create_user(UserPoolId=hosted.pool_id, Username=email, MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
    hosted.idp.admin_set_user_password(UserPoolId=hosted.pool_id, Username=email, Password=PASSWORD, Permanent=True)
    browser.get(hosted.managed_login + "/")
    browser.delete_all_cookies()
    Amplify.configure(hosted.outputs)

    def chromium_signs_in(url: str) -> None:
        browser.get(url)  # managed login's page, in the browser the program opened
        browser.find_element(By.ID, "username").send_keys(email)
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "button.primary[type=submit]").click()
        WebDriverWait(browser, 20).until(lambda d: d.current_url.startswith(hosted.program_url))

    sign_in_with_redirect(options={"redirect_url": hosted.program_url, "open_url": chromium_signs_in})
    tokens = fetch_auth_session().tokens
    assert tokens is not None and tokens.id_token is not None and tokens.id_token.payload["email"] == email
    assert "Signed in" in browser.page_source  # the loopback server's page, shown by Chromium

    def chromium_signs_out(url: str) -> None:
        browser.get(url)
        WebDriverWait(browser, 20).until(lambda d: d.current_url.startswith(hosted.program_url))

    sign_out(options={"redirect_url": hosted.program_url, "open_url": chromium_signs_out})
    assert fetch_auth_session().tokens is None
    assert "Signed out" in browser.page_source
    browser.get(f"{hosted.managed_login}/oauth2/authorize?response_type=code&client_id={hosted.client_id}"
                f"&redirect_uri={hosted.program_url}")
    WebDriverWait(browser, 20).until(lambda d: d.current_url.startswith(f"{hosted.managed_login}/login?"))
