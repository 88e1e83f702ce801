"""The local console in headless Chromium, with the pages' JavaScript turned off, against a background engine
(``local serve``, as ``ampy sandbox --once`` leaves it) that holds a user: the token address signs the browser
in, the user is shown, confirming it and a refused password work through plain HTML forms, and every page
passes basic accessibility checks (labelled controls, headings in order, captioned tables)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from selenium.webdriver.common.keys import Keys

from amplify_py.deploy import background_engine
from amplify_py.local import LocalEngine
from tests.browser._browser import CHROMEDRIVER, CHROMIUM, Browser

CASES = Path(__file__).resolve().parents[1] / "data" / "reference" / "cases"
POOL = "amplifyAuthUserPool4BA7F805"
CLIENT = "amplifyAuthUserPoolAppClient2626C6F8"
EMAIL = "ada@example.com"
HOSTILE = "<script>alert('owned')</script>"

pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                                reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")

# What a person with a screen reader or a keyboard needs of every page, read from the rendered DOM.
_AUDIT = """
const controls = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')];
const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
return {
  lang: document.documentElement.lang,
  title: document.title,
  scripts: document.scripts.length,
  unlabelled: controls.filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')).map(c => c.outerHTML),
  unnamedButtons: [...document.querySelectorAll('button')].filter(b => !b.textContent.trim()).map(b => b.outerHTML),
  headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1])),
  tablesWithoutCaption: [...document.querySelectorAll('table')].filter(t => !t.caption).length,
  headersWithoutScope: [...document.querySelectorAll('th')].filter(th => !th.getAttribute('scope')).length,
  brokenDescriptions: [...document.querySelectorAll('[aria-describedby]')].flatMap(
    e => e.getAttribute('aria-describedby').split(' ').filter(id => !document.getElementById(id))),
  duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
  main: document.querySelectorAll('main').length,
};
"""


def _check_accessibility(browser: Browser) -> None:
    page = browser.driver.execute_script(_AUDIT)
    where = browser.driver.current_url
    assert page["lang"] == "en" and page["title"].endswith("· amplify-py local console"), where
    assert page["scripts"] == 0 and page["main"] == 1, where
    assert page["unlabelled"] == [] and page["unnamedButtons"] == [], where
    headings = page["headings"]
    assert headings[0] == 1 and headings.count(1) == 1, (where, headings)
    assert all(later <= earlier + 1 for earlier, later in zip(headings, headings[1:])), (where, headings)
    assert page["tablesWithoutCaption"] == 0 and page["headersWithoutScope"] == 0, where
    assert page["brokenDescriptions"] == [] and page["duplicateIds"] == [], where


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A deployed pool with one unconfirmed user, served by a background engine, and a Chromium without JS."""
    state_dir = tmp_path_factory.mktemp("sandbox")
    engine = LocalEngine(state_dir)
    try:
        ids = engine.deploy("console-browser", json.loads((CASES / "groups.template.json").read_text())).physical_ids
    finally:
        engine.stop()
    info = background_engine.start_detached_server(state_dir, port=_free_port())
    browser = None
    try:
        idp = boto3.client("cognito-idp", endpoint_url=info.endpoint,  # admin calls: the engine's credentials
                           **engine.credentials.boto3_kwargs())
        idp.sign_up(ClientId=ids[CLIENT], Username=EMAIL, Password="Passw0rd!",
                    UserAttributes=[{"Name": "email", "Value": EMAIL}, {"Name": "name", "Value": HOSTILE}])
        browser = Browser(tmp_path_factory.mktemp("chromium-profile"), javascript=False)
        yield {"info": info, "idp": idp, "pool_id": ids[POOL], "browser": browser}
    finally:
        if browser is not None:
            browser.close()
        background_engine.stop_detached_server(state_dir)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_console_in_chromium_shows_the_user_and_its_forms_work_without_javascript(sandbox: dict) -> None:
    browser: Browser = sandbox["browser"]
    driver = browser.driver
    info = sandbox["info"]
    pool_id = sandbox["pool_id"]

    driver.get(f"{info.endpoint}/_console/")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Open the console"
    _check_accessibility(browser)

    driver.get(info.console_url)  # the address `ampy sandbox` prints
    assert driver.current_url == f"{info.endpoint}/_console/"  # the token left the address bar
    [cookie] = driver.get_cookies()
    assert cookie["name"] == f"ampy-console-{info.port}" and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert pool_id in driver.find_element(By.TAG_NAME, "table").text
    _check_accessibility(browser)
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element.text == "Skip to content"  # the first stop for a keyboard

    driver.find_element(By.LINK_TEXT, POOL).click()
    row = driver.find_element(By.XPATH, f"//tr[td[contains(., '{EMAIL}')]]")
    assert "UNCONFIRMED" in row.text
    _check_accessibility(browser)

    row.find_element(By.TAG_NAME, "a").click()
    assert driver.find_element(By.XPATH, "//tr[th[code[.='name']]]/td").text == HOSTILE  # shown as text
    _check_accessibility(browser)
    driver.find_element(By.XPATH, "//button[.='Confirm user']").click()
    WebDriverWait(driver, 20).until(lambda d: "done=confirm" in d.current_url)  # the POST, then its redirect
    assert driver.find_element(By.CSS_SELECTOR, "[role=status]").text == "User confirmed."
    assert driver.find_element(By.CSS_SELECTOR, ".facts .status").text == "CONFIRMED"
    [user] = sandbox["idp"].list_users(UserPoolId=pool_id)["Users"]
    assert user["UserStatus"] == "CONFIRMED"

    driver.find_element(By.ID, "password").send_keys("short")
    driver.find_element(By.XPATH, "//button[.='Set password']").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#password[aria-invalid=true]"))
    field = driver.find_element(By.ID, "password")
    assert field.get_attribute("aria-invalid") == "true"
    error = driver.find_element(By.ID, field.get_attribute("aria-describedby").split()[0])
    assert error.is_displayed()
    assert error.text == "ERROR: InvalidPasswordException: Password did not conform with policy: Password not long enough"
    _check_accessibility(browser)

    driver.find_element(By.LINK_TEXT, "Outbox").click()
    assert "ada@example.com" in driver.find_element(By.TAG_NAME, "table").text
    _check_accessibility(browser)
    driver.find_element(By.LINK_TEXT, "Activity").click()
    assert "AdminConfirmSignUp" in driver.find_element(By.ID, "requests").find_element(By.XPATH, "following::table").text
    _check_accessibility(browser)
