"""Federated sign-in through the local stand-in identity providers, over the real HTTP endpoints: the app drives
the code + PKCE flow with authlib, the "browser" types a test identity on the stand-in's page, and the
engine's bridge speaks the provider's protocol to the stand-in (OIDC with discovery, JWKS and userinfo;
Google; Sign in with Apple's form_post and ES256 client secret; Facebook's Graph; Login with Amazon)."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import httpx
import jwt
import pytest
from authlib.integrations.httpx_client import OAuth2Client

from amplify_py.local import LocalEngine
from tests._federation import IDENTITY_POOL, apple_key_pem, federated_template
from tests._managed_login import CALLBACK, CLIENT, POOL, Browser, forms, query, trusting
from tests.engine.conftest import ManualClock

NATIVE = "ada@example.com"


class Federated:
    """One engine serving managed login for a pool that federates with every provider type."""

    def __init__(self, tmp: Path) -> None:
        self.events: list[dict] = []
        self.logs: list[tuple[str, str]] = []
        self.refuse_sign_up = False
        self.ca_file = tmp / "ca" / "amplify-py-local-ca.pem"
        self.engine = LocalEngine(tmp / "state", clock=ManualClock(), managed_login_port=0, ca_dir=tmp / "ca",
                                  trigger_invoker=self._invoke,
                                  on_log=lambda source, line: self.logs.append((source, line))).start()
        self.apple_key = apple_key_pem()
        ids = self.engine.deploy("federated", federated_template(apple_key=self.apple_key)).physical_ids
        self.pool_id, self.client_id, self.identity_pool_id = ids[POOL], ids[CLIENT], ids[IDENTITY_POOL]
        kwargs = self.engine.credentials.boto3_kwargs()
        self.idp = boto3.client("cognito-idp", endpoint_url=self.engine.endpoint, **kwargs)
        self.identity = boto3.client("cognito-identity", endpoint_url=self.engine.endpoint, **kwargs)
        self.domain = self.engine.managed_login_domain or ""
        self.tls = trusting(self.ca_file)

    def _invoke(self, deployment: str, ref: object, event: dict) -> dict:
        self.events.append(event)
        if self.refuse_sign_up and event["triggerSource"].startswith("PreSignUp"):
            raise RuntimeError("sign-ups are closed")
        return event

    def sources(self) -> list[str]:
        return [e["triggerSource"] for e in self.events]

    def sign_in(self, provider: str, identity: dict[str, str] | None = None, *, deny: bool = False,
                ) -> dict[str, str]:
        """The app's code + PKCE flow with ``identity_provider=``; the developer fills the stand-in's page. The
        query the app's callback gets."""
        client = OAuth2Client(self.client_id, redirect_uri=CALLBACK, verify=self.tls, scope="openid email profile",
                              code_challenge_method="S256")
        self.verifier = base64.urlsafe_b64encode(b"f" * 48).decode().rstrip("=")
        url, self.state = client.create_authorization_url(f"https://{self.domain}/oauth2/authorize",
                                                          code_verifier=self.verifier, identity_provider=provider)
        browser = Browser(self.domain, self.ca_file)
        try:
            assert browser.go(url) is None
            page = browser.text
            assert "Local stand-in for" in page, page[:1000]
            path = str(browser.page.url.path) if browser.page else ""
            landed = browser.submit(path, action="deny" if deny else "allow", **(identity or {}))
            if landed is None and "form_post" in browser.text:  # Sign in with Apple answers with a form post
                landed = browser.submit("/oauth2/idpresponse")
        finally:
            browser.close()
        assert landed is not None and landed.startswith(CALLBACK), landed
        self.client = client
        return query(landed)

    def tokens(self, answer: dict[str, str]) -> dict[str, Any]:
        assert answer["state"] == self.state
        token = self.client.fetch_token(f"https://{self.domain}/oauth2/token", code=answer["code"],
                                        code_verifier=self.verifier)
        keys = jwt.PyJWKClient(f"{self.engine.endpoint}/{self.pool_id}/.well-known/jwks.json")
        id_token = token["id_token"]
        claims = jwt.decode(id_token, keys.get_signing_key_from_jwt(id_token).key, algorithms=["RS256"],
                            audience=self.client_id, options={"verify_exp": False, "verify_iat": False})
        return {"id_token": id_token, "claims": claims}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federated]:
    federated = Federated(tmp_path_factory.mktemp("federation"))
    yield federated
    federated.engine.stop()


@pytest.fixture(autouse=True)
def _fresh(env: Federated) -> None:
    env.events.clear()
    env.refuse_sign_up = False


def test_google_sign_in_makes_a_federated_user_as_cognito_names_it(env: Federated) -> None:
    identity = {"email": "grace@example.com", "name": "Grace Hopper", "given_name": "Grace",
                "family_name": "Hopper", "subject": "110169484474386276334"}
    claims = env.tokens(env.sign_in("Google", identity))["claims"]
    assert claims["cognito:username"] == "google_110169484474386276334"  # lower-cased: case-insensitive pool
    assert (claims["email"], claims["given_name"], claims["name"]) == ("grace@example.com", "Grace", "Grace Hopper")
    [entry] = claims["identities"]
    assert {k: entry[k] for k in ("userId", "providerName", "providerType", "issuer", "primary")} == {
        "userId": "110169484474386276334", "providerName": "Google", "providerType": "Google", "issuer": None,
        "primary": "true"}
    assert entry["dateCreated"].isdigit()
    user = env.idp.admin_get_user(UserPoolId=env.pool_id, Username="google_110169484474386276334")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    assert env.sources() == ["PreSignUp_ExternalProvider", "PostConfirmation_ConfirmSignUp",
                             "PreAuthentication_Authentication", "PostAuthentication_Authentication"]
    assert claims["cognito:groups"] == [f"{env.pool_id}_Google"]
    pre_sign_up = env.events[0]
    assert pre_sign_up["userName"] == "google_110169484474386276334"
    assert pre_sign_up["request"]["userAttributes"]["email"] == "grace@example.com"

    env.events.clear()  # a second sign-in: the mapping is applied again; no sign-up triggers
    identity["name"] = "Rear Admiral Grace Hopper"
    claims = env.tokens(env.sign_in("Google", identity))["claims"]
    assert claims["name"] == "Rear Admiral Grace Hopper"
    assert env.sources() == ["PreAuthentication_Authentication", "PostAuthentication_Authentication"]


def test_a_federated_users_email_does_not_sign_in_with_a_password(env: Federated) -> None:
    env.tokens(env.sign_in("Google", {"email": "lin@example.com", "subject": "4242"}))
    with pytest.raises(env.idp.exceptions.UserNotFoundException, match="User does not exist"):
        env.idp.admin_get_user(UserPoolId=env.pool_id, Username="lin@example.com")


def test_oidc_provider_with_discovery_userinfo_by_post_and_a_custom_attribute(
        env: Federated, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, str]] = []
    request = OAuth2Client.request

    def recording(self: OAuth2Client, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append((method, str(url).rsplit("/", 1)[-1]))
        return request(self, method, url, *args, **kwargs)

    monkeypatch.setattr(OAuth2Client, "request", recording)
    identity = {"email": "alan@example.com", "name": "Alan Turing", "department": "Hut 8", "subject": "Alan-42"}
    claims = env.tokens(env.sign_in("MicrosoftEntraID", identity))["claims"]
    assert ("POST", "userinfo") in sent and ("GET", "userinfo") not in sent  # attributes_request_method: POST
    assert claims["cognito:username"] == "microsoftentraid_alan-42"
    assert (claims["email"], claims["custom:department"]) == ("alan@example.com", "Hut 8")
    [entry] = claims["identities"]
    assert (entry["userId"], entry["providerType"], entry["issuer"]) == (
        "Alan-42", "OIDC", "https://login.microsoftonline.com/tenant-id/v2.0")


@pytest.mark.parametrize(("provider", "identity", "username_prefix"), [
    ("Facebook", {"email": "fb@example.com", "name": "Fay Book"}, "facebook_"),
    ("LoginWithAmazon", {"email": "amzn@example.com", "name": "Ama Zon"}, "loginwithamazon_amzn1.account."),
    ("SignInWithApple", {"email": "apple@example.com", "firstName": "Ap", "lastName": "Ple"}, "signinwithapple_"),
])
def test_social_providers_sign_in_through_their_own_protocols(env: Federated, provider: str,
                                                              identity: dict[str, str], username_prefix: str) -> None:
    claims = env.tokens(env.sign_in(provider, identity))["claims"]
    assert claims["cognito:username"].startswith(username_prefix)
    assert claims["email"] == identity["email"]
    assert claims["name"] == identity.get("name", "Ap Ple")
    if provider == "SignInWithApple":
        assert claims["given_name"] == "Ap"
    assert claims["identities"][0]["providerType"] == provider


def test_sign_in_with_apple_with_a_placeholder_key_uses_a_local_one(env: Federated) -> None:
    ids = env.engine.deploy("placeholder", federated_template()).physical_ids  # private_key: "apple-private-key"
    placeholder = copy.copy(env)
    placeholder.pool_id, placeholder.client_id = ids[POOL], ids[CLIENT]
    claims = placeholder.tokens(placeholder.sign_in("SignInWithApple", {"email": "p@example.com"}))["claims"]
    assert claims["email"] == "p@example.com" and claims["cognito:username"].startswith("signinwithapple_000")
    notes = [line for source, line in env.logs if "private_key is not a PEM EC key" in line]
    assert notes == ["SignInWithApple: the template's Sign in with Apple private_key is not a PEM EC key; the local "
                     "engine signs the client secret with a key of its own, which the local stand-in trusts."]


def test_the_apple_stand_in_refuses_a_client_secret_signed_by_another_key(env: Federated,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from amplify_py.local.operations import federation_bridges

    real = federation_bridges.apple_signing_key  # each call: a new key, so the secret's is not the registered one
    monkeypatch.setattr(federation_bridges, "apple_signing_key",
                        lambda pool, name, pem: (real(pool, name, apple_key_pem())[0], False))
    answer = env.sign_in("SignInWithApple", {"email": "q@example.com"})
    assert answer["error"] == "invalid_request"
    assert answer["error_description"] == "SignInWithApple Error - 401 error getting token"  # as Cognito words it


def test_the_continue_with_button_and_login_hint_reach_the_stand_in(env: Federated) -> None:
    browser = Browser(env.domain, env.ca_file)
    try:
        authorize = (f"/oauth2/authorize?response_type=code&client_id={env.client_id}&redirect_uri={CALLBACK}"
                     "&login_hint=hint%40example.com")
        assert browser.go(authorize) is None and "Continue with Google" in browser.text
        google = next(f for f in forms(browser.text) if f["fields"].get("identity_provider") == "Google")
        assert browser.go("/oauth2/authorize?" + urlencode(google["fields"])) is None
        assert "Sign in with Google" in browser.text and 'value="hint@example.com"' in browser.text
    finally:
        browser.close()


def test_the_stand_in_offers_identities_signed_in_before(env: Federated) -> None:
    env.tokens(env.sign_in("LoginWithAmazon", {"email": "again@example.com", "name": "Again",
                                               "subject": "amzn1.account.AGAIN"}))
    client = OAuth2Client(env.client_id, redirect_uri=CALLBACK, verify=env.tls, scope="openid email profile")
    url, _ = client.create_authorization_url(f"https://{env.domain}/oauth2/authorize",
                                             identity_provider="LoginWithAmazon")
    browser = Browser(env.domain, env.ca_file)
    try:
        assert browser.go(url) is None and "Continue as again@example.com" in browser.text
        recent = [f for f in forms(browser.text) if f["fields"].get("subject") == "amzn1.account.AGAIN"]
        assert recent and recent[0]["fields"]["name"] == "Again"
        landed = browser._settle(browser.http.post(str(browser.page.url.copy_with(query=None)) if browser.page else "",
                                                   data={**recent[0]["fields"], "action": "allow"}))
    finally:
        browser.close()
    assert landed is not None and "code" in query(landed)


def test_a_provider_error_goes_back_to_the_app_as_cognito_sends_it(env: Federated) -> None:
    answer = env.sign_in("Google", deny=True)
    assert answer["error"] == "access_denied" and answer["state"] == env.state and "code" not in answer


def test_an_error_from_googles_token_endpoint_reaches_the_app_in_cognitos_words(
        env: Federated, monkeypatch: pytest.MonkeyPatch) -> None:
    from amplify_py.local.standin_idps import StandInError

    stand_ins = env.engine.context.federation_bridges["Google"].providers

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise StandInError("invalid_grant", "Bad Request")

    monkeypatch.setattr(stand_ins, "redeem", refuse)
    answer = env.sign_in("Google", {"email": "late@example.com"})
    assert (answer["error"], answer["error_description"]) == ("invalid_request", "Google Error - 400 invalid_grant")


def test_a_missing_required_attribute_is_refused(env: Federated) -> None:
    answer = env.sign_in("Google", {"name": "No Email", "subject": "777"})
    assert (answer["error"], answer["error_description"]) == ("invalid_request", "attributes required: [email]")


def test_pre_sign_up_refusing_ends_the_federated_sign_in(env: Federated) -> None:
    env.refuse_sign_up = True
    answer = env.sign_in("Facebook", {"email": "closed@example.com", "subject": "1000"})
    assert answer["error"] == "invalid_request"
    assert answer["error_description"] == "PreSignUp failed with error sign-ups are closed."


def test_a_tampered_id_token_is_refused(env: Federated, monkeypatch: pytest.MonkeyPatch) -> None:
    stand_ins = env.engine.context.federation_bridges["Google"].providers
    signed = stand_ins.id_token

    def tampered(grant: Any, **kwargs: Any) -> str:
        header, payload, signature = signed(grant, **kwargs).split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["email"] = "mallory@example.com"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return ".".join((header, forged, signature))

    monkeypatch.setattr(stand_ins, "id_token", tampered)
    answer = env.sign_in("Google", {"email": "eve@example.com", "subject": "666"})
    assert answer["error"] == "invalid_request"
    assert answer["error_description"] == "Bad id_token: Signature verification failed"


def test_a_linked_provider_identity_signs_in_as_the_native_user(env: Federated) -> None:
    env.idp.admin_create_user(UserPoolId=env.pool_id, Username=NATIVE, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": NATIVE}])
    native = env.idp.admin_get_user(UserPoolId=env.pool_id, Username=NATIVE)["Username"]
    env.events.clear()
    env.idp.admin_link_provider_for_user(
        UserPoolId=env.pool_id, DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": native},
        SourceUser={"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": "9001"})
    claims = env.tokens(env.sign_in("Google", {"email": NATIVE, "name": "Ada L.", "subject": "9001"}))["claims"]
    assert claims["cognito:username"] == native and claims["name"] == "Ada L."
    assert [(e["providerName"], e["userId"]) for e in claims["identities"]] == [("Google", "9001")]
    assert env.sources() == ["PreAuthentication_Authentication", "PostAuthentication_Authentication"]  # no sign-up
    user = env.idp.admin_get_user(UserPoolId=env.pool_id, Username=NATIVE)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"  # the native user keeps their status

    env.idp.admin_disable_provider_for_user(UserPoolId=env.pool_id, User={
        "ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "9001"})
    claims = env.tokens(env.sign_in("Google", {"email": NATIVE, "subject": "9001"}))["claims"]
    assert claims["cognito:username"] == "google_9001"  # no longer linked: a federated user of its own
    with pytest.raises(env.idp.exceptions.InvalidParameterException, match="Merging is not currently supported"):
        env.idp.admin_link_provider_for_user(
            UserPoolId=env.pool_id, DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": native},
            SourceUser={"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject",
                        "ProviderAttributeValue": "9001"})


def test_a_federated_user_takes_up_to_five_linked_identities(env: Federated) -> None:
    claims = env.tokens(env.sign_in("Facebook", {"email": "hub@example.com", "subject": "5005"}))["claims"]
    destination = {"ProviderName": "Cognito", "ProviderAttributeValue": claims["cognito:username"]}
    for n in range(5):
        env.idp.admin_link_provider_for_user(UserPoolId=env.pool_id, DestinationUser=destination, SourceUser={
            "ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": f"77{n}"})
    with pytest.raises(env.idp.exceptions.LimitExceededException, match="at most 5 linked identities"):
        env.idp.admin_link_provider_for_user(UserPoolId=env.pool_id, DestinationUser=destination, SourceUser={
            "ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "779"})
    again = env.tokens(env.sign_in("Google", {"email": "hub@example.com", "subject": "772"}))["claims"]
    assert again["cognito:username"] == claims["cognito:username"]  # the Google identity signs in as them
    assert [e["providerName"] for e in again["identities"]] == ["Facebook", *["Google"] * 5]


def test_a_federated_id_token_gets_identity_pool_credentials(env: Federated) -> None:
    id_token = env.tokens(env.sign_in("Google", {"email": "id@example.com", "subject": "31337"}))["id_token"]
    logins = {f"cognito-idp.us-east-1.amazonaws.com/{env.pool_id}": id_token}
    identity_id = env.identity.get_id(IdentityPoolId=env.identity_pool_id, Logins=logins)["IdentityId"]
    credentials = env.identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    assert credentials["IdentityId"] == identity_id and credentials["Credentials"]["AccessKeyId"]


def test_the_stand_in_refuses_an_app_it_does_not_know(env: Federated) -> None:
    env.sign_in("Google", {"email": "x@example.com"})  # registers the stand-in
    base = f"https://{env.domain}/_local_idp/{env.pool_id}/Google"
    page = httpx.get(f"{base}/authorize", params={"client_id": "someone-else", "redirect_uri": "https://evil.example/",
                                                  "response_type": "code"}, verify=env.tls)
    assert page.status_code == 400 and "invalid_client" in page.text and "Local stand-in for Google" in page.text
    token = httpx.post(f"{base}/token", data={"grant_type": "authorization_code", "code": "nope",
                                              "client_id": "google-client-id", "client_secret": "wrong"},
                       verify=env.tls)
    assert token.status_code == 401 and token.json()["error"] == "invalid_client"


def test_a_native_user_who_took_the_federated_name_is_never_signed_in_as_the_identity(env: Federated) -> None:
    """``google_<sub>`` as a native user's name (possible where user names are free) does not make its owner
    the provider's user: the sign-in is refused and the account keeps its own attributes."""
    from amplify_py.local.model.user import UserStatus
    from amplify_py.local.rules import directory

    ctx = env.engine.context
    with ctx.store.operation(write=True):
        squatter = directory.new_user(ctx, "google_4711", {"email": "squatter@example.com"}, UserStatus.CONFIRMED)
        directory.save_user(ctx, ctx.pool(env.pool_id), squatter)
    answer = env.sign_in("Google", {"email": "victim@example.com", "subject": "4711"})
    assert answer["error"] == "invalid_request" and "code" not in answer
    assert answer["error_description"] == "A user named google_4711 already exists and is not this Google identity."
    kept = env.idp.admin_get_user(UserPoolId=env.pool_id, Username="google_4711")["UserAttributes"]
    assert {a["Name"]: a["Value"] for a in kept}["email"] == "squatter@example.com"


def test_the_stand_in_page_refuses_a_post_without_its_own_token(env: Federated) -> None:
    """Login CSRF: a page elsewhere cannot post an identity of its choosing for the developer's browser."""
    client = OAuth2Client(env.client_id, redirect_uri=CALLBACK, verify=env.tls, scope="openid email profile")
    url, _ = client.create_authorization_url(f"https://{env.domain}/oauth2/authorize", identity_provider="Google")
    browser = Browser(env.domain, env.ca_file)
    try:
        assert browser.go(url) is None and "Local stand-in for" in browser.text
        path = str(browser.page.url.path) if browser.page else ""
        assert browser.submit(path, action="allow", subject="attacker", _csrf="forged") is None
        assert browser.page is not None and browser.page.status_code == 403
        assert "This page has expired" in browser.text
    finally:
        browser.close()
