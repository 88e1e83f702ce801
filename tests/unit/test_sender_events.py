"""The events Cognito sends to custom email and SMS sender triggers, and the engine's side of their encryption."""

from __future__ import annotations

import base64
import io

import pytest
from aws_encryption_sdk.internal.formatting.deserialize import deserialize_header

from amplify_py.local.rules import trigger_events as events
from amplify_py.local.rules._kms_master_key import COGNITO_ALGORITHM, encrypt_under_kms_key

COMMON = {"region": "us-east-1", "user_pool_id": "us-east-1_abc", "user_name": "ana", "client_id": "client1"}
ATTRS = {"sub": "0f1e", "email": "ana@example.com", "cognito:user_status": "UNCONFIRMED"}


def test_custom_email_sender_event_is_shaped_as_cognito_sends_it() -> None:
    event = events.custom_sender_event("CustomEmailSender_SignUp", **COMMON, code="AYADeJ...", user_attributes=ATTRS)
    assert event == {
        "version": "1",
        "triggerSource": "CustomEmailSender_SignUp",
        "region": "us-east-1",
        "userPoolId": "us-east-1_abc",
        "userName": "ana",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client1"},
        "request": {"type": "customEmailSenderRequestV1", "code": "AYADeJ...", "clientMetadata": None,
                    "userAttributes": ATTRS},
    }  # no "response": Cognito reads nothing back from a sender


def test_custom_sms_sender_event_carries_client_metadata() -> None:
    event = events.custom_sender_event("CustomSMSSender_Authentication", **{**COMMON, "client_id": None},
                                       code="c", user_attributes={"phone_number": "+15555550100"},
                                       client_metadata={"campaign": "spring"})
    assert event["request"] == {"type": "customSMSSenderRequestV1", "code": "c", "clientMetadata": {"campaign": "spring"},
                                "userAttributes": {"phone_number": "+15555550100"}}
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"


@pytest.mark.parametrize("source", events.TRIGGER_SOURCES["CustomEmailSender"] + events.TRIGGER_SOURCES["CustomSMSSender"])
def test_every_sender_source_builds(source: str) -> None:
    event = events.custom_sender_event(source, **COMMON, code="c", user_attributes={})
    assert event["triggerSource"] == source
    assert event["request"]["type"] == events.SENDER_REQUEST_TYPES[source.split("_", 1)[0]]


def test_sources_cognito_does_not_send_are_refused() -> None:
    with pytest.raises(ValueError, match=r"'CustomSMSSender_AccountTakeOverNotification' is not a custom sender "
                                         r"trigger source"):
        events.custom_sender_event("CustomSMSSender_AccountTakeOverNotification", **COMMON, code="c", user_attributes={})
    with pytest.raises(ValueError, match=r"'CustomMessage_SignUp' is not a custom sender trigger source"):
        events.custom_sender_event("CustomMessage_SignUp", **COMMON, code="c", user_attributes={})


def test_a_sender_failure_names_the_sender() -> None:
    assert events.trigger_failure("CustomEmailSender_SignUp", "boom") == (
        "UserLambdaValidationException", "CustomEmailSender failed with error boom.")
    assert events.trigger_failure("CustomSMSSender_ResendCode", "boom")[1] == "CustomSMSSender failed with error boom."


def test_the_message_has_the_header_cognitos_messages_have() -> None:
    """Format 1, suite 0x0378 (no key commitment, ECDSA P-384), 4096-byte frames, the user pool in the encryption
    context and one data key from provider aws-kms named by the key ARN, wrapped by the given function."""
    arn = "arn:aws:kms:us-east-1:000000000000:key/8a23102c-9b68-4fed-82ce-523c5363539e"
    wrapped: list[tuple[bytes, dict]] = []

    def wrap(data_key: bytes, context: dict[str, str]) -> bytes:
        wrapped.append((data_key, context))
        return b"blob:" + data_key

    message = encrypt_under_kms_key(b"123456", arn, wrap, {"userpool-id": "us-east-1_abc"})
    assert base64.b64encode(message).startswith(b"AYAD")  # as every code Cognito sends a sender starts
    header, _raw = deserialize_header(io.BytesIO(message))
    assert header.algorithm == COGNITO_ALGORITHM and header.frame_length == 4096
    assert header.encryption_context["userpool-id"] == "us-east-1_abc"
    assert set(header.encryption_context) == {"userpool-id", "aws-crypto-public-key"}
    [edk] = header.encrypted_data_keys
    assert (edk.key_provider.provider_id, edk.key_provider.key_info) == ("aws-kms", arn.encode())
    [(data_key, context)] = wrapped
    assert edk.encrypted_data_key == b"blob:" + data_key and len(data_key) == 32
    assert context == header.encryption_context  # KMS binds the data key to the whole context, public key too
