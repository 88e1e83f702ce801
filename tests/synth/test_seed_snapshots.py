"""Snapshots (syrupy) of the normalized templates of the seed's examples, and a logical-ID guard.

The seed (Amplify's auth docs) shows: email sign-in, a birthdate attribute, standard attributes,
custom attributes, a customized verification email and invitation email. Phone sign-in, MFA and an
external provider complete the set. Update snapshots deliberately: `pytest --snapshot-update`.
"""

from __future__ import annotations

from typing import Any

import pytest

from amplify_py import secret
from tests._reference import case_definitions, normalize, synthesize

# Six of the seed's examples are reference cases (tests/_reference.py); the rest are the seed's own.
_CASES = case_definitions()
SEED_EXAMPLES: dict[str, dict[str, Any]] = {
    "email": _CASES["email_default"],
    "birthdate": _CASES["birthdate_attr"],
    "custom_attributes": _CASES["custom_attrs"],
    "invitation_email": _CASES["email_customized"],
    "phone": _CASES["phone"],
    "mfa": _CASES["mfa_optional_totp_sms"],
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
    "verification_email": {
        "login_with": {
            "email": {
                "verification_email_style": "CODE",
                "verification_email_subject": "Welcome to my app!",
                "verification_email_body": lambda create_code: f"Use this code to confirm your account: {create_code()}",
            }
        }
    },
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
    return {
        name: normalize(synthesize(kwargs, stack_id="SeedStack", resolve_secret=lambda secret_name: f"<{secret_name}>"))
        for name, kwargs in SEED_EXAMPLES.items()
    }


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
    resources = synthesize({"login_with": {"email": True}, "groups": ["ADMINS", "EDITORS"]}, stack_id="Groups")["Resources"]
    groups = {v["Properties"]["GroupName"]: k for k, v in resources.items() if v["Type"] == "AWS::Cognito::UserPoolGroup"}
    assert groups == {"ADMINS": "amplifyAuthADMINSGroup50EC39D2", "EDITORS": "amplifyAuthEDITORSGroup8A406E3D"}
