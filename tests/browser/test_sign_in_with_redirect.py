"""The real aws-amplify v6 in headless Chromium against the engine's managed login: signInWithRedirect →
managed login → back in the app with tokens; the same after sign-up and its code; signOut → /logout → the
sign-out URL, with the hosted session gone."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import Hosted

PASSWORD = "Br0wser-passw0rd!"


def _call(browser: Any, api: str) -> dict[str, Any]:
    """``await window.app.<api>()`` in the page (settled: ``{ok, value}`` or ``{ok: false, name, message}``)."""
    return browser.execute_async_script(f"window.app.{api}().then(arguments[arguments.length - 1]);")


def _fresh(browser: Any, hosted: Hosted) -> None:
    """A browser that knows nobody: no managed-login cookies, nothing in the app's storage."""
    browser.get(hosted.managed_login + "/")
    browser.delete_all_cookies()
    browser.get(hosted.app.url)
    browser.execute_script("window.localStorage.clear(); window.sessionStorage.clear();")
    browser.delete_all_cookies()


def _open_app(browser: Any, hosted: Hosted) -> None:
    browser.get(hosted.app.url)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return window.appReady === true"))


def _on(browser: Any, prefix: str, timeout: float = 20) -> None:
    WebDriverWait(browser, timeout).until(lambda d: d.current_url.startswith(prefix),
                                          message=f"never reached {prefix}")


def _signed_in(browser: Any, hosted: Hosted) -> dict[str, Any]:
    """Back on the app after managed login: wait until aws-amplify has exchanged the code."""
    _on(browser, hosted.app.url)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return window.appReady === true"))
    WebDriverWait(browser, 20).until(lambda d: _call(d, "currentUser")["ok"],
                                     message=lambda d: f"not signed in; Hub: {d.execute_script('return window.authEvents')}")
    return _call(browser, "currentUser")["value"]


def _start_redirect(browser: Any, hosted: Hosted) -> None:
    _open_app(browser, hosted)
    browser.execute_script("window.app.signInWithRedirect(); return null;")  # the page navigates away
    _on(browser, f"{hosted.managed_login}/login?")


def _fill(browser: Any, **values: str) -> None:
    for field, value in values.items():
        element = browser.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "button.primary[type=submit]").click()


def _user(hosted: Hosted, email: str) -> None:
    hosted.idp.admin_create_user(UserPoolId=hosted.pool_id, Username=email, MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
    hosted.idp.admin_set_user_password(UserPoolId=hosted.pool_id, Username=email, Password=PASSWORD, Permanent=True)


def test_sign_in_with_redirect_and_a_password(browser: Any, hosted: Hosted) -> None:
    _user(hosted, "redirect@example.com")
    _fresh(browser, hosted)
    _start_redirect(browser, hosted)
    assert browser.find_element(By.CSS_SELECTOR, "label[for=username]").text == "Email address"
    # aws-amplify sends identity_provider=COGNITO unless told otherwise: the pool's own sign-in, no provider buttons.
    assert "identity_provider=COGNITO" in browser.current_url and "Continue with Google" not in browser.page_source
    _fill(browser, username="redirect@example.com", password=PASSWORD)
    user = _signed_in(browser, hosted)
    claims = _call(browser, "idTokenPayload")["value"]
    assert claims["email"] == "redirect@example.com" and claims["aud"] == hosted.client_id
    assert user["username"] == claims["cognito:username"] and user["userId"] == claims["sub"]
    events = browser.execute_script("return window.authEvents")
    assert "signInWithRedirect" in events and "signedIn" in events
    assert "?code=" not in browser.current_url  # aws-amplify cleared the code from the address bar


def test_sign_up_with_its_code_on_managed_login(browser: Any, hosted: Hosted) -> None:
    _fresh(browser, hosted)
    _start_redirect(browser, hosted)
    browser.find_element(By.LINK_TEXT, "Create an account").click()
    _on(browser, f"{hosted.managed_login}/signup?")
    _fill(browser, email="newcomer@example.com", password=PASSWORD)
    WebDriverWait(browser, 20).until(lambda d: "Confirm your account" in d.page_source)
    _fill(browser, code=hosted.code("newcomer@example.com"))
    _signed_in(browser, hosted)
    assert _call(browser, "idTokenPayload")["value"]["email"] == "newcomer@example.com"


def test_sign_out_ends_the_hosted_session_too(browser: Any, hosted: Hosted) -> None:
    _user(hosted, "leaving@example.com")
    _fresh(browser, hosted)
    _start_redirect(browser, hosted)
    _fill(browser, username="leaving@example.com", password=PASSWORD)
    _signed_in(browser, hosted)
    authorize = (f"{hosted.managed_login}/oauth2/authorize?response_type=code&client_id={hosted.client_id}"
                 f"&redirect_uri={hosted.app.url}")
    browser.get(authorize)  # the hosted session: straight back to the app with a code, no page
    _on(browser, hosted.app.url + "?code=")

    _open_app(browser, hosted)
    browser.execute_script("window.app.signOut(); return null;")  # revokes, then /logout, then the sign-out URL
    _on(browser, hosted.app.url + "signed-out")
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return window.appReady === true"))
    assert _call(browser, "currentUser")["name"] == "UserUnAuthenticatedException"
    # Without the hosted session the same authorize asks for the password again.
    browser.get(authorize)
    _on(browser, f"{hosted.managed_login}/login?")
    assert browser.find_element(By.ID, "password").get_attribute("value") == ""
