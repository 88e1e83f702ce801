"""The reference cases (tests/data/reference/CASES.md) written in the Python DSL, and template normalization.

Shared by the synth tier (template comparison, cfn-lint) and the unit tier (the rejected cases).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

from amplify_py.backend.secret import secret

CASES_DIR = Path(__file__).resolve().parent / "data" / "reference" / "cases"
INLINE_CODE = "exports.handler = async (event) => event;"
EXTERNAL_URLS = {"callback_urls": ["http://localhost:3000/"], "logout_urls": ["http://localhost:3000/"]}
SAML_METADATA_XML = (
    '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="https://idp.example.com/saml"><md:IDPSSODescriptor '
    'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:SingleSignOnService '
    'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>'
    "</md:IDPSSODescriptor></md:EntityDescriptor>"
)
# The stack id the reference used (it appears in the SMS role's ExternalId).
REFERENCE_STACK_ID = "AuthStack"
SECRETS = {"GOOGLE_CLIENT_SECRET": "google-client-secret"}


class InlineFunction:
    """A stand-in for define_function: builds the reference's inline Node function in the stack."""

    def __init__(self, construct_id: str) -> None:
        self.construct_id = construct_id

    def resolve_function(self, scope: Any) -> Any:
        from aws_cdk import Stack
        from aws_cdk import aws_lambda as lambda_

        stack = Stack.of(scope)
        existing = stack.node.try_find_child(self.construct_id)
        if existing is not None:
            return existing
        return lambda_.Function(
            stack,
            self.construct_id,
            runtime=lambda_.Runtime.NODEJS_22_X,
            handler="index.handler",
            code=lambda_.Code.from_inline(INLINE_CODE),
        )


def case_definitions() -> dict[str, dict[str, Any]]:
    """define_auth keyword arguments for each of the 18 reference cases that synthesize."""
    return {
        "email_default": {"login_with": {"email": True}},
        "phone": {"login_with": {"phone": True}},
        "email_and_phone": {"login_with": {"email": True, "phone": True}},
        "birthdate_attr": {
            "login_with": {"email": True},
            "user_attributes": {"birthdate": {"mutable": True, "required": False}},
        },
        "all_standard_attrs": {
            "login_with": {"email": True},
            "user_attributes": {
                "address": {"mutable": True, "required": True},
                "birthdate": {"mutable": True, "required": False},
                "email": {"mutable": True, "required": True},
                **{
                    name: {"mutable": True, "required": False}
                    for name in (
                        "family_name", "gender", "given_name", "locale", "middle_name", "fullname", "nickname",
                        "phone_number", "profile_picture", "preferred_username", "profile_page", "timezone",
                        "last_update_time", "website",
                    )
                },
            },
        },
        "custom_attrs": {
            "login_with": {"email": True},
            "user_attributes": {
                "custom:display_name": {"data_type": "String", "mutable": True, "min_len": 1, "max_len": 16},
                "custom:favorite_number": {"data_type": "Number", "mutable": True, "min": 1, "max": 100},
                "custom:is_beta_user": {"data_type": "Boolean", "mutable": True},
                "custom:started_free_trial": {"data_type": "DateTime", "mutable": True},
            },
        },
        "email_customized": {
            "login_with": {
                "email": {
                    "verification_email_style": "CODE",
                    "verification_email_subject": "Welcome to my app!",
                    "verification_email_body": lambda create_code: f"Use this code to confirm your account: {create_code()}",
                    "user_invitation": {
                        "email_subject": "Welcome to my app!",
                        "email_body": lambda user, code: (
                            f"We're happy to have you! You can now login with username {user()} "
                            f"and temporary password {code()}"
                        ),
                    },
                }
            }
        },
        "email_link": {
            "login_with": {
                "email": {
                    "verification_email_style": "LINK",
                    "verification_email_subject": "Verify your email",
                    "verification_email_body": lambda create_link: f"Click here to verify: {create_link()}",
                }
            }
        },
        "mfa_optional_totp_sms": {
            "login_with": {"email": True},
            "multifactor": {"mode": "OPTIONAL", "totp": True, "sms": True},
        },
        "mfa_off": {"login_with": {"email": True}, "multifactor": {"mode": "OFF"}},
        "groups": {"login_with": {"email": True}, "groups": ["ADMINS", "EDITORS"]},
        "account_recovery_none": {"login_with": {"email": True}, "account_recovery": "NONE"},
        "external_google": {
            "login_with": {
                "email": True,
                "external_providers": {
                    "google": {"client_id": "google-client-id", "client_secret": secret("GOOGLE_CLIENT_SECRET")},
                    **EXTERNAL_URLS,
                    "domain_prefix": "myapp",
                },
            }
        },
        "oidc_saml": {
            "login_with": {
                "email": True,
                "external_providers": {
                    "oidc": [
                        {
                            "name": "MicrosoftEntraID",
                            "client_id": "oidc-client-id",
                            "client_secret": "oidc-client-secret",
                            "issuer_url": "https://login.microsoftonline.com/tenant-id/v2.0",
                            "scopes": ["openid", "email", "profile"],
                        }
                    ],
                    "saml": {
                        "name": "MySamlIdP",
                        "metadata": {"metadata_type": "FILE", "metadata_content": SAML_METADATA_XML},
                    },
                    **EXTERNAL_URLS,
                    "domain_prefix": "myapp",
                },
            }
        },
        "passwordless_email_otp": {"login_with": {"email": {"otp_login": True}}},
        "triggers": {"login_with": {"email": True}, "triggers": {"pre_sign_up": InlineFunction("preSignUpFn")}},
        "sender_email": {
            "login_with": {"email": True},
            "senders": {
                "email": {"from_email": "noreply@example.com", "from_name": "My App", "reply_to": "support@example.com"}
            },
        },
        "sender_custom_email_sms": {
            "login_with": {"email": True, "phone": True},
            "senders": {
                "email": {"handler": InlineFunction("customEmailSenderFn")},
                "sms": {"handler": InlineFunction("customSmsSenderFn")},
            },
        },
    }


EXTRA_DIR = CASES_DIR.parent / "extra"


def extra_case_definitions() -> dict[str, dict[str, Any]]:
    """More configurations, checked against templates generated with the reference (see data/reference/extra)."""
    return {
  "social_all": dict(login_with={"email": True, "external_providers": {
     "facebook": {"client_id": "fb-id", "client_secret": "fb-secret", "scopes": ["public_profile"], "attribute_mapping": {"fullname": "name", "custom": {"custom:fb": "id"}}},
     "login_with_amazon": {"client_id": "amz-id", "client_secret": "amz-secret"},
     "sign_in_with_apple": {"client_id": "apple-id", "team_id": "team", "key_id": "key", "private_key": "pk", "scopes": ["email"]},
     "google": {"client_id": "g-id", "client_secret": "g-secret", "attribute_mapping": {"given_name": "given_name", "email_verified": "email_verified"}},
     "oidc": [{"client_id": "o1", "client_secret": "s1", "issuer_url": "https://issuer.example.com", "attribute_request_method": "POST", "identifiers": ["example.com"], "endpoints": {"authorization": "https://i/a", "token": "https://i/t", "user_info": "https://i/u", "jwks_uri": "https://i/j"}}],
     "saml": {"name": "Saml1", "metadata": {"metadata_type": "URL", "metadata_content": "https://idp.example.com/metadata"}, "idp_signout": True, "identifiers": ["corp"], "attribute_mapping": {"email": "http://schemas/email"}},
     "scopes": ["EMAIL", "OPENID"], **EXTERNAL_URLS, "domain_prefix": "social"}}),
  "phone_social": dict(login_with={"phone": True, "external_providers": {"google": {"client_id": "g", "client_secret": "s"}, **EXTERNAL_URLS, "domain_prefix": "ph"}}),
  "webauthn": dict(login_with={"email": {"otp_login": True}, "phone": {"otp_login": True, "verification_message": lambda c: f"Code {c()}"}, "web_authn": True}, multifactor={"mode": "OPTIONAL", "sms": True}, passwordless_options={"preferred_challenge": "WEB_AUTHN"}),
  "webauthn_explicit": dict(login_with={"email": True, "web_authn": {"relying_party_id": "app.example.com", "user_verification": "required"}}),
  "mfa_sms_message_email": dict(login_with={"email": True}, multifactor={"mode": "REQUIRED", "sms": {"sms_message": lambda c: f"Your MFA code: {c()}"}, "email": True, "totp": True}, senders={"email": {"from_email": "a@example.com"}}),
  "invitation_sms_link_text": dict(name="myAuth", login_with={"email": {"verification_email_style": "LINK", "verification_email_body": lambda l: f"Go {l('Click me')}", "user_invitation": {"sms_message": lambda u, c: f"Hi {u()} {c()}"}}}, account_recovery="PHONE_AND_EMAIL", groups=["A"]),
  "sms_sender": dict(login_with={"phone": True}, senders={"sms": {"external_id": "ext", "sns_caller_arn": "arn:aws:iam::123456789012:role/sns", "sns_region": "us-west-2"}}),
  "custom_string_no_len": dict(login_with={"email": True}, user_attributes={"custom:a": {"data_type": "String"}, "custom:n": {"data_type": "Number", "mutable": False}, "nickname": {"required": True}}),
  "kms_sender": dict(login_with={"email": True}, senders={"email": {"handler": InlineFunction("kmsSenderFn"), "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/abc"}}),
    }


def load_extra_reference(case: str) -> dict[str, Any]:
    return json.loads((EXTRA_DIR / f"{case}.template.json").read_text())


def error_definitions() -> dict[str, dict[str, Any]]:
    """The 4 reference cases the reference rejects."""
    return {
        "email_body_missing_code": {"login_with": {"email": {"verification_email_body": lambda create_code: "no code here"}}},
        "mfa_phone_without_sms": {"login_with": {"phone": True}, "multifactor": {"mode": "OPTIONAL", "totp": True}},
        "external_no_domain_prefix": {
            "login_with": {
                "email": True,
                "external_providers": {"google": {"client_id": "id", "client_secret": "s"}, **EXTERNAL_URLS},
            }
        },
        "no_login_method": {"login_with": {}},
    }


def load_reference(case: str) -> dict[str, Any]:
    return json.loads((CASES_DIR / f"{case}.template.json").read_text())


def synthesize(
    kwargs: dict[str, Any],
    *,
    stack_id: str = REFERENCE_STACK_ID,
    resolve_secret: Callable[[str], Any] = SECRETS.__getitem__,
) -> dict[str, Any]:
    """The template ``define_auth(**kwargs)`` synthesizes, in an App of its own (the stack id shows in SMS role ids)."""
    from aws_cdk import App, Stack

    from amplify_py.backend.auth import define_auth

    app = App()
    stack = Stack(app, stack_id)
    define_auth(**kwargs).build(stack, resolve_secret=resolve_secret)
    return app.synth().get_stack_artifact(stack.artifact_id).template


def normalize(template: dict[str, Any]) -> dict[str, Any]:
    """Drop what may differ: Description, CDK metadata, bootstrap parameters/rules, the CDKMetadata resource."""
    t = copy.deepcopy(template)
    for key in ("Description", "Parameters", "Rules", "Conditions"):
        t.pop(key, None)
    resources = t.get("Resources", {})
    for logical_id in [k for k, v in resources.items() if v.get("Type") == "AWS::CDK::Metadata"]:
        del resources[logical_id]
    for resource in resources.values():
        resource.pop("Metadata", None)
    return t
