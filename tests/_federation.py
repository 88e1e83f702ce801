"""A pool that federates with every provider type the local stand-ins serve (for the engine and browser tiers)."""

from __future__ import annotations

import copy
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests._managed_login import CASES, CLIENT, POOL

__all__ = ["federated_template", "apple_key_pem", "IDENTITY_POOL", "OIDC"]

IDENTITY_POOL = "amplifyAuthIdentityPool3FDE84CC"
OIDC = "amplifyAuthMicrosoftEntraIDOidcIDPB009F88B"


def apple_key_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _provider(name: str, provider_type: str, details: dict[str, str], mapping: dict[str, str]) -> dict[str, Any]:
    return {"Type": "AWS::Cognito::UserPoolIdentityProvider", "Properties": {
        "ProviderName": name, "ProviderType": provider_type, "ProviderDetails": details,
        "AttributeMapping": mapping, "UserPoolId": {"Ref": POOL}}}


def federated_template(*, apple_key: str | None = None, callbacks: list[str] | None = None) -> dict[str, Any]:
    """oidc_saml (MicrosoftEntraID over OIDC, a SAML provider) plus Google, Facebook, Login with Amazon and
    Sign in with Apple, each with an attribute mapping, and triggers around sign-up."""
    template = copy.deepcopy(json.loads((CASES / "oidc_saml.template.json").read_text()))
    resources = template["Resources"]
    resources[OIDC]["Properties"]["AttributeMapping"] = {"email": "email", "name": "name",
                                                         "custom:department": "department"}
    resources[OIDC]["Properties"]["ProviderDetails"]["attributes_request_method"] = "POST"
    resources[POOL]["Properties"]["Schema"].append({"Name": "department", "AttributeDataType": "String",
                                                    "Mutable": True})
    resources["Google"] = _provider("Google", "Google", {
        "client_id": "google-client-id", "client_secret": "google-client-secret",
        "authorize_scopes": "openid email profile"}, {"email": "email", "given_name": "given_name",
                                                      "family_name": "family_name", "name": "name"})
    resources["Facebook"] = _provider("Facebook", "Facebook", {
        "client_id": "fb-app-id", "client_secret": "fb-app-secret", "authorize_scopes": "public_profile,email"},
        {"email": "email", "name": "name"})
    resources["Amazon"] = _provider("LoginWithAmazon", "LoginWithAmazon", {
        "client_id": "amzn1.application-oa2-client.local", "client_secret": "amazon-secret",
        "authorize_scopes": "profile"}, {"email": "email", "name": "name"})
    resources["Apple"] = _provider("SignInWithApple", "SignInWithApple", {
        "client_id": "com.example.app.signin", "team_id": "TEAM123456", "key_id": "KEY1234567",
        "private_key": apple_key or "apple-private-key", "authorize_scopes": "email name"},
        {"email": "email", "name": "name", "given_name": "firstName"})
    client = resources[CLIENT]["Properties"]
    client["SupportedIdentityProviders"] = [{"Ref": OIDC}, "Google", "Facebook", "LoginWithAmazon",
                                            "SignInWithApple", "COGNITO"]
    resources[CLIENT]["DependsOn"] = ["Google", "Facebook", "Amazon", "Apple", OIDC]
    if callbacks:
        client["CallbackURLs"] = client["LogoutURLs"] = callbacks
        template["Outputs"]["oauthRedirectSignIn"]["Value"] = template["Outputs"]["oauthRedirectSignOut"]["Value"] = \
            ",".join(callbacks)
    template["Outputs"]["socialProviders"]["Value"] = json.dumps(
        ["MicrosoftEntraID", "MySamlIdP", "GOOGLE", "FACEBOOK", "LOGIN_WITH_AMAZON", "SIGN_IN_WITH_APPLE"])
    resources[POOL]["Properties"]["LambdaConfig"] = {
        "PreSignUp": "arn:aws:lambda:us-east-1:000000000000:function:preSignUp",
        "PostConfirmation": "arn:aws:lambda:us-east-1:000000000000:function:postConfirmation",
        "PreAuthentication": "arn:aws:lambda:us-east-1:000000000000:function:preAuthentication",
        "PostAuthentication": "arn:aws:lambda:us-east-1:000000000000:function:postAuthentication"}
    return template
