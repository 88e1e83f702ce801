"""Cognito trigger events and the response rules the engine applies."""

from __future__ import annotations

import pytest

from amplify_py.local.rules import trigger_events as events
from amplify_py.local.rules.trigger_events import TriggerResponseError

COMMON = {"region": "us-east-1", "user_pool_id": "us-east-1_abc", "user_name": "ana", "client_id": "client1"}


def test_every_trigger_source_is_listed() -> None:
    assert sum(len(s) for s in events.TRIGGER_SOURCES.values()) == 24 + 8 + 7  # + the custom senders'
    assert "TokenGeneration_RefreshTokens" in events.TRIGGER_SOURCES["PreTokenGeneration"]


def test_pre_sign_up_event_shape() -> None:
    event = events.pre_sign_up_event(**COMMON, user_attributes={"email": "a@b.c"}, client_metadata={"k": "v"})
    assert event == {
        "version": "1",
        "triggerSource": "PreSignUp_SignUp",
        "region": "us-east-1",
        "userPoolId": "us-east-1_abc",
        "userName": "ana",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client1"},
        "request": {"userAttributes": {"email": "a@b.c"}, "validationData": None, "clientMetadata": {"k": "v"}},
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }


def test_admin_operations_have_no_client() -> None:
    event = events.pre_sign_up_event("PreSignUp_AdminCreateUser", **{**COMMON, "client_id": None}, user_attributes={})
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"


def test_wrong_source_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"'PostConfirmation_ConfirmSignUp' is not a PreSignUp trigger source"):
        events.pre_sign_up_event("PostConfirmation_ConfirmSignUp", **COMMON, user_attributes={})


def test_pre_sign_up_auto_verify_needs_the_attribute() -> None:
    event = events.pre_sign_up_event(**COMMON, user_attributes={})
    event["response"].update(autoConfirmUser=True, autoVerifyEmail=True)
    with pytest.raises(TriggerResponseError, match="autoVerifyEmail requires an email attribute"):
        events.read_pre_sign_up_response(event, {})
    outcome = events.read_pre_sign_up_response(event, {"email": "a@b.c"})
    assert (outcome.auto_confirm_user, outcome.auto_verify_email, outcome.auto_verify_phone) == (True, True, False)


def test_custom_message_must_keep_the_code() -> None:
    event = events.custom_message_event("CustomMessage_SignUp", **COMMON, user_attributes={"email": "a@b.c"})
    assert event["request"]["codeParameter"] == "{####}" and event["request"]["usernameParameter"] is None
    event["response"].update(emailSubject="Welcome", emailMessage="Your code is {####}")
    message = events.read_custom_message_response(event)
    assert (message.email_subject, message.email_message, message.sms_message) == ("Welcome", "Your code is {####}", None)
    event["response"]["emailMessage"] = "No code here"
    with pytest.raises(TriggerResponseError, match=r"emailMessage must contain \{####\}"):
        events.read_custom_message_response(event)


def test_admin_create_user_message_needs_the_username() -> None:
    event = events.custom_message_event("CustomMessage_AdminCreateUser", **COMMON, user_attributes={})
    event["response"]["smsMessage"] = "Code {####}"
    with pytest.raises(TriggerResponseError, match=r"smsMessage must contain \{username\}"):
        events.read_custom_message_response(event)


def test_pre_token_generation_v1_and_v2() -> None:
    v1 = events.pre_token_generation_event(**COMMON, user_attributes={}, groups=["admins"])
    assert v1["request"]["groupConfiguration"] == {"groupsToOverride": ["admins"], "iamRolesToOverride": [], "preferredRole": None}
    v1["response"]["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": {"department": "eng", "sub": "hijack"},
        "claimsToSuppress": ["email"],
        "groupOverrideDetails": {"groupsToOverride": ["editors"]},
    }
    read = events.read_pre_token_generation_response(v1)
    assert read.id_token_claims_to_add_or_override == {"department": "eng"}
    assert read.id_token_claims_to_suppress == ("email",) and read.groups_to_override == ("editors",)

    v2 = events.pre_token_generation_event(**COMMON, user_attributes={}, version="2", scopes=["openid"])
    assert v2["version"] == "2" and v2["request"]["scopes"] == ["openid"]
    v2["response"]["claimsAndScopeOverrideDetails"] = {
        "accessTokenGeneration": {"claimsToAddOrOverride": {"tier": "gold"}, "scopesToAdd": ["api/read"]},
        "idTokenGeneration": {"claimsToSuppress": ["phone_number"]},
    }
    read = events.read_pre_token_generation_response(v2)
    assert read.access_token_claims_to_add_or_override == {"tier": "gold"}
    assert read.access_token_scopes_to_add == ("api/read",) and read.id_token_claims_to_suppress == ("phone_number",)


def test_define_auth_challenge_outcomes() -> None:
    event = events.define_auth_challenge_event(
        **COMMON, user_attributes={}, session=[{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False}]
    )
    assert event["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": None}
    ]
    event["response"].update(challengeName="CUSTOM_CHALLENGE", issueTokens=False, failAuthentication=False)
    assert events.read_define_auth_challenge_response(event).challenge_name == "CUSTOM_CHALLENGE"
    event["response"]["failAuthentication"] = True
    assert events.read_define_auth_challenge_response(event).fail_authentication
    event["response"].update(failAuthentication=False, challengeName=None)
    with pytest.raises(TriggerResponseError, match="Invalid lambda response: challengeName"):
        events.read_define_auth_challenge_response(event)


def test_user_migration() -> None:
    event = events.user_migration_event("UserMigration_Authentication", **COMMON, password="pw")
    assert event["request"] == {"validationData": None, "password": "pw"}
    with pytest.raises(TriggerResponseError, match="User does not exist."):
        events.read_user_migration_response(event)
    event["response"].update(userAttributes={"email": "a@b.c"}, finalUserStatus="CONFIRMED", messageAction="SUPPRESS")
    outcome = events.read_user_migration_response(event)
    assert outcome.user_attributes == {"email": "a@b.c"} and outcome.final_user_status == "CONFIRMED"


def test_trigger_failure_message() -> None:
    assert events.trigger_failure("PreSignUp_SignUp", "Invalid department") == (
        "UserLambdaValidationException",
        "PreSignUp failed with error Invalid department.",
    )
