"""define_auth validation: every problem at once, DSL paths, snake_case hints, "did you mean" (no CDK runtime)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from amplify_py import define_auth, secret
from amplify_py.backend.auth import AuthConfig
from amplify_py.backend.auth.types import EmailLogin, LoginWith, Multifactor
from amplify_py.errors import DefinitionError

REPO_ROOT = Path(__file__).resolve().parents[2]
URLS = {"callback_urls": ["https://a.example/"], "logout_urls": ["https://a.example/"], "domain_prefix": "a"}


def problems(**kwargs: Any) -> dict[str, str]:
    with pytest.raises(DefinitionError, match="define_auth has") as info:
        define_auth(**kwargs)
    return {p.path: f"{p.message} {p.resolution}" for p in info.value.problems}


def test_importing_and_validating_never_starts_the_cdk_runtime() -> None:
    code = (
        "import sys\n"
        "from amplify_py import define_auth, secret\n"
        "from amplify_py.errors import DefinitionError\n"
        "d = define_auth(login_with={'email': {'verification_email_body': lambda c: f'{c()}'}}, groups=['A'])\n"
        "d.to_props(resolve_secret=str)\n"
        "try:\n    define_auth(login_with={})\nexcept DefinitionError:\n    pass\n"
        "assert 'aws_cdk' not in sys.modules and 'jsii' not in sys.modules, 'CDK imported'\n"
        "print('clean')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(REPO_ROOT)}
    )
    assert result.stdout.strip() == "clean", result.stderr


def test_all_problems_are_reported_at_once() -> None:
    found = problems(
        login_with={"email": {"verificationEmailBody": lambda c: c()}},
        user_attributes={
            "familyName": {"mutable": True},
            "birthdat": {},
            "custom:score": {"data_type": "Number", "min": 10, "max": 1},
        },
        triggers={"preSignUp": object(), "post_confirmation": "not a function"},
        groups=["ADMINS", "ADMINS"],
    )
    assert set(found) == {
        "login_with.email.verificationEmailBody",
        "user_attributes.familyName",
        "user_attributes.birthdat",
        "user_attributes.custom:score",
        "triggers.preSignUp",
        "triggers.post_confirmation",
        "groups[1]",
    }
    assert "write 'verification_email_body' instead of 'verificationEmailBody'" in found["login_with.email.verificationEmailBody"]
    assert "write 'family_name' instead of 'familyName'" in found["user_attributes.familyName"]
    assert "Did you mean 'birthdate'?" in found["user_attributes.birthdat"]
    assert "min (10) is greater than max (1)" in found["user_attributes.custom:score"]
    assert "Did you mean 'pre_sign_up'?" in found["triggers.preSignUp"]
    assert "expected a function, got str" in found["triggers.post_confirmation"]
    assert "listed twice" in found["groups[1]"]


def test_camel_case_top_level_keyword() -> None:
    found = problems(login_with={"email": True}, userAttributes={})
    assert "write 'user_attributes' instead of 'userAttributes'" in found["userAttributes"]


def test_unknown_key_did_you_mean() -> None:
    found = problems(login_with={"email": True, "external_providers": {"gogle": {"client_id": "x"}, **URLS}})
    assert "Did you mean 'google'?" in found["login_with.external_providers.gogle"]


def test_missing_login_with() -> None:
    assert "'login_with' is required" in problems()["login_with"]


def test_required_on_a_custom_attribute() -> None:
    found = problems(login_with={"email": True}, user_attributes={"custom:x": {"data_type": "String", "required": True}})
    assert "custom attributes cannot be required" in found["user_attributes.custom:x.required"]


def test_custom_attribute_without_data_type_and_bad_name() -> None:
    found = problems(
        login_with={"email": True},
        user_attributes={"custom:ok": {"mutable": True}, "custom:has space": {"data_type": "String"}},
    )
    assert "need a 'data_type'" in found["user_attributes.custom:ok"]
    assert "invalid custom attribute name 'has space'" in found["user_attributes.custom:has space"]


def test_string_constraints() -> None:
    found = problems(
        login_with={"email": True},
        user_attributes={
            "custom:a": {"data_type": "String", "min_len": 5, "max_len": 2},
            "custom:b": {"data_type": "Boolean", "max_len": 3},
            "custom:c": {"data_type": "String", "max_len": 5000},
        },
    )
    assert "min_len (5) is greater than max_len (2)" in found["user_attributes.custom:a"]
    assert "'max_len' applies only to data_type 'String'" in found["user_attributes.custom:b.max_len"]
    assert "greater than 2048" in found["user_attributes.custom:c.max_len"]


def test_literal_values_are_checked() -> None:
    found = problems(login_with={"email": True}, account_recovery="EMAIL", multifactor={"mode": "ON"})
    assert "'EMAIL_ONLY'" in found["account_recovery"] and "got 'EMAIL'" in found["account_recovery"]
    assert "'OPTIONAL'" in found["multifactor.mode"]


def test_union_value_gets_one_problem() -> None:
    found = problems(login_with={"email": "yes"})
    assert list(found) == ["login_with.email"]
    assert "'yes'" in found["login_with.email"]


def test_empty_callback_urls_and_blank_url() -> None:
    found = problems(
        login_with={
            "email": True,
            "external_providers": {"google": {"client_id": "g"}, "callback_urls": [], "logout_urls": [" "],
                                   "domain_prefix": "x"},
        }
    )
    assert "You must define callback_urls" in found["login_with.external_providers.callback_urls"]
    assert "empty URL" in found["login_with.external_providers.logout_urls[0]"]


def test_preferred_challenge_must_be_enabled() -> None:
    found = problems(login_with={"email": True}, passwordless_options={"preferred_challenge": "EMAIL_OTP"})
    assert (
        'Preferred challenge "EMAIL_OTP" is not enabled in your authentication configuration. Enabled challenges: PASSWORD.'
        in found["passwordless_options.preferred_challenge"]
    )
    define_auth(login_with={"email": {"otp_login": True}}, passwordless_options={"preferred_challenge": "EMAIL_OTP"})


def test_mfa_rules() -> None:
    assert "needs at least one of totp, sms or email" in problems(
        login_with={"email": True}, multifactor={"mode": "REQUIRED"}
    )["multifactor"]
    assert "mode 'OFF' cannot enable totp" in problems(
        login_with={"email": True}, multifactor={"mode": "OFF", "totp": True}
    )["multifactor"]
    assert "email MFA needs Amazon SES" in problems(
        login_with={"email": True}, multifactor={"mode": "OPTIONAL", "email": True}
    )["multifactor.email"]
    assert "must utilize the 'code' parameter" in problems(
        login_with={"email": True}, multifactor={"mode": "OPTIONAL", "sms": {"sms_message": lambda c: "no code"}}
    )["multifactor.sms.sms_message"]


def test_message_callables_must_call_their_argument() -> None:
    # Returns the placeholder text without calling create_code(): still an error (it must be called).
    found = problems(login_with={"email": {"verification_email_body": lambda create_code: "Code {####}"}})
    assert "must utilize the 'code' parameter" in found["login_with.email.verification_email_body"]
    found = problems(login_with={"email": {"verification_email_style": "LINK", "verification_email_body": lambda l: "x"}})
    assert "must utilize the 'link' parameter" in found["login_with.email.verification_email_body"]
    found = problems(login_with={"phone": {"verification_message": lambda c: 42}})
    assert "must return a str, got int" in found["login_with.phone.verification_message"]
    found = problems(login_with={"email": {"user_invitation": {"email_body": lambda user, code: f"{code()}"}}})
    assert "'user'" in found["login_with.email.user_invitation.email_body"]
    found = problems(login_with={"email": {"verification_email_body": lambda: "x"}})
    assert "raised TypeError" in found["login_with.email.verification_email_body"]


def test_messages_render_with_placeholders() -> None:
    props = define_auth(
        login_with={
            "email": {
                "verification_email_style": "LINK",
                "verification_email_body": lambda create_link: f"Open {create_link('here')} or {create_link()}",
                "user_invitation": {"email_body": lambda user, code: f"{user()} / {code()}"},
            },
            "phone": {"verification_message": lambda create_code: f"Code: {create_code()}"},
        },
        multifactor={"mode": "OPTIONAL", "sms": {"sms_message": lambda code: f"MFA {code()}"}},
    ).to_props(resolve_secret=str)
    email = props.login_with.email
    assert email.verification_email_body == "Open {##here##} or {##Verify Email##}"
    assert email.user_invitation.email_body == "{username} / {####}"
    assert props.login_with.phone.verification_message == "Code: {####}"
    assert props.multifactor.sms_message == "MFA {####}"


def test_typed_models_and_dicts_are_both_accepted() -> None:
    typed = define_auth(
        login_with=LoginWith(email=EmailLogin(verification_email_subject="Hi")),
        multifactor=Multifactor(mode="OPTIONAL", totp=True),
    )
    plain = define_auth(login_with={"email": {"verification_email_subject": "Hi"}}, multifactor={"mode": "OPTIONAL", "totp": True})
    assert typed.config == plain.config
    assert isinstance(typed.config, AuthConfig)
    with pytest.raises(Exception, match="frozen"):
        typed.config.name = "x"  # type: ignore[misc]


def test_triggers_map_to_cognito_operations_and_secrets_resolve() -> None:
    class Fn:
        def __init__(self) -> None:
            self.scopes: list[Any] = []

        def resolve_function(self, scope: Any) -> str:
            self.scopes.append(scope)
            return "resolved-fn"

    fn = Fn()
    definition = define_auth(
        login_with={
            "email": True,
            "external_providers": {"google": {"client_id": secret("G_ID"), "client_secret": secret("G_SECRET")}, **URLS},
        },
        triggers={"pre_token_generation": fn},
    )
    props = definition.to_props("the-scope", resolve_secret=lambda name: f"value-of-{name}")
    assert props.triggers == {"preTokenGeneration": "resolved-fn"}
    assert fn.scopes == ["the-scope"]
    google = props.login_with.external_providers.google
    assert (google.client_id, google.client_secret) == ("value-of-G_ID", "value-of-G_SECRET")


def test_secret_names_are_checked() -> None:
    from amplify_py.errors import AmpyUserError

    with pytest.raises(AmpyUserError, match="Invalid secret name 'has space'"):
        secret("has space")


def test_an_unknown_key_does_not_hide_the_other_problems_of_its_attribute() -> None:
    found = problems(
        login_with={"email": True},
        user_attributes={"custom:tier": {"data_type": "Number", "min": 10, "max": 1, "required": True}},
    )
    assert "custom attributes cannot be required" in found["user_attributes.custom:tier.required"]
    assert "min (10) is greater than max (1)" in found["user_attributes.custom:tier"]


def test_the_readme_example_error_is_what_define_auth_reports() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```text\nError (InvalidDefinitionError): ", 1)[1].split("```", 1)[0]
    with pytest.raises(DefinitionError, match="define_auth has 2 problems") as info:
        define_auth(
            login_with={"email": {"verification_email_body": lambda create_code: "Welcome!"}},
            user_attributes={"familyName": {"required": True}},
        )
    shown = [line for line in block.splitlines() if line.startswith("  - ")]
    assert len(shown) == 2 and all(line in info.value.message for line in shown), info.value.message


@pytest.mark.parametrize("value", ["yes", "true", "no", 1, 0, 1.0])
def test_booleans_are_strict(value: Any) -> None:
    found = problems(login_with={"email": True}, multifactor={"mode": "OPTIONAL", "totp": value},
                     user_attributes={"email": {"required": value, "mutable": True}})
    assert found == {
        "multifactor.totp": f"expected True or False, got {value!r}. Write True or False: booleans are strict "
                            "('yes', 'true' or 1 are not taken for True). See docs/reference/define_auth.md for the "
                            "accepted values.",
        "user_attributes.email.required": f"expected True or False, got {value!r}. Write True or False: booleans are "
                                          "strict ('yes', 'true' or 1 are not taken for True). See "
                                          "docs/reference/define_auth.md for the accepted values.",
    }


@pytest.mark.parametrize("value", [1, 1.0, "true"])
def test_true_means_true(value: Any) -> None:
    found = problems(login_with={"email": value})
    assert found == {
        "login_with.email": f"invalid value {value!r}: input should be True; or input should be a valid dictionary or "
                            "instance of EmailLogin. Write True: booleans are strict ('yes', 'true' or 1 are not taken "
                            "for True). See docs/reference/define_auth.md for the accepted values.",
    }


def test_real_booleans_are_taken() -> None:
    auth = define_auth(login_with={"email": True}, multifactor={"mode": "OPTIONAL", "totp": True, "sms": False},
                       user_attributes={"email": {"required": True, "mutable": False}})
    assert auth.config.multifactor == Multifactor(mode="OPTIONAL", totp=True, sms=False)
    assert auth.config.login_with.email is True
