"""The configurations the reference rejects fail with the reference's message (DSL names), no CDK runtime.

The fourth, external providers without a domain prefix, is an error of the construct only: define_auth
derives the prefix from the backend's identity, as Amplify's defineAuth does (tests/construct/test_domain_prefix.py).
"""

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


def test_define_auth_accepts_external_providers_without_a_domain_prefix() -> None:
    definition = define_auth(**error_definitions()["external_no_domain_prefix"])
    assert definition.config.login_with.external_providers.domain_prefix is None
