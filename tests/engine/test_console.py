"""The local console over HTTP (``/_console/``): the token, the cookie, CSRF and loopback checks; the write
actions change the engine's state as Cognito's Admin* operations do; the pages show the data, escaped."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito.exceptions import ForceChangePasswordException

from amplify_py.local import LocalEngine
from tests.engine.conftest import PASSWORD, POOL, Env, ManualClock, template

HOSTILE_NAME = '"><script>alert(1)</script>'
HOSTILE_VALUE = "<script>alert(2)</script>"


def _username_pool() -> dict:
    """The groups case, signing in with a user name (so a user name can be anything Cognito allows)."""
    tpl = copy.deepcopy(template("groups"))
    del tpl["Resources"][POOL]["Properties"]["UsernameAttributes"]
    return tpl


class Trigger:
    """An in-process PreSignUp trigger that refuses addresses at blocked.example."""

    def __call__(self, deployment: str, ref: Any, event: dict) -> dict:
        if event["request"]["userAttributes"].get("email", "").endswith("@blocked.example"):
            raise RuntimeError("blocked domain")
        return {**event, "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalEngine, ManualClock]]:
    clock = ManualClock()
    started = LocalEngine(tmp_path_factory.mktemp("engine"), clock=clock, trigger_invoker=Trigger()).start()
    yield started, clock
    started.stop()


@pytest.fixture(scope="module")
def groups(engine: tuple[LocalEngine, ManualClock]) -> Env:
    return Env(engine[0], engine[1], "console-groups", _username_pool())


@pytest.fixture(scope="module")
def mfa(engine: tuple[LocalEngine, ManualClock]) -> Env:
    return Env(engine[0], engine[1], "console-mfa", template("mfa_optional_totp_sms"))


@pytest.fixture(scope="module")
def triggers(engine: tuple[LocalEngine, ManualClock]) -> Env:
    return Env(engine[0], engine[1], "console-triggers", template("triggers"))


class Console:
    """A browser stand-in: keeps the cookie, reads each form's CSRF token from the page it came from."""

    def __init__(self, engine: LocalEngine) -> None:
        self.engine = engine
        self.http = httpx.Client(base_url=engine.endpoint, follow_redirects=False)
        visit = self.http.get(f"/_console/?token={engine.console_token}")
        assert visit.status_code == 303, visit.text

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params or None)

    def user_page(self, pool_id: str, username: str) -> httpx.Response:
        page = self.get(f"/_console/pools/{pool_id}/user", name=username)
        assert page.status_code == 200, page.text
        return page

    def csrf(self, page: httpx.Response) -> str:
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text).group(1)

    def act(self, pool_id: str, username: str, action: str, **fields: str) -> httpx.Response:
        csrf = self.csrf(self.user_page(pool_id, username))
        return self.http.post(f"/_console/pools/{pool_id}/user/{action}",
                              data={"csrf": csrf, "username": username, **fields})


@pytest.fixture(scope="module")
def console(engine: tuple[LocalEngine, ManualClock]) -> Iterator[Console]:
    browser = Console(engine[0])
    yield browser
    browser.http.close()


def _create(env: Env, username: str, email: str, **attributes: str) -> None:
    attrs = [{"Name": "email", "Value": email}] + [{"Name": k, "Value": v} for k, v in attributes.items()]
    env.idp.sign_up(ClientId=env.client_id, Username=username, Password=PASSWORD, UserAttributes=attrs)


def _status(env: Env, username: str) -> dict:
    return env.idp.admin_get_user(UserPoolId=env.pool_id, Username=username)


# --- the token -----------------------------------------------------------------------------
def test_every_page_needs_the_token_and_the_sign_in_page_says_where_it_is(engine, groups: Env) -> None:
    _create(groups, "reader", "reader@example.com")
    anonymous = httpx.Client(base_url=engine[0].endpoint)
    for path in ("/_console/", f"/_console/pools/{groups.pool_id}", f"/_console/pools/{groups.pool_id}/user?name=reader",
                 "/_console/outbox", "/_console/activity"):
        page = anonymous.get(path)
        assert page.status_code == 403, path
        assert '<label for="token">Console token</label>' in page.text and "ampy sandbox" in page.text
        assert "reader@example.com" not in page.text and "UNCONFIRMED" not in page.text
    asked = anonymous.get(f"/_console/pools/{groups.pool_id}/user", params={"name": "reader"})
    assert '<input type="hidden" name="name" value="reader">' in asked.text  # the sign-in comes back to the page
    wrong = anonymous.get("/_console/", params={"token": "not-it"})
    assert wrong.status_code == 403 and "set-cookie" not in wrong.headers
    assert 'aria-invalid="true" aria-describedby="token-error"' in wrong.text
    assert "That is not this engine&#39;s console token." in wrong.text
    style = anonymous.get("/_console/console.css")  # the sign-in page needs it
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")


def test_a_token_visit_sets_a_strict_http_only_cookie_and_leaves_the_address(engine, groups: Env) -> None:
    started = engine[0]
    assert started.console_url == f"{started.endpoint}/_console/?token={started.console_token}"
    visitor = httpx.Client(base_url=started.endpoint)
    visit = visitor.get(f"/_console/pools/{groups.pool_id}", params={"page": "1", "token": started.console_token})
    assert visit.status_code == 303
    assert visit.headers["location"] == f"/_console/pools/{groups.pool_id}?page=1"
    cookie = visit.headers["set-cookie"]
    assert cookie.startswith(f"ampy-console-{started.port}=")
    assert started.console_token not in cookie  # a value derived from it, not the token itself
    assert {"HttpOnly", "Path=/_console/", "SameSite=strict"} <= {part.strip() for part in cookie.split(";")}
    page = visitor.get(visit.headers["location"])
    assert page.status_code == 200 and "<h1>amplifyAuthUserPool4BA7F805</h1>" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'; style-src 'self'")
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "same-origin"  # not no-referrer: that makes a form's Origin "null"
    forged = httpx.Client(base_url=started.endpoint, cookies={f"ampy-console-{started.port}": "0" * 64})
    assert forged.get("/_console/").status_code == 403


def test_a_host_header_that_is_not_loopback_is_refused(console: Console, groups: Env) -> None:
    port = console.engine.port
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.nip.io:{port}", f"localhost.evil.example:{port}"):
        refused = console.http.get("/_console/", headers={"Host": host})
        assert refused.status_code == 403, host
        assert refused.text.startswith("The local console answers only requests from this machine")
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost"):
        assert console.http.get("/_console/", headers={"Host": host}).status_code == 200, host
    _create(groups, "rebound", "rebound@example.com")
    csrf = console.csrf(console.user_page(groups.pool_id, "rebound"))
    post = console.http.post(f"/_console/pools/{groups.pool_id}/user/confirm", headers={"Host": "evil.example"},
                             data={"csrf": csrf, "username": "rebound"})
    assert post.status_code == 403 and _status(groups, "rebound")["UserStatus"] == "UNCONFIRMED"


def test_a_form_post_needs_the_cookie_the_csrf_token_and_the_same_origin(console: Console, groups: Env) -> None:
    _create(groups, "guarded", "guarded@example.com")
    url = f"/_console/pools/{groups.pool_id}/user/confirm"
    csrf = console.csrf(console.user_page(groups.pool_id, "guarded"))
    anonymous = httpx.Client(base_url=console.engine.endpoint)
    assert anonymous.post(url, data={"csrf": csrf, "username": "guarded"}).status_code == 403
    for fields, headers, status, says in (
        ({"username": "guarded"}, {}, 403, "its CSRF token does not match"),
        ({"csrf": "0" * 64, "username": "guarded"}, {}, 403, "its CSRF token does not match"),
        ({"csrf": csrf, "username": "guarded"}, {"Origin": "http://localhost:3000"}, 403, "sent from another site"),
        ({"csrf": csrf, "username": "guarded"}, {"Sec-Fetch-Site": "cross-site"}, 403, "sent from another site"),
        ({"csrf": csrf, "username": "guarded"}, {"Sec-Fetch-Site": "same-site"}, 403, "sent from another site"),
    ):
        refused = console.http.post(url, data=fields, headers=headers)
        assert (refused.status_code, says in refused.text) == (status, True), (fields, headers)
    plain = console.http.post(url, content=f"csrf={csrf}&username=guarded", headers={"Content-Type": "text/plain"})
    assert plain.status_code == 403 and "takes its own HTML forms only" in plain.text
    assert _status(groups, "guarded")["UserStatus"] == "UNCONFIRMED"
    origin = f"http://127.0.0.1:{console.engine.port}"
    accepted = console.http.post(url, data={"csrf": csrf, "username": "guarded"},
                                 headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"})
    assert accepted.status_code == 303 and _status(groups, "guarded")["UserStatus"] == "CONFIRMED"


# --- write actions -------------------------------------------------------------------------
def test_confirm_disable_enable_and_delete_change_the_user(console: Console, groups: Env) -> None:
    _create(groups, "lifecycle", "lifecycle@example.com")
    confirmed = console.act(groups.pool_id, "lifecycle", "confirm")
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"/_console/pools/{groups.pool_id}/user?name=lifecycle&done=confirm"
    assert _status(groups, "lifecycle")["UserStatus"] == "CONFIRMED"
    after = console.get(confirmed.headers["location"])
    assert '<p class="notice" role="status">User confirmed.</p>' in after.text
    assert "Confirm user" not in after.text  # only an unconfirmed user has the button

    tokens = groups.srp_sign_in("lifecycle")["AuthenticationResult"]
    assert console.act(groups.pool_id, "lifecycle", "disable").status_code == 303
    assert _status(groups, "lifecycle")["Enabled"] is False
    with pytest.raises(ClientError, match="User is disabled."):
        groups.srp_sign_in("lifecycle")
    with pytest.raises(ClientError, match="Refresh Token has been revoked"):
        groups.idp.initiate_auth(ClientId=groups.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert "Enable user" in console.user_page(groups.pool_id, "lifecycle").text
    assert console.act(groups.pool_id, "lifecycle", "enable").status_code == 303
    assert _status(groups, "lifecycle")["Enabled"] is True and groups.srp_sign_in("lifecycle")

    unticked = console.act(groups.pool_id, "lifecycle", "delete")
    assert unticked.status_code == 400
    assert 'aria-invalid="true" aria-describedby="delete-confirm_delete-error"' in unticked.text
    assert "Tick the box to confirm: deleting a user cannot be undone." in unticked.text
    deleted = console.act(groups.pool_id, "lifecycle", "delete", confirm_delete="yes")
    assert deleted.headers["location"] == f"/_console/pools/{groups.pool_id}?done=delete"
    with pytest.raises(ClientError, match="User does not exist."):
        _status(groups, "lifecycle")
    gone = console.get(f"/_console/pools/{groups.pool_id}/user", name="lifecycle")
    assert gone.status_code == 404 and "User lifecycle does not exist in pool" in gone.text


def test_confirming_a_confirmed_user_shows_cognitos_refusal_next_to_the_button(console: Console, groups: Env) -> None:
    _create(groups, "twice", "twice@example.com")
    assert console.act(groups.pool_id, "twice", "confirm").status_code == 303
    again = console.act(groups.pool_id, "twice", "confirm")
    assert again.status_code == 400
    assert ('<p class="error" id="confirm-action-error"><span class="error-label">Error:</span> '
            "NotAuthorizedException: User cannot be confirmed. Current status is CONFIRMED</p>") in again.text


def test_set_password_follows_the_pool_policy_and_permanent(console: Console, groups: Env) -> None:
    _create(groups, "secret", "secret@example.com")
    weak = console.act(groups.pool_id, "secret", "set-password", password="short", permanent="yes")
    assert weak.status_code == 400
    field = re.search(r'<input id="password"[^>]*>', weak.text).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="set-password-password-error password-hint"' in field
    assert re.search(r'id="set-password-password-error"><span class="error-label">Error:</span> '
                     r"InvalidPasswordException: Password did not conform with policy: Password not long enough",
                     weak.text)
    empty = console.act(groups.pool_id, "secret", "set-password", password="")
    assert empty.status_code == 400 and "Enter the new password." in empty.text

    assert console.act(groups.pool_id, "secret", "set-password", password="N3w-Passw0rd!",
                       permanent="yes").status_code == 303
    assert _status(groups, "secret")["UserStatus"] == "UNCONFIRMED"  # a permanent password does not confirm
    assert console.act(groups.pool_id, "secret", "set-password", password="Temp-Passw0rd!").status_code == 303
    assert _status(groups, "secret")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    with pytest.raises(ForceChangePasswordException, match="Change password before authenticating"):
        groups.srp_sign_in("secret", "Temp-Passw0rd!")  # the NEW_PASSWORD_REQUIRED challenge


def test_add_to_and_remove_from_a_group(console: Console, groups: Env) -> None:
    _create(groups, "member", "member@example.com")
    page = console.user_page(groups.pool_id, "member")
    assert '<option value="ADMINS">ADMINS</option>' in page.text and "Not in any group." in page.text
    assert console.act(groups.pool_id, "member", "add-to-group", group="EDITORS").status_code == 303
    listed = groups.idp.admin_list_groups_for_user(UserPoolId=groups.pool_id, Username="member")["Groups"]
    assert [g["GroupName"] for g in listed] == ["EDITORS"]
    page = console.user_page(groups.pool_id, "member")
    assert "Remove from EDITORS" in page.text and '<option value="EDITORS">' not in page.text
    users = console.get(f"/_console/pools/{groups.pool_id}")
    assert re.search(r'name=member">member</a></th>.*?<td>EDITORS</td>', users.text, re.S)

    unknown = console.act(groups.pool_id, "member", "add-to-group", group="NOPE")
    assert unknown.status_code == 400 and "ResourceNotFoundException: Group not found." in unknown.text
    assert console.act(groups.pool_id, "member", "remove-from-group", group="EDITORS").status_code == 303
    assert groups.idp.admin_list_groups_for_user(UserPoolId=groups.pool_id, Username="member")["Groups"] == []


def test_reset_mfa_turns_every_factor_off_and_forgets_the_authenticator(console: Console, mfa: Env) -> None:
    mfa.confirmed_user("mfa@example.com")
    access = mfa.srp_sign_in("mfa@example.com")["AuthenticationResult"]["AccessToken"]
    secret = mfa.idp.associate_software_token(AccessToken=access)["SecretCode"]
    mfa.idp.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).at(mfa.clock()))
    mfa.idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    [username] = [u["Username"] for u in mfa.idp.list_users(UserPoolId=mfa.pool_id)["Users"]]
    assert _status(mfa, username)["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    page = console.user_page(mfa.pool_id, username)
    assert "Authenticator app registered: yes." in page.text
    assert re.search(r"SOFTWARE_TOKEN_MFA</code></th>\s*<td>Yes</td>\s*<td>Yes</td>", page.text)

    assert console.act(mfa.pool_id, username, "reset-mfa").status_code == 303
    after = _status(mfa, username)
    assert "UserMFASettingList" not in after and "PreferredMfaSetting" not in after
    assert "Authenticator app registered: no." in console.user_page(mfa.pool_id, username).text
    assert mfa.srp_sign_in("mfa@example.com")["AuthenticationResult"]  # no MFA challenge any more
    with pytest.raises(ClientError, match="User has not set up software token mfa"):
        mfa.idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True})


def test_an_unknown_pool_user_or_action_is_a_404(console: Console, groups: Env) -> None:
    missing = console.get("/_console/pools/us-east-1_missing")
    assert missing.status_code == 404 and "User pool us-east-1_missing does not exist." in missing.text
    _create(groups, "acted", "acted@example.com")
    assert console.act(groups.pool_id, "acted", "promote").status_code == 404
    csrf = console.csrf(console.user_page(groups.pool_id, "acted"))
    nobody = console.http.post(f"/_console/pools/{groups.pool_id}/user/confirm", data={"csrf": csrf, "username": "nobody"})
    assert nobody.status_code == 404 and "User nobody does not exist in pool" in nobody.text


# --- what the pages show -------------------------------------------------------------------
def test_the_pages_show_pools_users_the_outbox_and_the_activity(console: Console, groups: Env, triggers: Env) -> None:
    _create(groups, "shown", "shown@example.com")
    pools = console.get("/_console/")
    assert f"<td><code>{groups.pool_id}</code></td>" in pools.text and f"<td><code>{triggers.pool_id}</code></td>" in pools.text
    assert "<td>ADMINS, EDITORS</td>" in pools.text and "<td>PreSignUp</td>" in pools.text
    users = console.get(f"/_console/pools/{groups.pool_id}")
    assert re.search(r'name=shown">shown</a></th>\s*<td><span class="status status-unconfirmed">UNCONFIRMED</span>',
                     users.text)
    code = groups.code("shown@example.com")
    outbox = console.get("/_console/outbox")
    assert re.search(rf'<th scope="row">shown@example.com</th>.*?<code class="code">{code}</code>', outbox.text, re.S)

    triggers.sign_up("ok@example.com")
    with pytest.raises(ClientError, match="PreSignUp failed with error blocked domain."):
        triggers.sign_up("no@blocked.example")
    with pytest.raises(ClientError, match="Incorrect username or password."):
        groups.srp_sign_in("shown", "Wr0ng-password!")
    activity = console.get("/_console/activity").text
    assert re.search(r'<th scope="row">SignUp</th>\s*<td>OK</td>', activity)
    assert re.search(r'<th scope="row">SignUp</th>\s*<td><span class="failed">UserLambdaValidationException</span>',
                     activity)
    assert re.search(r'<th scope="row">RespondToAuthChallenge</th>\s*<td><span class="failed">NotAuthorizedException',
                     activity)
    assert re.search(rf'<th scope="row">PreSignUp</th>\s*<td><code>PreSignUp_SignUp</code></td>\s*'
                     rf'<td><code>{triggers.pool_id}</code></td>\s*<td>OK</td>', activity)
    assert "Failed: RuntimeError: blocked domain" in activity
    console_action = console.act(groups.pool_id, "shown", "confirm")
    assert console_action.status_code == 303
    assert re.search(r'<th scope="row">AdminConfirmSignUp</th>\s*<td>OK</td>', console.get("/_console/activity").text)


def test_user_controlled_values_are_escaped_everywhere(console: Console, groups: Env) -> None:
    _create(groups, HOSTILE_NAME, "hostile@example.com", name=HOSTILE_VALUE)
    pages = [console.get(f"/_console/pools/{groups.pool_id}").text, console.user_page(groups.pool_id, HOSTILE_NAME).text]
    assert "<script>" not in console.get("/_console/outbox").text
    for html in pages:
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
    user_page = pages[1]
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in user_page
    assert '<input type="hidden" name="username" value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">' in user_page
    assert "name=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E" in pages[0]  # the link's query, percent-encoded
    # The escaped name goes back to the engine as the user's own: the action reaches the right user.
    assert console.act(groups.pool_id, HOSTILE_NAME, "confirm").status_code == 303
    assert _status(groups, HOSTILE_NAME)["UserStatus"] == "CONFIRMED"


def test_users_are_listed_a_page_at_a_time(console: Console, engine) -> None:
    paged = Env(engine[0], engine[1], "console-paging", _username_pool())
    for number in range(53):
        _create(paged, f"user{number:02d}", f"user{number:02d}@example.com")
    first = console.get(f"/_console/pools/{paged.pool_id}").text
    assert "<caption>Users 1–50 of 53, oldest first</caption>" in first
    assert "name=user49" in first and "name=user50" not in first and 'rel="next">Next page</a>' in first
    second = console.get(f"/_console/pools/{paged.pool_id}", page="2").text
    assert "<caption>Users 51–53 of 53, oldest first</caption>" in second and 'rel="prev"' in second
    assert "name=user52" in second and "name=user49" not in second
    for odd in ("0", "-1", "x", "9" * 30):
        assert "Users 1–50 of 53" in console.get(f"/_console/pools/{paged.pool_id}", page=odd).text
