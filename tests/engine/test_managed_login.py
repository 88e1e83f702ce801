"""Managed login's pages, filled in as a user would: sign-up and its code, a new code for an unconfirmed user,
forgotten password, new password required, MFA codes (TOTP, SMS, email), MFA selection, TOTP and email MFA
setup; errors next to their field; the login hint; the CSRF check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import boto3
import pyotp
import pytest

from amplify_py.local import LocalEngine
from tests._managed_login import CALLBACK, CLIENT, POOL, Browser, forms, oauth_template, query
from tests.engine.conftest import ManualClock

PASSWORD = "Passw0rd!"


class Pages:
    """One engine, two deployments: MFA optional (SMS, TOTP, email) and MFA required (TOTP or email)."""

    def __init__(self, tmp: Path) -> None:
        self.clock = ManualClock()
        self.ca_file = tmp / "ca" / "amplify-py-local-ca.pem"
        self.engine = LocalEngine(tmp / "state", clock=self.clock, managed_login_port=0, ca_dir=tmp / "ca").start()
        self.ids = {name: self._deploy(name, mfa) for name, mfa in (
            ("optional", ("OPTIONAL", ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"])),
            ("required", ("ON", ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"])))}
        self.idp = boto3.client("cognito-idp", endpoint_url=self.engine.endpoint,
                                **self.engine.credentials.boto3_kwargs())

    def _deploy(self, name: str, mfa: tuple[str, list[str]]) -> tuple[str, str]:
        template = oauth_template()
        pool = template["Resources"][POOL]["Properties"]
        pool["MfaConfiguration"], pool["EnabledMfas"] = mfa
        pool["Schema"].append({"Name": "phone_number", "Mutable": True, "Required": False})
        template["Resources"][CLIENT]["Properties"]["ExplicitAuthFlows"].append("ALLOW_ADMIN_USER_PASSWORD_AUTH")
        template["Resources"]["amplifyAuthUserPoolUserPoolDomain1F688B5B"]["Properties"]["Domain"] = name
        ids = self.engine.deploy(name, template).physical_ids
        return ids[POOL], ids[CLIENT]

    def browser(self) -> Browser:
        return Browser(self.engine.managed_login_domain or "", self.ca_file)

    def authorize_url(self, which: str = "optional", **extra: str) -> str:
        params = "".join(f"&{k}={v}" for k, v in extra.items())
        return (f"/oauth2/authorize?response_type=code&client_id={self.ids[which][1]}&redirect_uri={CALLBACK}"
                f"&scope=openid+email&state=st{params}")

    def code(self, recipient: str) -> str:
        return [m for m in self.engine.messages() if m["recipient"] == recipient][-1]["code"]

    def user(self, which: str, email: str, *, phone: str | None = None, permanent: bool = True) -> str:
        pool_id = self.ids[which][0]
        attrs = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        if phone:
            attrs += [{"Name": "phone_number", "Value": phone}, {"Name": "phone_number_verified", "Value": "true"}]
        self.idp.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS", UserAttributes=attrs,
                                   TemporaryPassword="Temp0rary!")
        if permanent:
            self.idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True)
        return email

    def access_token(self, which: str, email: str) -> str:
        pool_id, client_id = self.ids[which]
        return self.idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD}
                                            )["AuthenticationResult"]["AccessToken"]

    def totp_code(self, secret: str) -> str:
        self.clock.advance(30)  # a fresh time step: each TOTP code is good once
        return pyotp.TOTP(secret).at(self.clock.now)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pages]:
    pages = Pages(tmp_path_factory.mktemp("managed-login"))
    yield pages
    pages.engine.stop()


@pytest.fixture
def browser(site: Pages) -> Iterator[Browser]:
    b = site.browser()
    yield b
    b.close()


def _lands_with_code(landed: str | None) -> None:
    assert landed is not None and landed.startswith(CALLBACK), landed
    assert set(query(landed)) == {"code", "state"}


def test_the_sign_in_page_is_labelled_prefilled_by_the_login_hint_and_offers_the_providers(site: Pages,
                                                                                        browser: Browser) -> None:
    assert browser.go(site.authorize_url(login_hint="grace@example.com")) is None
    html = browser.text
    assert '<label for="username">Email address</label>' in html and '<label for="password">Password</label>' in html
    assert re.search(r'id="username" name="username" type="email" value="grace@example.com"', html)
    assert re.search(r'id="password"[^>]*autofocus', html)  # the name is filled in: focus goes to the password
    assert "Continue with Google" in html and "Create an account" in html and "Forgot your password?" in html
    google = [f for f in forms(html) if f["fields"].get("identity_provider") == "Google"]
    assert google and google[0]["action"] == "/oauth2/authorize" and google[0]["fields"]["state"] == "st"
    only_pool = browser.go(site.authorize_url(identity_provider="COGNITO"))
    assert only_pool is None and "Continue with Google" not in browser.text


def test_a_wrong_password_shows_cognitos_message_next_to_the_field(site: Pages, browser: Browser) -> None:
    site.user("optional", "wrong@example.com")
    browser.go(site.authorize_url())
    assert browser.submit("/login", username="wrong@example.com", password="nope") is None
    assert browser.page is not None and browser.page.status_code == 400
    assert re.search(r'id="username"[^>]*aria-invalid="true" aria-describedby="username-error"', browser.text)
    assert '<p class="error" id="username-error" role="alert">Incorrect username or password.</p>' in browser.text


def test_sign_up_with_its_code_goes_back_to_the_app_signed_in(site: Pages, browser: Browser) -> None:
    browser.go("/signup?" + site.authorize_url().split("?", 1)[1])
    assert browser.submit("/signup", email="new@example.com", password="short") is None
    assert "Password did not conform with policy" in browser.text
    assert re.search(r'id="password"[^>]*aria-invalid="true" aria-describedby="password-error"', browser.text)
    assert browser.submit("/signup", email="new@example.com", password=PASSWORD) is None
    assert "We sent a code by email to n***@e***" in browser.text
    assert browser.submit("/confirm", code="000000") is None and browser.page is not None
    assert "Invalid verification code provided, please try again." in browser.text
    _lands_with_code(browser.submit("/confirm", code=site.code("new@example.com")))
    user = site.idp.admin_get_user(UserPoolId=site.ids["optional"][0], Username="new@example.com")
    assert user["UserStatus"] == "CONFIRMED"


def test_an_unconfirmed_user_gets_a_new_code_then_signs_in(site: Pages, browser: Browser) -> None:
    pool_id, client_id = site.ids["optional"]
    site.idp.sign_up(ClientId=client_id, Username="late@example.com", Password=PASSWORD,
                     UserAttributes=[{"Name": "email", "Value": "late@example.com"}])
    browser.go(site.authorize_url())
    assert browser.submit("/login", username="late@example.com", password=PASSWORD) is None
    assert "Confirm your account" in browser.text and "User is not confirmed." in browser.text
    assert len([m for m in site.engine.messages() if m["recipient"] == "late@example.com"]) == 2  # a new code
    _lands_with_code(browser.submit("/confirm", code=site.code("late@example.com")))


def test_forgotten_password_reset_then_sign_in(site: Pages, browser: Browser) -> None:
    site.user("optional", "forgot@example.com")
    browser.go("/forgotPassword?" + site.authorize_url().split("?", 1)[1])
    assert browser.submit("/forgotPassword", username="forgot@example.com") is None
    assert "Choose a new password" in browser.text
    assert browser.submit("/confirmForgotPassword", code=site.code("forgot@example.com"), password="N3w-passw0rd!") is None
    assert "Your password has been reset." in browser.text
    _lands_with_code(browser.submit("/login", password="N3w-passw0rd!"))  # the name is filled in already


def test_a_temporary_password_must_be_changed(site: Pages, browser: Browser) -> None:
    site.user("optional", "invited@example.com", permanent=False)
    browser.go(site.authorize_url())
    assert browser.submit("/login", username="invited@example.com", password="Temp0rary!") is None
    assert "Change your password" in browser.text
    _lands_with_code(browser.submit("/mfa", password="Ch4nged-passw0rd!"))
    status = site.idp.admin_get_user(UserPoolId=site.ids["optional"][0], Username="invited@example.com")["UserStatus"]
    assert status == "CONFIRMED"


def test_totp_mfa_code_with_a_wrong_code_first(site: Pages, browser: Browser) -> None:
    email = site.user("optional", "totp@example.com")
    token = site.access_token("optional", email)
    secret = site.idp.associate_software_token(AccessToken=token)["SecretCode"]
    site.idp.verify_software_token(AccessToken=token, UserCode=site.totp_code(secret))
    site.idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    browser.go(site.authorize_url())
    assert browser.submit("/login", username=email, password=PASSWORD) is None
    assert "the code from your authenticator app" in browser.text
    assert browser.submit("/mfa", code="000000") is None
    assert "Invalid code received for user" in browser.text
    _lands_with_code(browser.submit("/mfa", code=site.totp_code(secret)))


def test_mfa_selection_then_an_sms_code(site: Pages, browser: Browser) -> None:
    email = site.user("optional", "choose@example.com", phone="+15555550100")
    token = site.access_token("optional", email)
    secret = site.idp.associate_software_token(AccessToken=token)["SecretCode"]
    site.idp.verify_software_token(AccessToken=token, UserCode=site.totp_code(secret))
    site.idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True},
                                     SMSMfaSettings={"Enabled": True})
    browser.go(site.authorize_url())
    assert browser.submit("/login", username=email, password=PASSWORD) is None
    assert "Choose how to verify it" in browser.text
    assert 'value="SMS_MFA"' in browser.text and 'value="SOFTWARE_TOKEN_MFA"' in browser.text
    assert browser.submit("/mfa", mfa="SMS_MFA") is None
    assert "the code we sent by text message (+*******0100)" in browser.text
    _lands_with_code(browser.submit("/mfa", code=site.code("+15555550100")))


def test_an_email_mfa_code(site: Pages, browser: Browser) -> None:
    email = site.user("optional", "mailmfa@example.com")
    site.idp.admin_set_user_mfa_preference(UserPoolId=site.ids["optional"][0], Username=email,
                                           EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    browser.go(site.authorize_url())
    assert browser.submit("/login", username=email, password=PASSWORD) is None
    assert "the code we sent by email" in browser.text
    _lands_with_code(browser.submit("/mfa", code=site.code(email)))


def test_required_mfa_is_set_up_with_an_authenticator_app(site: Pages, browser: Browser) -> None:
    email = site.user("required", "setup@example.com")
    browser.go(site.authorize_url("required"))
    assert browser.submit("/login", username=email, password=PASSWORD) is None
    assert "Set up multi-factor authentication" in browser.text
    assert browser.submit("/mfa/setup", mfa="SOFTWARE_TOKEN_MFA") is None
    secret = re.search(r'<code class="secret" id="totp-secret">([A-Z2-7]+)</code>', browser.text)
    assert secret and "otpauth://totp/" in browser.text
    assert browser.submit("/mfa/totp", code="123") is None and "Code mismatch" in browser.text
    _lands_with_code(browser.submit("/mfa/totp", code=site.totp_code(secret.group(1))))
    user = site.idp.admin_get_user(UserPoolId=site.ids["required"][0], Username=email)
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]


def test_required_mfa_is_set_up_with_an_email_address(site: Pages, browser: Browser) -> None:
    email = site.user("required", "mailsetup@example.com")
    browser.go(site.authorize_url("required"))
    browser.submit("/login", username=email, password=PASSWORD)
    assert browser.submit("/mfa/setup", mfa="EMAIL_OTP") is None and "Set up email verification" in browser.text
    assert browser.submit("/mfa", email=email) is None and "the code we sent by email" in browser.text
    _lands_with_code(browser.submit("/mfa", code=site.code(email)))


def test_a_form_without_the_page_token_is_refused(site: Pages, browser: Browser) -> None:
    browser.go(site.authorize_url())
    assert browser.submit("/login", _csrf="forged", username="x@example.com", password=PASSWORD) is None
    assert browser.page is not None and browser.page.status_code == 403
    assert "This page has expired." in browser.text
