"""The one intrinsic evaluator behind the engine's Resolver (lenient) and the stack outputs (strict)."""

from __future__ import annotations

import pytest

from amplify_py._cfn import IntrinsicError, Intrinsics
from amplify_py.errors import AmpyFault
from amplify_py.local.resolve import Resolver
from amplify_py.outputs import resolve_stack_outputs

TEMPLATE = {
    "Resources": {
        "Pool": {"Type": "AWS::Cognito::UserPool"},
        "Fn": {"Type": "AWS::Lambda::Function"},
    },
    "Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
}


def _engine_resolver(ids: dict[str, str]) -> Resolver:
    return Resolver(TEMPLATE, "eu-west-1", "stack", ids.get)


def test_engine_resolves_refs_arns_and_sub_against_assigned_ids() -> None:
    resolver = _engine_resolver({"Pool": "eu-west-1_abc", "Fn": "fn-1"})
    value = {
        "Id": {"Ref": "Pool"},
        "Arn": {"Fn::GetAtt": ["Pool", "Arn"]},
        "FnArn": {"Fn::GetAtt": "Fn.Arn"},
        "Url": {"Fn::Sub": "https://${Pool.ProviderName}/${AWS::Region}/${Stage}"},
        "Named": {"Fn::Sub": ["${Who}-${AWS::StackName}", {"Who": {"Ref": "Pool"}}]},
        "Last": {"Fn::Select": [1, {"Fn::Split": ["_", {"Ref": "Pool"}]}]},
        "Joined": {"Fn::Join": ["/", [{"Ref": "AWS::AccountId"}, True, 3]]},
    }
    assert resolver.resolve(value) == {
        "Id": "eu-west-1_abc",
        "Arn": "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_abc",
        "FnArn": "arn:aws:lambda:eu-west-1:000000000000:function:fn-1",
        "Url": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/eu-west-1/dev",
        "Named": "eu-west-1_abc-stack",
        "Last": "abc",
        "Joined": "000000000000/true/3",
    }


def test_engine_is_lenient_with_what_it_cannot_know() -> None:
    resolver = _engine_resolver({})
    value = {
        "Ref": {"Ref": "NotDeployedYet"},
        "Other": {"Fn::ImportValue": {"Ref": "AWS::Region"}},
        "Dropped": {"Ref": "AWS::NoValue"},
        "List": ["a", {"Ref": "AWS::NoValue"}, "b"],
    }
    assert resolver.resolve(value) == {"Ref": "NotDeployedYet", "Other": {"Fn::ImportValue": "eu-west-1"}, "List": ["a", "b"]}


def test_malformed_intrinsics_say_where_in_both_modes() -> None:
    lenient = Intrinsics({}, pseudo={}, physical_id=lambda _: None, get_att=lambda *_: None, strict=False)
    with pytest.raises(IntrinsicError, match=r"^Props\.X\.Fn::Join: Fn::Join needs \[delimiter, \[values\]\], got 'a'\.$"):
        lenient.resolve({"X": {"Fn::Join": "a"}}, "Props")
    with pytest.raises(IntrinsicError, match=r"^value\.Fn::Sub: Fn::Sub needs a string or \[string, \{variables\}\], got 3\.$"):
        lenient.resolve({"Fn::Sub": 3})
    with pytest.raises(AmpyFault, match=r"Outputs\.x\.Value\.Fn::Split: Fn::Split needs a string, got \[.a.\]\."):
        resolve_stack_outputs({"Outputs": {"x": {"Value": {"Fn::Split": [",", ["a"]]}}}}, {}, "us-east-1")


def test_outputs_evaluate_sub_strictly() -> None:
    template = {"Outputs": {"domain": {"Value": {"Fn::Sub": "${Domain}.auth.${AWS::Region}.amazoncognito.com"}}}}
    assert resolve_stack_outputs(template, {"Domain": "myapp"}, "us-east-2") == {
        "domain": "myapp.auth.us-east-2.amazoncognito.com"
    }
    with pytest.raises(AmpyFault, match=r"Outputs\.domain\.Value\.Fn::Sub: no physical id for Ref 'Domain'\."):
        resolve_stack_outputs(template, {}, "us-east-2")


def test_an_output_of_no_value_is_a_fault() -> None:
    template = {"Outputs": {"x": {"Value": {"Ref": "AWS::NoValue"}}}}
    with pytest.raises(AmpyFault, match=r"An output resolved to AWS::NoValue, not a string\n"):
        resolve_stack_outputs(template, {}, "us-east-1")
