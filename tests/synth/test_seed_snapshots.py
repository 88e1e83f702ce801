"""Snapshots (syrupy) of the normalized templates of the seed's examples, and a logical-ID guard.

The seed (Amplify's auth docs) shows: email sign-in, a birthdate attribute, standard attributes,
custom attributes, a customized verification email and invitation email. Phone sign-in, MFA and an
external provider complete the set. Update snapshots deliberately: `pytest --snapshot-update`.
"""

from __future__ import annotations

from typing import Any

import pytest

from amplify_py import define_auth, secret
from tests._reference import normalize

SEED_EXAMPLES: dict[str, dict[str, Any]] = {
    "email": {"login_with": {"email": True}},
    "birthdate": {"login_with": {"email": True}, "user_attributes": {"birthdate": {"mutable": True, "required": False}}},
    "standard_attributes": {
        "login_with": {"email": True},
        "user_attributes": {
            "address": {"mutable": True, "required": True},
            "birthdate": {"mutable": True, "required": False},
            "email": {"mutable": True, "required": True},
            "family_name": {"mutable": True, "required": False},
            "gender": {"mutable": True, "required": False},
            "given_name": {"mutable": True, "required": False},
        },
    },
    "custom_attributes": {
        "login_with": {"email": True},
        "user_attributes": {
            "custom:display_name": {"data_type": "String", "mutable": True, "max_len": 16, "min_len": 1},
            "custom:favorite_number": {"data_type": "Number", "mutable": True, "min": 1, "max": 100},
            "custom:is_beta_user": {"data_type": "Boolean", "mutable": True},
            "custom:started_free_trial": {"data_type": "DateTime", "mutable": True},
        },
    },
    "verification_email": {
        "login_with": {
            "email": {
                "verification_email_style": "CODE",
                "verification_email_subject": "Welcome to my app!",
                "verification_email_body": lambda create_code: f"Use this code to confirm your account: {create_code()}",
            }
        }
    },
    "invitation_email": {
        "login_with": {
            "email": {
                "verification_email_style": "CODE",
                "verification_email_subject": "Welcome to my app!",
                "verification_email_body": lambda create_code: f"Use this code to confirm your account: {create_code()}",
                "user_invitation": {
                    "email_subject": "Welcome to my app!",
                    "email_body": lambda user, code: (
                        f"We're happy to have you! You can now login with username {user()} and temporary password {code()}"
                    ),
                },
            }
        }
    },
    "phone": {"login_with": {"phone": True}},
    "mfa": {"login_with": {"email": True}, "multifactor": {"mode": "OPTIONAL", "totp": True, "sms": True}},
    "external_providers": {
        "login_with": {
            "email": True,
            "external_providers": {
                "google": {"client_id": secret("GOOGLE_CLIENT_ID"), "client_secret": secret("GOOGLE_CLIENT_SECRET")},
                "sign_in_with_apple": {
                    "client_id": secret("SIWA_CLIENT_ID"),
                    "key_id": secret("SIWA_KEY_ID"),
                    "private_key": secret("SIWA_PRIVATE_KEY"),
                    "team_id": secret("SIWA_TEAM_ID"),
                },
                "callback_urls": ["http://localhost:3000/profile", "https://mywebsite.com/profile"],
                "logout_urls": ["http://localhost:3000/", "https://mywebsite.com"],
                "domain_prefix": "myapp",
            },
        }
    },
}


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, Any]]:
    from aws_cdk import App, Stack

    result = {}
    for name, kwargs in SEED_EXAMPLES.items():
        app = App()
        stack = Stack(app, "SeedStack")
        define_auth(**kwargs).build(stack, resolve_secret=lambda secret_name: f"<{secret_name}>")
        result[name] = normalize(app.synth().get_stack_artifact(stack.artifact_id).template)
    return result


@pytest.mark.parametrize("example", sorted(SEED_EXAMPLES))
def test_seed_example_snapshot(example: str, templates: dict[str, dict[str, Any]], snapshot: Any) -> None:
    assert templates[example] == snapshot


# A changed logical ID makes CloudFormation replace the resource: a new user pool loses every user.
PINNED = {
    "AWS::Cognito::UserPool": "amplifyAuthUserPool4BA7F805",
    "AWS::Cognito::UserPoolClient": "amplifyAuthUserPoolAppClient2626C6F8",
    "AWS::Cognito::IdentityPool": "amplifyAuthIdentityPool3FDE84CC",
    "AWS::Cognito::IdentityPoolRoleAttachment": "amplifyAuthIdentityPoolRoleAttachment045F17C8",
}


@pytest.mark.parametrize("example", sorted(SEED_EXAMPLES))
def test_logical_ids_are_pinned(example: str, templates: dict[str, dict[str, Any]]) -> None:
    resources = templates[example]["Resources"]
    for kind, logical_id in PINNED.items():
        assert [k for k, v in resources.items() if v["Type"] == kind] == [logical_id]


def test_group_logical_ids_are_pinned() -> None:
    from aws_cdk import App, Stack

    app = App()
    stack = Stack(app, "Groups")
    define_auth(login_with={"email": True}, groups=["ADMINS", "EDITORS"]).build(stack)
    resources = app.synth().get_stack_artifact(stack.artifact_id).template["Resources"]
    groups = {v["Properties"]["GroupName"]: k for k, v in resources.items() if v["Type"] == "AWS::Cognito::UserPoolGroup"}
    assert groups == {"ADMINS": "amplifyAuthADMINSGroup50EC39D2", "EDITORS": "amplifyAuthEDITORSGroup8A406E3D"}
