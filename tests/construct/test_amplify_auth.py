"""AmplifyAuth used directly from a CDK app, its resources, triggers and escape hatches."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_

from amplify_py import define_auth, define_backend
from amplify_py.backend.auth import defaults
from amplify_py.backend.auth.construct import AmplifyAuth
from amplify_py.backend.auth.props import AuthProps, LoginWithProps, MultifactorProps
from tests._reference import INLINE_CODE, InlineFunction


def _template(app: App, stack: Stack) -> dict[str, Any]:
    return app.synth().get_stack_artifact(stack.artifact_id).template


def _fn(stack: Stack, name: str) -> lambda_.Function:
    return lambda_.Function(
        stack, name, runtime=lambda_.Runtime.NODEJS_22_X, handler="index.handler", code=lambda_.Code.from_inline(INLINE_CODE)
    )


def test_plain_cdk_app_without_the_dsl() -> None:
    app = App()
    stack = Stack(app, "Plain")
    auth = AmplifyAuth(
        stack,
        "amplifyAuth",
        AuthProps(login_with=LoginWithProps(phone=True), multifactor=MultifactorProps(mode="REQUIRED", sms=True, totp=True)),
    )
    res = auth.resources
    assert isinstance(res.user_pool, cognito.UserPool)
    assert isinstance(res.cfn_resources.cfn_user_pool, cognito.CfnUserPool)
    assert isinstance(res.cfn_resources.cfn_identity_pool_role_attachment, cognito.CfnIdentityPoolRoleAttachment)
    assert res.identity_pool is res.cfn_resources.cfn_identity_pool
    template = _template(app, stack)
    pool = template["Resources"]["amplifyAuthUserPool4BA7F805"]["Properties"]
    assert pool["MfaConfiguration"] == "ON"
    assert pool["UsernameAttributes"] == ["phone_number"]
    assert template["Outputs"]["mfaConfiguration"]["Value"] == "ON"
    assert template["Outputs"]["mfaTypes"]["Value"] == '["SMS","TOTP"]'


def test_default_props_are_email_sign_in() -> None:
    app = App()
    stack = Stack(app, "Defaults")
    AmplifyAuth(stack, defaults.CONSTRUCT_ID)
    assert _template(app, stack)["Outputs"]["usernameAttributes"]["Value"] == '["email"]'


def test_escape_hatch_overrides_show_in_outputs() -> None:
    backend = define_backend(auth=define_auth(login_with={"email": True}, groups=["ADMINS"]))
    cfn = backend.auth.resources.cfn_resources
    cfn.cfn_user_pool.policies = cognito.CfnUserPool.PoliciesProperty(
        password_policy=cognito.CfnUserPool.PasswordPolicyProperty(minimum_length=12, require_lowercase=True)
    )
    cfn.cfn_user_pool.mfa_configuration = "ON"
    cfn.cfn_user_pool.enabled_mfas = ["SOFTWARE_TOKEN_MFA"]
    cfn.cfn_identity_pool.allow_unauthenticated_identities = False
    backend.auth.resources.groups["ADMINS"].cfn_user_group.precedence = 5
    template = backend.synth()
    outputs = {k: v["Value"] for k, v in template["Outputs"].items()}
    assert outputs["passwordPolicyMinLength"] == "12"
    assert outputs["passwordPolicyRequirements"] == '["REQUIRES_LOWERCASE"]'
    assert outputs["mfaConfiguration"] == "ON"
    assert outputs["mfaTypes"] == '["TOTP"]'
    assert outputs["allowUnauthenticatedIdentities"] == "false"
    assert json.loads(outputs["groups"]) == [{"ADMINS": {"precedence": 5}}]
    assert template["Resources"]["amplifyAuthUserPool4BA7F805"]["Properties"]["MfaConfiguration"] == "ON"


def test_escape_hatch_with_a_plain_dict() -> None:
    backend = define_backend(auth=define_auth(login_with={"email": True}))
    backend.auth.resources.cfn_resources.cfn_user_pool.policies = {"passwordPolicy": {"minimumLength": 10}}
    outputs = backend.synth()["Outputs"]
    assert outputs["passwordPolicyMinLength"]["Value"] == "10"
    assert outputs["passwordPolicyRequirements"]["Value"] == "[]"


def test_all_ten_trigger_events_are_wired() -> None:
    app = App()
    stack = Stack(app, "Triggers")
    triggers = {event: InlineFunction(f"{event.replace('_', '')}Fn") for event in defaults.TRIGGER_EVENTS}
    define_auth(login_with={"email": True}, triggers=triggers).build(stack)
    config = _template(app, stack)["Resources"]["amplifyAuthUserPool4BA7F805"]["Properties"]["LambdaConfig"]
    expected = {
        "CreateAuthChallenge", "CustomMessage", "DefineAuthChallenge", "PostAuthentication", "PostConfirmation",
        "PreAuthentication", "PreSignUp", "PreTokenGeneration", "UserMigration", "VerifyAuthChallengeResponse",
    }
    assert set(config) == expected
    assert config["PreTokenGeneration"] == {"Fn::GetAtt": [stack.get_logical_id(stack.node.find_child("pretokengenerationFn").node.default_child), "Arn"]}


def test_trigger_accepts_a_cdk_function_directly() -> None:
    app = App()
    stack = Stack(app, "DirectFn")
    fn = _fn(stack, "migrate")
    auth = define_auth(login_with={"email": True}, triggers={"user_migration": fn}).build(stack)
    assert auth.resources.user_pool is not None
    resources = _template(app, stack)["Resources"]
    config = resources["amplifyAuthUserPool4BA7F805"]["Properties"]["LambdaConfig"]
    assert list(config) == ["UserMigration"]
    permissions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert len(permissions) == 1 and permissions[0]["Properties"]["Principal"] == "cognito-idp.amazonaws.com"


def test_secrets_resolve_through_the_backend_resolver() -> None:
    from amplify_py import secret

    auth = define_auth(
        login_with={
            "email": True,
            "external_providers": {
                "facebook": {"client_id": secret("FB_ID"), "client_secret": secret("FB_SECRET")},
                "callback_urls": ["https://app.example.com/"],
                "logout_urls": ["https://app.example.com/"],
                "domain_prefix": "fbapp",
            },
        }
    )
    values = {"FB_ID": "fb-id", "FB_SECRET": "fb-secret"}
    template = define_backend(auth=auth, resolve_secret=values.__getitem__).synth("Secrets")
    idp = template["Resources"]["amplifyAuthFacebookIDP7CB5B5CC"]["Properties"]
    assert idp["ProviderDetails"]["client_id"] == "fb-id"
    assert idp["ProviderDetails"]["client_secret"] == "fb-secret"
    assert template["Outputs"]["socialProviders"]["Value"] == '["FACEBOOK"]'


def test_missing_secret_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from amplify_py import secret
    from amplify_py.errors import AmpyUserError

    monkeypatch.delenv("AMPY_SECRET_GOOGLE_ID", raising=False)
    auth = define_auth(
        login_with={
            "email": True,
            "external_providers": {
                "google": {"client_id": secret("GOOGLE_ID")},
                "callback_urls": ["https://a.example/"],
                "logout_urls": ["https://a.example/"],
                "domain_prefix": "g",
            },
        }
    )
    with pytest.raises(AmpyUserError, match="AMPY_SECRET_GOOGLE_ID"):
        define_backend(auth=auth).synth("MissingSecret")
