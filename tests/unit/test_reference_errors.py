"""The 4 configurations the reference rejects fail with the reference's message (DSL names), no CDK runtime."""

from __future__ import annotations

import re

import pytest

from amplify_py import define_auth
from amplify_py.errors import DefinitionError
from tests._reference import CASES_DIR, error_definitions

EXPECTED = {
    "email_body_missing_code": (
        "login_with.email.verification_email_body",
        "Invalid email settings. Property 'verification_email_body' must utilize the 'code' parameter at least once "
        "as a placeholder for the verification code.",
    ),
    "mfa_phone_without_sms": (
        "multifactor.sms",
        "Invalid MFA settings. SMS must be enabled in multifactor if login_with phone is enabled.",
    ),
    "external_no_domain_prefix": (
        "login_with.external_providers.domain_prefix",
        "Cognito Domain Prefix is missing when external providers are configured.",
    ),
    "no_login_method": ("login_with", "At least one of email or phone must be enabled."),
}


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_rejected_like_the_reference(case: str) -> None:
    path, message = EXPECTED[case]
    with pytest.raises(DefinitionError, match=re.escape(message)) as info:
        define_auth(**error_definitions()[case])
    assert [(p.path, p.message) for p in info.value.problems] == [(path, message)]
    assert info.value.problems[0].resolution
    # Same meaning as the reference's error: its words, with camelCase names in snake_case.
    reference = (CASES_DIR / f"{case}.error.txt").read_text().removeprefix("Error: ").strip()
    snake = re.sub(r"(?<=[a-z])([A-Z])", r"_\1", reference).lower()
    # ("multiFactor" is spelled "multifactor" in the DSL)
    assert _words(snake) - _words(message) <= {"multi", "factor"}
