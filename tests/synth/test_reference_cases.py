"""Each reference configuration, written in the Python DSL, synthesizes to the reference's template.

Resources (type, Properties, DeletionPolicy, UpdateReplacePolicy, DependsOn, references), Outputs
and the AWS::Amplify::Auth metadata must be equal; only Description, CDK metadata and the
bootstrap parameter/rule are ignored (see tests/_reference.normalize).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._reference import (
    case_definitions,
    extra_case_definitions,
    load_extra_reference,
    load_reference,
    normalize,
    synthesize,
)

CASES = sorted(case_definitions())


@pytest.fixture(scope="module")
def synthesized() -> dict[str, dict[str, Any]]:
    """One App per case (the stack id 'AuthStack' appears in SMS role external ids), built once per module."""
    return {name: normalize(synthesize(kwargs)) for name, kwargs in case_definitions().items()}


def test_all_eighteen_cases_are_covered() -> None:
    assert len(CASES) == 18


@pytest.mark.parametrize("case", CASES)
def test_resources_equal_reference(case: str, synthesized: dict[str, dict[str, Any]]) -> None:
    ours, ref = synthesized[case]["Resources"], normalize(load_reference(case))["Resources"]
    assert sorted(ours) == sorted(ref)
    for logical_id, resource in ref.items():
        assert ours[logical_id] == resource, logical_id


@pytest.mark.parametrize("case", CASES)
def test_outputs_and_metadata_equal_reference(case: str, synthesized: dict[str, dict[str, Any]]) -> None:
    ref = normalize(load_reference(case))
    assert synthesized[case]["Outputs"] == ref["Outputs"]
    assert list(synthesized[case]["Outputs"]) == list(ref["Outputs"])
    assert synthesized[case]["Metadata"] == ref["Metadata"]


def test_trigger_is_wired_into_lambda_config(synthesized: dict[str, dict[str, Any]]) -> None:
    resources = synthesized["triggers"]["Resources"]
    assert resources["amplifyAuthUserPool4BA7F805"]["Properties"]["LambdaConfig"] == {
        "PreSignUp": {"Fn::GetAtt": ["preSignUpFn03257701", "Arn"]}
    }
    permission = resources["amplifyAuthUserPoolPreSignUpCognito55F45D8E"]
    assert permission["Type"] == "AWS::Lambda::Permission"
    assert permission["Properties"]["Principal"] == "cognito-idp.amazonaws.com"


EXTRA = sorted(extra_case_definitions())


@pytest.fixture(scope="module")
def synthesized_extra() -> dict[str, dict[str, Any]]:
    return {name: normalize(synthesize(kwargs)) for name, kwargs in extra_case_definitions().items()}


@pytest.mark.parametrize("case", EXTRA)
def test_extra_case_equals_reference(case: str, synthesized_extra: dict[str, dict[str, Any]]) -> None:
    ours, ref = synthesized_extra[case], normalize(load_extra_reference(case))
    assert sorted(ours["Resources"]) == sorted(ref["Resources"])
    for logical_id, resource in ref["Resources"].items():
        assert ours["Resources"][logical_id] == resource, logical_id
    assert ours["Outputs"] == ref["Outputs"]
    assert ours["Metadata"] == ref["Metadata"]
