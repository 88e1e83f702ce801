"""Managed login in tests: a template whose pool has a domain and OAuth clients, and a form-filling
"browser" (httpx, cookies kept) that walks the engine's pages as a user would.

Shared by the engine tier (the OAuth endpoints), the client tier (``sign_in_with_redirect``) and the
browser tier.
"""

from __future__ import annotations

import copy
import json
import ssl
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

CASES = Path(__file__).resolve().parent / "data" / "reference" / "cases"
POOL = "amplifyAuthUserPool4BA7F805"
CLIENT = "amplifyAuthUserPoolAppClient2626C6F8"
DOMAIN = "amplifyAuthUserPoolUserPoolDomain1F688B5B"
MACHINE_CLIENT = "MachineClient"
RESOURCE_SERVER = "ReportsApi"
CALLBACK = "http://localhost:3000/"
REPORTS_READ = "https://reports.example.com/read"


def oauth_template(*, callbacks: list[str] | None = None, logouts: list[str] | None = None,
                   flows: list[str] | None = None, identity_providers: list[Any] | None = None) -> dict[str, Any]:
    """The reference case with a Google provider and a domain (external_google), plus a resource server with
    a ``read`` scope and a machine client (secret, client_credentials) that may use it."""
    template = copy.deepcopy(json.loads((CASES / "external_google.template.json").read_text()))
    resources = template["Resources"]
    client = resources[CLIENT]["Properties"]
    client["CallbackURLs"] = callbacks or [CALLBACK]
    client["LogoutURLs"] = logouts or [CALLBACK]
    template["Outputs"]["oauthRedirectSignIn"]["Value"] = ",".join(client["CallbackURLs"])
    template["Outputs"]["oauthRedirectSignOut"]["Value"] = ",".join(client["LogoutURLs"])
    if flows is not None:
        client["AllowedOAuthFlows"] = flows
    if identity_providers is not None:
        client["SupportedIdentityProviders"] = identity_providers
    resources[RESOURCE_SERVER] = {"Type": "AWS::Cognito::UserPoolResourceServer", "Properties": {
        "UserPoolId": {"Ref": POOL}, "Identifier": "https://reports.example.com", "Name": "reports",
        "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read reports"}]}}
    resources[MACHINE_CLIENT] = {"Type": "AWS::Cognito::UserPoolClient", "Properties": {
        "UserPoolId": {"Ref": POOL}, "GenerateSecret": True, "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": [REPORTS_READ],
        "SupportedIdentityProviders": ["COGNITO"]}, "DependsOn": [RESOURCE_SERVER]}
    return template


def trusting(ca_file: Path | str) -> ssl.SSLContext:
    """An SSL context that trusts the engine's local CA (what a user does once with ``ampy local ca``)."""
    return ssl.create_default_context(cafile=str(ca_file))


class _Forms(HTMLParser):
    """The forms of a page: action, method, and every named input with its value."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            if a.get("type") == "radio" and "checked" not in a:
                return
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")


def forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Browser:
    """A user's browser on managed login: follows redirects on the engine's HTTPS domain, stops at the app."""

    def __init__(self, domain: str, ca_file: Path | str) -> None:
        self.base = f"https://{domain}"
        self.http = httpx.Client(verify=trusting(ca_file), timeout=30)
        self.page: httpx.Response | None = None

    def close(self) -> None:
        self.http.close()

    def go(self, url: str) -> str | None:
        """Open ``url``; follow the engine's redirects. The app URL it ends at, or None (a page is showing)."""
        response = self.http.get(urljoin(self.base + "/", url))
        return self._settle(response)

    def _settle(self, response: httpx.Response) -> str | None:
        while response.status_code in (302, 303):
            location = urljoin(str(response.url), response.headers["location"])
            if not location.startswith(self.base):
                self.page = None
                return location
            response = self.http.get(location)
        self.page = response
        return None

    @property
    def text(self) -> str:
        assert self.page is not None, "no page is showing"
        return self.page.text

    def submit(self, action_prefix: str, **values: str) -> str | None:
        """Fill and post the page's form whose action starts with ``action_prefix``."""
        found = [f for f in forms(self.text) if urlsplit(f["action"]).path == action_prefix]
        assert found, f"no form posting to {action_prefix} on {self.page.url if self.page else None}:\n{self.text[:2000]}"
        form = found[0]
        data = {**form["fields"], **values}
        url = urljoin(str(self.page.url), form["action"]) if self.page else form["action"]
        if form["method"] == "get":
            return self._settle(self.http.get(url, params=data))
        return self._settle(self.http.post(url, data=data))

    def sign_in(self, authorize_url: str, username: str, password: str) -> str:
        """Authorize, fill the sign-in form; the app URL the browser lands on (MFA not expected)."""
        landed = self.go(authorize_url)
        if landed is None:
            landed = self.submit("/login", username=username, password=password)
        assert landed is not None, f"still on managed login:\n{self.text[:2000]}"
        return landed


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def fragment(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).fragment).items()}
