"""cfn-lint reports nothing on synthesized templates (including external providers, triggers, senders).

One rule is ignored: W3005 ("obsolete DependsOn", a warning). The reference emits those DependsOn
(the role attachment on the identity pool, CDK's Lambda functions on their roles) and we must
produce the same resources, DependsOn included; they are harmless.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from tests._reference import case_definitions, extra_case_definitions, synthesize

LINTED = [
    "email_default",
    "phone",
    "custom_attrs",
    "email_customized",
    "groups",
    "external_google",
    "oidc_saml",
    "passwordless_email_otp",
    "triggers",
    "sender_custom_email_sms",
    "social_all",
    "webauthn",
    "mfa_sms_message_email",
    "sms_sender",
]


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, Any]]:
    definitions = {**case_definitions(), **extra_case_definitions()}
    return {name: synthesize(definitions[name]) for name in LINTED}


@pytest.mark.parametrize("case", LINTED)
def test_cfn_lint_is_silent(case: str, templates: dict[str, dict[str, Any]]) -> None:
    matches = lint(json.dumps(templates[case]), config=ManualArgs(regions=["us-east-1"], ignore_checks=["W3005"]))
    assert [str(m) for m in matches] == []
