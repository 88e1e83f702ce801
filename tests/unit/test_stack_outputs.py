"""Resolving a template's Outputs locally, as CloudFormation would after a deployment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amplify_py.errors import AmpyFault
from amplify_py.outputs import resolve_stack_outputs

CASES_DIR = Path(__file__).resolve().parents[1] / "data" / "reference" / "cases"


def _template(outputs: dict) -> dict:
    return {"Resources": {"Pool": {"Type": "AWS::Cognito::UserPool"}}, "Outputs": {k: {"Value": v} for k, v in outputs.items()}}


def test_real_ids_fill_a_reference_template() -> None:
    template = json.loads((CASES_DIR / "external_google.template.json").read_text())
    ids = {
        "amplifyAuthUserPool4BA7F805": "us-west-2_AbCdEf123",
        "amplifyAuthUserPoolAppClient2626C6F8": "3n4b5urk1ft4fl3mg5e62d9ado",
        "amplifyAuthIdentityPool3FDE84CC": "us-west-2:11111111-2222-3333-4444-555555555555",
        "amplifyAuthUserPoolUserPoolDomain1F688B5B": "myapp",
    }
    outputs = resolve_stack_outputs(template, ids, "us-west-2")
    assert list(outputs) == list(template["Outputs"])
    assert outputs["userPoolId"] == "us-west-2_AbCdEf123"
    assert outputs["authRegion"] == "us-west-2"
    assert outputs["oauthClientId"] == "3n4b5urk1ft4fl3mg5e62d9ado"
    assert outputs["oauthCognitoDomain"] == "myapp.auth.us-west-2.amazoncognito.com"
    assert outputs["socialProviders"] == '["GOOGLE"]'


def test_pseudo_parameters() -> None:
    template = _template(
        {
            "arn": {
                "Fn::Join": [
                    ":",
                    ["arn", {"Ref": "AWS::Partition"}, "cognito-idp", {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}],
                ]
            },
            "suffix": {"Ref": "AWS::URLSuffix"},
        }
    )
    outputs = resolve_stack_outputs(template, {}, "eu-central-1", account_id="123456789012")
    assert outputs == {"arn": "arn:aws:cognito-idp:eu-central-1:123456789012", "suffix": "amazonaws.com"}


def test_get_att_in_both_forms_and_select_split() -> None:
    template = _template(
        {
            "arn": {"Fn::GetAtt": ["Pool", "Arn"]},
            "url": {"Fn::GetAtt": "Pool.ProviderURL"},
            "second": {"Fn::Select": [1, {"Fn::Split": ["/", {"Fn::GetAtt": ["Pool", "Arn"]}]}]},
        }
    )
    attributes = {
        ("Pool", "Arn"): "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_x",
        ("Pool", "ProviderURL"): "cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
    }
    outputs = resolve_stack_outputs(template, {"Pool": "us-east-1_x"}, "us-east-1", attributes=attributes)
    assert outputs == {
        "arn": attributes[("Pool", "Arn")],
        "url": attributes[("Pool", "ProviderURL")],
        "second": "us-east-1_x",
    }


def test_ref_to_a_parameter_uses_its_default() -> None:
    template = _template({"stage": {"Ref": "Stage"}})
    template["Parameters"] = {"Stage": {"Type": "String", "Default": "dev"}}
    assert resolve_stack_outputs(template, {}, "us-east-1") == {"stage": "dev"}


def test_unknown_ref_is_a_fault() -> None:
    with pytest.raises(AmpyFault, match=r"Outputs\.id\.Value\.Ref: no physical id for Ref 'Missing'"):
        resolve_stack_outputs(_template({"id": {"Ref": "Missing"}}), {}, "us-east-1")


def test_missing_attribute_is_a_fault() -> None:
    with pytest.raises(AmpyFault, match=r"no value for Fn::GetAtt Pool\.Arn"):
        resolve_stack_outputs(_template({"arn": {"Fn::GetAtt": ["Pool", "Arn"]}}), {"Pool": "p"}, "us-east-1")


def test_unsupported_intrinsic_is_a_fault() -> None:
    with pytest.raises(AmpyFault, match=r"intrinsic Fn::ImportValue cannot be evaluated locally"):
        resolve_stack_outputs(_template({"x": {"Fn::ImportValue": "Shared"}}), {}, "us-east-1")


def test_conditional_output_is_a_fault() -> None:
    template = {"Outputs": {"x": {"Value": "a", "Condition": "IsProd"}}}
    with pytest.raises(AmpyFault, match=r"Output 'x' has a Condition"):
        resolve_stack_outputs(template, {}, "us-east-1")


def test_select_out_of_range_is_a_fault() -> None:
    with pytest.raises(AmpyFault, match=r"Fn::Select index 3 is not in"):
        resolve_stack_outputs(_template({"x": {"Fn::Select": [3, ["a", "b"]]}}), {}, "us-east-1")
