"""The OAuth 2.0 / OIDC endpoints over HTTPS, driven by a real OAuth client library (authlib): discovery,
authorization code with PKCE (the test fills managed login's form), token, userInfo, refresh, revoke and
client_credentials; and what Cognito refuses, the way it refuses it."""

from __future__ import annotations

import base64
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oidc.discovery import OpenIDProviderMetadata

with warnings.catch_warnings():  # authlib.jose still carries the OIDC claim checks (CodeIDToken) used here
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken

from amplify_py.local import LocalEngine
from tests._managed_login import (CALLBACK, CLIENT, MACHINE_CLIENT, POOL, REPORTS_READ, Browser, fragment,
                                  oauth_template, query, trusting)
from tests.engine.conftest import ManualClock

PASSWORD = "Passw0rd!"
EMAIL = "ada@example.com"


class Hosted:
    """One engine serving managed login for one deployment, a confirmed user, and the triggers' events."""

    def __init__(self, tmp: Path) -> None:
        self.clock = ManualClock()
        self.events: list[dict] = []
        self.ca_file = tmp / "ca" / "amplify-py-local-ca.pem"
        self.engine = LocalEngine(tmp / "state", clock=self.clock, managed_login_port=0, ca_dir=tmp / "ca",
                                  trigger_invoker=self._invoke).start()
        template = oauth_template(flows=["code", "implicit"])
        template["Resources"][CLIENT]["Properties"]["ExplicitAuthFlows"].append("ALLOW_ADMIN_USER_PASSWORD_AUTH")
        template["Resources"][POOL]["Properties"]["LambdaConfig"] = {
            "PreTokenGeneration": "arn:aws:lambda:us-east-1:000000000000:function:preToken",
            "PostAuthentication": "arn:aws:lambda:us-east-1:000000000000:function:postAuth"}
        ids = self.engine.deploy("hosted", template).physical_ids
        self.pool_id, self.client_id, self.machine_id = ids[POOL], ids[CLIENT], ids[MACHINE_CLIENT]
        self.idp = boto3.client("cognito-idp", endpoint_url=self.engine.endpoint,
                                **self.engine.credentials.boto3_kwargs())
        self.machine_secret = self.idp.describe_user_pool_client(
            UserPoolId=self.pool_id, ClientId=self.machine_id)["UserPoolClient"]["ClientSecret"]
        self.idp.admin_create_user(UserPoolId=self.pool_id, Username=EMAIL, MessageAction="SUPPRESS", UserAttributes=[
            {"Name": "email", "Value": EMAIL}, {"Name": "email_verified", "Value": "true"}])
        self.idp.admin_set_user_password(UserPoolId=self.pool_id, Username=EMAIL, Password=PASSWORD, Permanent=True)
        self.domain = self.engine.managed_login_domain
        self.tls = trusting(self.ca_file)
        self.issuer = f"{self.engine.endpoint}/{self.pool_id}"

    def _invoke(self, deployment: str, ref: object, event: dict) -> dict:
        self.events.append(event)
        if event["triggerSource"].startswith("TokenGeneration"):
            return {**event, "response": {"claimsOverrideDetails": {"claimsToAddOrOverride": {"plan": "pro"}}}}
        return event

    def metadata(self) -> OpenIDProviderMetadata:
        document = httpx.get(f"{self.issuer}/.well-known/openid-configuration").json()
        metadata = OpenIDProviderMetadata(document)
        metadata.validate()  # authlib checks the discovery document is a valid OpenID Provider Metadata
        return metadata

    def oauth(self, **kwargs: Any) -> OAuth2Client:
        return OAuth2Client(self.client_id, redirect_uri=CALLBACK, verify=self.tls, **kwargs)

    def browser(self) -> Browser:
        return Browser(self.domain or "", self.ca_file)


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosted]:
    env = Hosted(tmp_path_factory.mktemp("oauth"))
    yield env
    env.engine.stop()


def _authorize(hosted: Hosted, browser: Browser, **params: str) -> tuple[OAuth2Client, str, str]:
    """Authlib builds the authorization URL (PKCE S256, state, nonce); the browser signs in. (client, callback, verifier)"""
    client = hosted.oauth(scope=params.pop("scope", "openid email profile"), code_challenge_method="S256")
    verifier = base64.urlsafe_b64encode(b"v" * 48).decode().rstrip("=") + params.pop("salt", "")
    url, _state = client.create_authorization_url(hosted.metadata()["authorization_endpoint"], code_verifier=verifier,
                                                  **params)
    return client, browser.sign_in(url, EMAIL, PASSWORD), verifier


def _claims(hosted: Hosted, token: str, pool_id: str | None = None) -> dict:
    """The token's claims, verified with the JWKS of the pool that issued it (each pool has its own keys)."""
    jwks_uri = hosted.metadata()["jwks_uri"]
    if pool_id is not None:
        jwks_uri = jwks_uri.replace(hosted.pool_id, pool_id)
    keys = JsonWebKey.import_key_set(httpx.get(jwks_uri).json())
    return dict(jwt.decode(token, keys))


def test_discovery_lists_the_endpoints_that_are_served(hosted: Hosted) -> None:
    metadata = hosted.metadata()
    base = f"https://{hosted.domain}"
    assert metadata["issuer"] == hosted.issuer
    assert {k: metadata[k] for k in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint",
                                     "revocation_endpoint", "end_session_endpoint")} == {
        "authorization_endpoint": f"{base}/oauth2/authorize", "token_endpoint": f"{base}/oauth2/token",
        "userinfo_endpoint": f"{base}/oauth2/userInfo", "revocation_endpoint": f"{base}/oauth2/revoke",
        "end_session_endpoint": f"{base}/logout"}
    with httpx.Client(verify=hosted.tls) as http:
        for key in ("authorization_endpoint", "userinfo_endpoint", "end_session_endpoint"):
            assert http.get(metadata[key]).status_code != 404, key
        for key in ("token_endpoint", "revocation_endpoint"):
            assert http.post(metadata[key], data={}).status_code != 404, key


def test_code_grant_with_pkce_then_user_info_refresh_and_revoke(hosted: Hosted) -> None:
    browser = hosted.browser()
    client, callback, verifier = _authorize(hosted, browser, nonce="n-0S6_WzA2Mj")
    metadata = hosted.metadata()
    assert callback.startswith(CALLBACK) and set(query(callback)) == {"code", "state"}
    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert set(token) >= {"id_token", "access_token", "refresh_token", "expires_in", "token_type"}
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600

    id_claims = jwt.decode(token["id_token"], JsonWebKey.import_key_set(httpx.get(metadata["jwks_uri"]).json()),
                           claims_cls=CodeIDToken, claims_params={"nonce": "n-0S6_WzA2Mj", "access_token": token["access_token"],
                                                                  "client_id": hosted.client_id})
    id_claims.validate(now=int(hosted.clock.now))  # iss, aud, exp, nonce and at_hash, as an OIDC client checks them
    assert id_claims["email"] == EMAIL and id_claims["plan"] == "pro"
    access = _claims(hosted, token["access_token"])
    assert access["scope"].split() == ["openid", "email", "profile"] and access["token_use"] == "access"
    hosted_events = [e for e in hosted.events if e["triggerSource"] == "TokenGeneration_HostedAuth"]
    assert hosted_events and hosted_events[-1]["request"]["userAttributes"]["email"] == EMAIL
    assert any(e["triggerSource"] == "PostAuthentication_Authentication" for e in hosted.events)

    info = client.get(metadata["userinfo_endpoint"]).json()
    assert info == {"sub": access["sub"], "email": EMAIL, "email_verified": "true", "username": access["username"]}

    refreshed = client.refresh_token(metadata["token_endpoint"])
    assert _claims(hosted, refreshed["access_token"])["scope"] == access["scope"]
    assert "id_token" in refreshed

    refresh_token = token["refresh_token"]
    revoked = client.revoke_token(metadata["revocation_endpoint"], refresh_token, token_type_hint="refresh_token")
    assert revoked.status_code == 200
    again = httpx.post(metadata["token_endpoint"], verify=hosted.tls, data={
        "grant_type": "refresh_token", "client_id": hosted.client_id, "refresh_token": refresh_token})
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})
    info = client.get(metadata["userinfo_endpoint"])
    assert info.status_code == 401 and info.json()["error"] == "invalid_token"
    browser.close()


def test_a_reused_code_a_wrong_verifier_and_an_expired_code_are_invalid_grants(hosted: Hosted) -> None:
    browser = hosted.browser()
    token_endpoint = hosted.metadata()["token_endpoint"]
    client, callback, verifier = _authorize(hosted, browser)
    client.fetch_token(token_endpoint, authorization_response=callback, code_verifier=verifier)
    reuse = httpx.post(token_endpoint, verify=hosted.tls, data={
        "grant_type": "authorization_code", "client_id": hosted.client_id, "code": query(callback)["code"],
        "redirect_uri": CALLBACK, "code_verifier": verifier})
    assert (reuse.status_code, reuse.json()) == (400, {"error": "invalid_grant"})

    _client, callback, verifier = _authorize(hosted, browser, salt="x")
    wrong = httpx.post(token_endpoint, verify=hosted.tls, data={
        "grant_type": "authorization_code", "client_id": hosted.client_id, "code": query(callback)["code"],
        "redirect_uri": CALLBACK, "code_verifier": verifier + "-not-it"})
    assert (wrong.status_code, wrong.json()) == (400, {"error": "invalid_grant"})

    _client, callback, verifier = _authorize(hosted, browser, salt="y")
    hosted.clock.advance(301)  # codes live five minutes
    late = httpx.post(token_endpoint, verify=hosted.tls, data={
        "grant_type": "authorization_code", "client_id": hosted.client_id, "code": query(callback)["code"],
        "redirect_uri": CALLBACK, "code_verifier": verifier})
    assert (late.status_code, late.json()) == (400, {"error": "invalid_grant"})
    browser.close()


def test_a_redirect_uri_that_is_not_registered_is_refused(hosted: Hosted) -> None:
    browser = hosted.browser()
    landed = browser.go(f"/oauth2/authorize?response_type=code&client_id={hosted.client_id}"
                        "&redirect_uri=http://localhost:3000/elsewhere&state=s")
    assert landed is None and browser.page is not None
    assert browser.page.url.path == "/error" and dict(browser.page.url.params) == {
        "error": "redirect_mismatch", "client_id": hosted.client_id}
    assert "An error was encountered with the requested page." in browser.text
    client, callback, verifier = _authorize(hosted, browser)
    unregistered = httpx.post(hosted.metadata()["token_endpoint"], verify=hosted.tls, data={
        "grant_type": "authorization_code", "client_id": hosted.client_id, "code": query(callback)["code"],
        "redirect_uri": "http://localhost:3000/elsewhere", "code_verifier": verifier})
    assert (unregistered.status_code, unregistered.json()) == (400, {"error": "unauthorized_client"})
    browser.close()


def test_request_errors_go_back_to_the_app_with_the_state(hosted: Hosted) -> None:
    browser = hosted.browser()
    base = f"/oauth2/authorize?client_id={hosted.client_id}&redirect_uri={CALLBACK}&state=keep-me"
    assert query(browser.go(base) or "") == {"error": "invalid_request", "state": "keep-me"}
    assert query(browser.go(base + "&response_type=code&scope=openid+admin:everything") or "") == {
        "error": "invalid_scope", "state": "keep-me"}
    assert query(browser.go(base + "&response_type=code&scope=email") or "") == {
        "error": "invalid_scope", "state": "keep-me"}
    # Cognito supports S256 only: RFC 7636's plain method is an invalid request.
    assert query(browser.go(base + "&response_type=code&code_challenge=abc&code_challenge_method=plain") or "") == {
        "error": "invalid_request", "state": "keep-me"}
    assert query(browser.go(base + "&response_type=code&prompt=none") or "") == {
        "error": "login_required", "state": "keep-me"}
    browser.close()


def test_the_session_cookie_signs_in_again_without_a_password_until_logout(hosted: Hosted) -> None:
    browser = hosted.browser()
    _authorize(hosted, browser)
    again = f"/oauth2/authorize?response_type=code&client_id={hosted.client_id}&redirect_uri={CALLBACK}&state=two"
    assert set(query(browser.go(again) or "")) == {"code", "state"}
    assert browser.go(again + "&prompt=login") is None and "Sign in" in browser.text  # login forces the page
    assert set(query(browser.go(again + "&prompt=none") or "")) == {"code", "state"}

    wrong = browser.go(f"/logout?client_id={hosted.client_id}&logout_uri=http://localhost:3000/other")
    assert wrong is None and browser.page is not None and dict(browser.page.url.params)["error"] == "redirect_mismatch"
    assert browser.go(f"/logout?client_id={hosted.client_id}&logout_uri={CALLBACK}") == CALLBACK
    assert browser.go(again) is None and "Sign in" in browser.text  # the session is gone
    assert browser.go(f"/logout?client_id={hosted.client_id}&response_type=code&redirect_uri={CALLBACK}") is None
    assert browser.page is not None and browser.page.url.path == "/login"
    browser.close()


def test_implicit_grant_returns_tokens_in_the_fragment(hosted: Hosted) -> None:
    browser = hosted.browser()
    landed = browser.sign_in(f"/oauth2/authorize?response_type=token&client_id={hosted.client_id}"
                             f"&redirect_uri={CALLBACK}&scope=openid+email&state=imp&nonce=abc", EMAIL, PASSWORD)
    values = fragment(landed)
    assert set(values) == {"access_token", "id_token", "token_type", "expires_in", "state"}
    assert values["state"] == "imp" and values["token_type"] == "Bearer"
    assert _claims(hosted, values["id_token"])["nonce"] == "abc"
    no_id = fragment(browser.go(f"/oauth2/authorize?response_type=token&client_id={hosted.client_id}"
                                f"&redirect_uri={CALLBACK}&scope=aws.cognito.signin.user.admin") or "")
    assert "id_token" not in no_id and "access_token" in no_id  # no openid, no ID token
    browser.close()


def test_client_credentials_gives_the_resource_server_scope(hosted: Hosted) -> None:
    token_endpoint = hosted.metadata()["token_endpoint"]
    for method in ("client_secret_basic", "client_secret_post"):
        client = OAuth2Client(hosted.machine_id, hosted.machine_secret, token_endpoint_auth_method=method,
                              verify=hosted.tls)
        token = client.fetch_token(token_endpoint, grant_type="client_credentials", scope=REPORTS_READ)
        assert set(token) >= {"access_token", "expires_in", "token_type"} and "refresh_token" not in token
        claims = _claims(hosted, token["access_token"])
        assert claims["scope"] == REPORTS_READ and claims["sub"] == hosted.machine_id
        assert claims["client_id"] == hosted.machine_id and claims["token_use"] == "access"
    wrong = OAuth2Client(hosted.machine_id, "not-the-secret", verify=hosted.tls)
    with pytest.raises(Exception, match="invalid_client"):
        wrong.fetch_token(token_endpoint, grant_type="client_credentials", scope=REPORTS_READ)
    good = OAuth2Client(hosted.machine_id, hosted.machine_secret, verify=hosted.tls)
    with pytest.raises(Exception, match="invalid_scope"):
        good.fetch_token(token_endpoint, grant_type="client_credentials", scope="openid")
    public = httpx.post(token_endpoint, verify=hosted.tls,
                        data={"grant_type": "client_credentials", "client_id": hosted.client_id})
    assert (public.status_code, public.json()) == (400, {"error": "unauthorized_client"})
    odd = httpx.post(token_endpoint, verify=hosted.tls,
                     data={"grant_type": "password", "client_id": hosted.client_id})
    assert (odd.status_code, odd.json()) == (400, {"error": "unsupported_grant_type"})


def test_user_info_refuses_tokens_without_openid(hosted: Hosted) -> None:
    result = hosted.idp.admin_initiate_auth(UserPoolId=hosted.pool_id, ClientId=hosted.client_id,
                                            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                            AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD})
    response = httpx.get(f"https://{hosted.domain}/oauth2/userInfo", verify=hosted.tls,
                         headers={"Authorization": "Bearer " + result["AuthenticationResult"]["AccessToken"]})
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_identity_providers_without_a_local_stand_in_say_so(hosted: Hosted) -> None:
    browser = hosted.browser()
    base = f"/oauth2/authorize?response_type=code&client_id={hosted.client_id}&redirect_uri={CALLBACK}"
    bridges = hosted.engine.context.federation_bridges
    google = bridges.pop("Google")
    try:
        assert browser.go(base + "&identity_provider=Google") is None and browser.page is not None
    finally:
        bridges["Google"] = google
    assert browser.page.status_code == 400 and "cannot reach Google identity providers yet" in browser.text
    assert browser.go(base + "&identity_provider=Google") is None and "Local stand-in for Google" in browser.text
    # external_google asks Google for "profile" only: the stand-in says the typed email would not be sent.
    assert 'Not sent to the app: the request\'s scopes lack "email"' in browser.text
    assert browser.go(base + "&identity_provider=Okta") is None
    assert "Login option is not available. Please try another one" in browser.text
    assert browser.go(base) is None and "Continue with Google" in browser.text
    assert browser.go("/oauth2/idpresponse?code=abc&state=unknown") is None and browser.page is not None
    assert browser.page.status_code == 400 and "Invalid state" in browser.text
    browser.close()


def test_the_error_page_of_an_unknown_client(hosted: Hosted) -> None:
    browser = hosted.browser()
    assert browser.go(f"/oauth2/authorize?response_type=code&client_id=nope&redirect_uri={CALLBACK}") is None
    assert browser.page is not None and dict(browser.page.url.params)["error"] == "invalid_request"
    token = httpx.post(f"https://{hosted.domain}/oauth2/token", verify=hosted.tls,
                       data={"grant_type": "authorization_code", "client_id": "nope", "code": "x"})
    assert (token.status_code, token.json()) == (400, {"error": "invalid_client"})
    browser.close()


def test_the_https_port_presents_a_certificate_for_localhost_from_the_local_ca(hosted: Hosted) -> None:
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"https://{hosted.domain}/", verify=True)  # not trusted by the system store
    assert httpx.get(f"https://{hosted.domain}/", verify=hosted.tls).status_code == 200
    assert (hosted.ca_file.parent / "amplify-py-local-ca.key").stat().st_mode & 0o777 == 0o600


class _StandInBridge:
    """A test double for the identity-provider seam (rules.federation.FederationBridge): its "provider" signs in
    a user the test names, so the authorize → idpresponse → code path is exercised end to end."""

    def __init__(self, hosted: Hosted, username: str) -> None:
        self.hosted, self.username, self.calls = hosted, username, []

    def authorize_url(self, ctx: Any, pool: Any, provider: Any, *, state: str, redirect_uri: str,
                      login_hint: str | None) -> str:
        self.calls.append(("authorize", provider.name, login_hint))
        return f"{redirect_uri}?code=idp-code&state={state}"  # the provider answers at once

    def complete(self, ctx: Any, pool: Any, client: Any, provider: Any, params: Any) -> Any:
        from amplify_py.local.rules import directory

        self.calls.append(("complete", provider.name, params["code"]))
        return directory.find_user(ctx, pool, self.username)


def test_idp_identifier_picks_the_provider_and_the_seam_finishes_the_sign_in(hosted: Hosted) -> None:
    import json

    from tests._managed_login import CASES

    template = json.loads((CASES / "oidc_saml.template.json").read_text())
    oidc = template["Resources"]["amplifyAuthMicrosoftEntraIDOidcIDPB009F88B"]["Properties"]
    oidc["IdpIdentifiers"] = ["entra.example.com"]
    ids = hosted.engine.deploy("federated", template).physical_ids
    pool_id, client_id = ids["amplifyAuthUserPool4BA7F805"], ids["amplifyAuthUserPoolAppClient2626C6F8"]
    hosted.idp.admin_create_user(UserPoolId=pool_id, Username="fed@example.com", MessageAction="SUPPRESS",
                                 UserAttributes=[{"Name": "email", "Value": "fed@example.com"}])
    browser = hosted.browser()
    base = f"/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri={CALLBACK}&state=fed"
    assert browser.go(base) is None
    assert "Continue with MicrosoftEntraID" in browser.text and "Continue with MySamlIdP" in browser.text
    assert browser.go(base + "&idp_identifier=ENTRA.example.com") is None
    assert "Local stand-in for MicrosoftEntraID" in browser.text
    assert browser.go(base + "&idp_identifier=unknown.example.com") is None
    assert "Login option is not available. Please try another one" in browser.text

    bridge = _StandInBridge(hosted, "fed@example.com")
    stand_in = hosted.engine.context.federation_bridges["OIDC"]
    hosted.engine.context.federation_bridges["OIDC"] = bridge
    try:
        landed = browser.go(base + "&idp_identifier=entra.example.com&login_hint=fed%40example.com")
    finally:
        hosted.engine.context.federation_bridges["OIDC"] = stand_in
    assert landed is not None and query(landed)["state"] == "fed" and "code" in query(landed)
    assert bridge.calls == [("authorize", "MicrosoftEntraID", "fed@example.com"),
                            ("complete", "MicrosoftEntraID", "idp-code")]
    token = httpx.post(f"https://{hosted.domain}/oauth2/token", verify=hosted.tls, data={
        "grant_type": "authorization_code", "client_id": client_id, "code": query(landed)["code"],
        "redirect_uri": CALLBACK}).json()
    assert _claims(hosted, token["id_token"], pool_id)["email"] == "fed@example.com"  # the federated pool's key
    browser.close()
