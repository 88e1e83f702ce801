"""amplify_outputs from stack outputs: each reference case, every version, the edge rules of client-config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amplify_py.errors import AmpyFault, AmpyUserError
from amplify_py.outputs import OUTPUTS_VERSIONS, AmplifyOutputs, build_outputs, local_engine_custom, resolve_stack_outputs
from tests.outputs_schema import assert_valid_outputs

CASES_DIR = Path(__file__).resolve().parents[1] / "data" / "reference" / "cases"
CASES = sorted(p.name.removesuffix(".template.json") for p in CASES_DIR.glob("*.template.json"))


def _placeholder_outputs(case: str) -> dict[str, str]:
    """The case's stack outputs with deploy-time values as ``${LogicalId}`` / ``${AWS::Region}``."""
    template = json.loads((CASES_DIR / f"{case}.template.json").read_text())
    physical_ids = {logical_id: "${" + logical_id + "}" for logical_id in template["Resources"]}
    return resolve_stack_outputs(template, physical_ids, "${AWS::Region}")


def _expected(case: str) -> str:
    return (CASES_DIR / f"{case}.amplify_outputs.json").read_text()


def _auth_outputs(**overrides: str) -> dict[str, str]:
    base = _placeholder_outputs("email_default")
    base.update(overrides)
    return base


def test_every_reference_case_is_covered() -> None:
    assert len(CASES) == 18


@pytest.mark.parametrize("case", CASES)
def test_reference_case_matches_client_config_byte_for_byte(case: str) -> None:
    outputs = build_outputs(_placeholder_outputs(case))
    expected = _expected(case)
    assert outputs.to_dict() == json.loads(expected)
    # The reference files carry a trailing newline that ampx's JSON.stringify does not write.
    assert outputs.to_json() + "\n" == expected
    assert_valid_outputs(outputs.to_dict())


@pytest.mark.parametrize("case", CASES)
def test_model_round_trips_reference_files(case: str) -> None:
    expected = json.loads(_expected(case))
    assert AmplifyOutputs.from_dict(expected).to_dict() == expected


@pytest.mark.parametrize("version", OUTPUTS_VERSIONS)
@pytest.mark.parametrize("case", ["groups", "passwordless_email_otp", "external_google", "mfa_optional_totp_sms"])
def test_older_versions_follow_their_schema(case: str, version: str) -> None:
    outputs = build_outputs(_placeholder_outputs(case), version=version).to_dict()
    latest = json.loads(_expected(case))
    assert outputs["version"] == version
    assert_valid_outputs(outputs, version)
    allowed_missing = set()
    if version in ("1", "1.1", "1.2"):
        allowed_missing |= {"groups", "passwordless"}
    elif version == "1.3":
        allowed_missing |= {"passwordless"}
    assert {k: v for k, v in latest["auth"].items() if k not in allowed_missing} == outputs["auth"]
    assert list(outputs["auth"]) == [k for k in latest["auth"] if k not in allowed_missing]


def test_groups_appear_from_version_1_3() -> None:
    stack_outputs = _placeholder_outputs("groups")
    assert "groups" not in build_outputs(stack_outputs, version="1.2").to_dict()["auth"]
    assert build_outputs(stack_outputs, version="1.3").to_dict()["auth"]["groups"] == [
        {"ADMINS": {"precedence": 0}},
        {"EDITORS": {"precedence": 1}},
    ]


def test_passwordless_appears_from_version_1_4() -> None:
    stack_outputs = _placeholder_outputs("passwordless_email_otp")
    assert "passwordless" not in build_outputs(stack_outputs, version="1.3").to_dict()["auth"]
    assert build_outputs(stack_outputs, version="1.4").to_dict()["auth"]["passwordless"] == {
        "email_otp_enabled": True,
        "sms_otp_enabled": False,
    }


def test_unknown_version_is_a_user_error() -> None:
    with pytest.raises(AmpyUserError, match=r"amplify_outputs version '2' is not supported"):
        build_outputs(_auth_outputs(), version="2")


def test_passwordless_with_webauthn_and_preferred_challenge() -> None:
    options = {
        "emailOtpEnabled": True,
        "smsOtpEnabled": True,
        "webAuthn": {"relyingPartyId": "example.com", "userVerification": "required"},
        "preferredChallenge": "WEB_AUTHN",
    }
    auth = build_outputs(_auth_outputs(passwordlessOptions=json.dumps(options))).to_dict()["auth"]
    assert auth["passwordless"] == {
        "email_otp_enabled": True,
        "sms_otp_enabled": True,
        "web_authn": {"relying_party_id": "example.com", "user_verification": "required"},
        "preferred_challenge": "WEB_AUTHN",
    }
    assert_valid_outputs(build_outputs(_auth_outputs(passwordlessOptions=json.dumps(options))).to_dict())


@pytest.mark.parametrize(("cfn", "expected"), [("OFF", "NONE"), ("OPTIONAL", "OPTIONAL"), ("ON", "REQUIRED")])
def test_mfa_configuration_names(cfn: str, expected: str) -> None:
    assert build_outputs(_auth_outputs(mfaConfiguration=cfn)).to_dict()["auth"]["mfa_configuration"] == expected


def test_unknown_or_empty_mfa_configuration_is_left_out() -> None:
    assert "mfa_configuration" not in build_outputs(_auth_outputs(mfaConfiguration="")).to_dict()["auth"]
    assert "mfa_configuration" not in build_outputs(_auth_outputs(mfaConfiguration="MAYBE")).to_dict()["auth"]


def test_password_policy_flags_default_to_false_and_min_length_to_8() -> None:
    auth = build_outputs(
        _auth_outputs(passwordPolicyMinLength="", passwordPolicyRequirements='["REQUIRES_SYMBOLS"]')
    ).to_dict()["auth"]
    assert auth["password_policy"] == {
        "min_length": 8,
        "require_lowercase": False,
        "require_numbers": False,
        "require_symbols": True,
        "require_uppercase": False,
    }
    auth = build_outputs(_auth_outputs(passwordPolicyMinLength="12", passwordPolicyRequirements="")).to_dict()["auth"]
    assert auth["password_policy"]["min_length"] == 12
    assert not any(v for k, v in auth["password_policy"].items() if k != "min_length")
    auth = build_outputs(_auth_outputs(passwordPolicyMinLength="", passwordPolicyRequirements="")).to_dict()["auth"]
    assert "password_policy" not in auth


def test_oauth_needs_both_redirect_lists_and_splits_them_on_commas() -> None:
    assert "oauth" not in build_outputs(_auth_outputs(oauthRedirectSignOut="")).to_dict()["auth"]
    auth = build_outputs(
        _auth_outputs(
            oauthRedirectSignIn="http://localhost:3000/,https://app.example.com/",
            oauthRedirectSignOut="http://localhost:3000/",
            socialProviders='["GOOGLE","SIGN_IN_WITH_APPLE","MyOidc"]',
            oauthCognitoDomain="example.auth.us-east-1.amazoncognito.com",
            oauthScope="",
        )
    ).to_dict()["auth"]
    assert auth["oauth"] == {
        "identity_providers": ["GOOGLE", "SIGN_IN_WITH_APPLE"],
        "redirect_sign_in_uri": ["http://localhost:3000/", "https://app.example.com/"],
        "redirect_sign_out_uri": ["http://localhost:3000/"],
        "response_type": "code",
        "scopes": [],
        "domain": "example.auth.us-east-1.amazoncognito.com",
    }


def test_identity_pool_and_unauthenticated_flag_are_optional() -> None:
    auth = build_outputs(_auth_outputs(identityPoolId="", allowUnauthenticatedIdentities="false")).to_dict()["auth"]
    assert "identity_pool_id" not in auth
    assert auth["unauthenticated_identities_enabled"] is False


def test_stack_without_auth_outputs_has_only_a_version() -> None:
    assert build_outputs({}).to_json() == '{\n  "version": "1.5"\n}'


def test_missing_required_auth_output_is_a_fault() -> None:
    outputs = _auth_outputs()
    del outputs["webClientId"]
    with pytest.raises(AmpyFault, match=r"auth stack outputs lack webClientId"):
        build_outputs(outputs)


def test_invalid_json_in_an_output_is_a_fault() -> None:
    with pytest.raises(AmpyFault, match=r"Stack output 'mfaTypes' should hold JSON but holds ''"):
        build_outputs(_auth_outputs(mfaTypes=""))


def test_custom_goes_last_under_custom() -> None:
    custom = local_engine_custom("http://127.0.0.1:4566/")
    assert custom == {
        "local_engine": {
            "user_pool_endpoint": "http://127.0.0.1:4566",
            "identity_pool_endpoint": "http://127.0.0.1:4566",
        }
    }
    outputs = build_outputs(_auth_outputs(), custom=custom).to_dict()
    assert list(outputs) == ["auth", "version", "custom"]
    assert outputs["custom"] == custom
    assert_valid_outputs(outputs)


def test_stack_custom_outputs_merge_with_custom() -> None:
    stack = _auth_outputs(customOutputs=json.dumps({"version": "1", "custom": {"api": {"url": "https://x"}}}))
    outputs = build_outputs(stack, custom={"local_engine": {"user_pool_endpoint": "e"}}).to_dict()
    assert outputs["version"] == "1.5"
    assert outputs["custom"] == {"api": {"url": "https://x"}, "local_engine": {"user_pool_endpoint": "e"}}


def test_custom_key_clash_is_reported_like_amplify() -> None:
    stack = _auth_outputs(customOutputs=json.dumps({"custom": {"region": "a"}}))
    with pytest.raises(AmpyUserError, match=r"Duplicated entry with key region detected in deployment outputs"):
        build_outputs(stack, custom={"region": "b"})


def test_custom_outputs_of_another_major_version_conflict() -> None:
    stack = _auth_outputs(customOutputs=json.dumps({"version": "2", "custom": {"a": 1}}))
    with pytest.raises(AmpyUserError, match=r"Conflicting versions of client configuration found"):
        build_outputs(stack)


def test_custom_outputs_cannot_override_auth_keys() -> None:
    stack = _auth_outputs(customOutputs=json.dumps({"auth": {"user_pool_id": "other"}}))
    with pytest.raises(AmpyUserError, match=r"Duplicated entry with key user_pool_id"):
        build_outputs(stack)


def test_model_keeps_a_schema_reference_first() -> None:
    data = {"$schema": "https://amplify.aws/2024-02/outputs-schema.json", "version": "1.5", "custom": {"a": None}}
    outputs = AmplifyOutputs.from_dict(data)
    assert outputs.to_dict() == data
    assert list(outputs.to_dict()) == ["$schema", "version", "custom"]
    assert_valid_outputs(outputs.to_dict())


def test_model_rejects_keys_the_schema_does_not_define() -> None:
    with pytest.raises(ValueError, match=r"auth\.endpoint\s+Extra inputs are not permitted"):
        AmplifyOutputs.from_dict(
            {"version": "1.5", "auth": {"user_pool_id": "p", "aws_region": "r", "user_pool_client_id": "c", "endpoint": "x"}}
        )
