"""The engine's KMS face: a template's AWS::KMS::Key deployed as a local key and served over KMS's JSON protocol
(``TrentService.*``) to boto3 and to the AWS Encryption SDK, with KMS's error names and messages."""

from __future__ import annotations

import base64
import copy
import re

import aws_encryption_sdk
import boto3
import pytest
from aws_encryption_sdk import CommitmentPolicy, StrictAwsKmsMasterKeyProvider
from botocore.config import Config
from botocore.exceptions import ClientError

from amplify_py.local import LocalEngine
from tests.engine.conftest import POOL, template

KEY = "CustomSenderKey297023AD"
CONTEXT = {"userpool-id": "us-east-1_example"}


def _with_keys(**extra: dict) -> dict:
    tpl = copy.deepcopy(template("sender_custom_email_sms"))
    tpl["Resources"].update({name: {"Type": "AWS::KMS::Key", "Properties": props} for name, props in extra.items()})
    return tpl


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    engine = LocalEngine(tmp_path_factory.mktemp("kms")).start()
    yield engine
    engine.stop()


@pytest.fixture(scope="module")
def keys(engine: LocalEngine) -> dict[str, str]:
    result = engine.deploy("kms", _with_keys(OtherKey={}, OffKey={"Enabled": False}))
    return {name: f"arn:aws:kms:us-east-1:000000000000:key/{result.physical_ids[name]}"
            for name in (KEY, "OtherKey", "OffKey")}


@pytest.fixture(scope="module")
def kms(engine: LocalEngine):
    return boto3.client("kms", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs(),
                        config=Config(retries={"total_max_attempts": 1}))


def _error(exc: pytest.ExceptionInfo[ClientError]) -> dict:
    return exc.value.response["Error"]


def test_encrypt_then_decrypt_without_a_key_id(kms, keys) -> None:
    sealed = kms.encrypt(KeyId=keys[KEY], Plaintext=b"123456", EncryptionContext=CONTEXT)
    assert sealed["KeyId"] == keys[KEY] and sealed["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    opened = kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"], EncryptionContext=CONTEXT)
    assert opened["Plaintext"] == b"123456" and opened["KeyId"] == keys[KEY]  # the blob names its key


def test_a_key_id_names_the_key_too(kms, keys) -> None:
    key_id = keys[KEY].rsplit("/", 1)[1]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, KeyId=key_id)["Plaintext"] == b"x"


def test_decrypt_for_another_key_is_incorrect_key(kms, keys) -> None:
    blob = kms.encrypt(KeyId=keys[KEY], Plaintext=b"secret")["CiphertextBlob"]
    with pytest.raises(ClientError, match="IncorrectKeyException") as exc:
        kms.decrypt(CiphertextBlob=blob, KeyId=keys["OtherKey"])
    assert _error(exc) == {"Code": "IncorrectKeyException",
                           "Message": "The key ID in the request does not identify a CMK that can perform this "
                                      "operation."}


def test_another_encryption_context_is_invalid_ciphertext(kms, keys) -> None:
    blob = kms.encrypt(KeyId=keys[KEY], Plaintext=b"secret", EncryptionContext=CONTEXT)["CiphertextBlob"]
    for context in ({}, {"userpool-id": "us-east-1_other"}):
        with pytest.raises(ClientError, match="InvalidCiphertextException") as exc:
            kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)
        assert _error(exc)["Code"] == "InvalidCiphertextException"


def test_a_blob_that_is_not_a_kms_blob_is_invalid_ciphertext(kms) -> None:
    with pytest.raises(ClientError, match="InvalidCiphertextException"):
        kms.decrypt(CiphertextBlob=b"\x01\x02\x01\x00 not a ciphertext blob at all, really")


def test_a_blob_for_a_key_nobody_has_is_access_denied(kms, keys) -> None:
    blob = bytearray(kms.encrypt(KeyId=keys[KEY], Plaintext=b"secret")["CiphertextBlob"])
    blob[2:38] = b"00000000-0000-4000-8000-000000000000"  # the key ID the blob names
    with pytest.raises(ClientError, match="AccessDeniedException") as exc:
        kms.decrypt(CiphertextBlob=bytes(blob))
    assert _error(exc)["Message"] == ("The ciphertext refers to a customer master key that does not exist, does not "
                                      "exist in this region, or you are not allowed to access.")


@pytest.mark.parametrize(("key_id", "message"), [
    ("arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000",
     "Key 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000' does not exist"),
    ("00000000-0000-4000-8000-000000000000",
     "Key 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000' does not exist"),
    ("not-a-key", "Invalid keyId 'not-a-key'"),
    ("alias/cognito", "Alias arn:aws:kms:us-east-1:000000000000:alias/cognito is not found."),
])
def test_unknown_keys_are_not_found(kms, key_id: str, message: str) -> None:
    with pytest.raises(ClientError, match=re.escape(message)) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert _error(exc)["Code"] == "NotFoundException"


def test_a_disabled_key_refuses(kms, keys) -> None:
    with pytest.raises(ClientError, match=re.escape(f"{keys['OffKey']} is disabled.")) as exc:
        kms.generate_data_key(KeyId=keys["OffKey"], KeySpec="AES_256")
    assert _error(exc)["Code"] == "DisabledException"
    assert kms.describe_key(KeyId=keys["OffKey"])["KeyMetadata"]["KeyState"] == "Disabled"


def test_generate_data_key(kms, keys) -> None:
    out = kms.generate_data_key(KeyId=keys[KEY], KeySpec="AES_256", EncryptionContext=CONTEXT)
    assert len(out["Plaintext"]) == 32 and out["KeyId"] == keys[KEY]
    assert kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext=CONTEXT)["Plaintext"] == out["Plaintext"]
    assert len(kms.generate_data_key(KeyId=keys[KEY], NumberOfBytes=48)["Plaintext"]) == 48


def test_generate_data_key_needs_one_length(engine, keys) -> None:
    raw = boto3.client("kms", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs(),
                       config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    for extra in ({}, {"KeySpec": "AES_256", "NumberOfBytes": 32}):
        with pytest.raises(ClientError, match=re.escape("Please specify either number of bytes or key spec.")) as exc:
            raw.generate_data_key(KeyId=keys[KEY], **extra)
        assert _error(exc)["Code"] == "ValidationException"
    with pytest.raises(ClientError, match=re.escape("1 validation error detected: Value '0' at 'numberOfBytes' failed "
                                                    "to satisfy constraint: Member must have value greater than or "
                                                    "equal to 1")) as exc:
        raw.generate_data_key(KeyId=keys[KEY], NumberOfBytes=0)
    assert _error(exc)["Code"] == "ValidationException"


def test_describe_key(kms, keys) -> None:
    meta = kms.describe_key(KeyId=keys[KEY])["KeyMetadata"]
    assert meta["Arn"] == keys[KEY] and meta["KeyId"] == keys[KEY].rsplit("/", 1)[1]
    assert (meta["AWSAccountId"], meta["KeySpec"], meta["KeyUsage"], meta["KeyState"], meta["EncryptionAlgorithms"]) == (
        "000000000000", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Enabled", ["SYMMETRIC_DEFAULT"])


def test_an_operation_kms_has_but_the_engine_does_not(kms) -> None:
    with pytest.raises(ClientError, match="UnknownOperationException"):
        kms.list_keys()


def test_the_encryption_sdk_round_trips_through_the_face(engine, keys, monkeypatch) -> None:
    """The SDK's KMS master key provider, as a handler uses it: GenerateDataKey to encrypt, Decrypt to decrypt."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", engine.endpoint)
    for name, value in engine.credentials.environment().items():  # what the engine gives its functions
        monkeypatch.setenv(name, value)
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    provider = StrictAwsKmsMasterKeyProvider(key_ids=[keys[KEY]])
    message, _ = client.encrypt(source=b"hello", key_provider=provider, encryption_context=CONTEXT)
    plaintext, header = client.decrypt(source=message, key_provider=StrictAwsKmsMasterKeyProvider(key_ids=[keys[KEY]]))
    assert plaintext == b"hello" and header.encryption_context["userpool-id"] == CONTEXT["userpool-id"]
    with pytest.raises(aws_encryption_sdk.exceptions.DecryptKeyError, match="Unable to decrypt any data key"):
        client.decrypt(source=message, key_provider=StrictAwsKmsMasterKeyProvider(key_ids=[keys["OtherKey"]]))


def test_a_redeploy_keeps_the_key(engine, kms, keys) -> None:
    blob = kms.encrypt(KeyId=keys[KEY], Plaintext=b"kept", EncryptionContext=CONTEXT)["CiphertextBlob"]
    result = engine.deploy("kms", _with_keys(OtherKey={}, OffKey={"Enabled": False}))
    assert result.physical_ids[KEY] == keys[KEY].rsplit("/", 1)[1]
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)["Plaintext"] == b"kept"


def test_a_pool_names_a_key_outside_the_template(engine, kms) -> None:
    """``kms_key_arn=``: the key lives in AWS, out of reach; the engine keeps a local key under its ARN."""
    arn = "arn:aws:kms:eu-west-1:123456789012:key/8a23102c-9b68-4fed-82ce-523c5363539e"
    tpl = copy.deepcopy(template("sender_custom_email_sms"))
    del tpl["Resources"][KEY]
    tpl["Resources"][POOL]["Properties"]["LambdaConfig"]["KMSKeyID"] = arn
    result = engine.deploy("imported-key", tpl)
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["Arn"] == arn
    assert set(result.physical_ids).isdisjoint({KEY, f"{POOL}.KMSKeyID"})
    blob = kms.encrypt(KeyId=arn, Plaintext=b"x")["CiphertextBlob"]
    assert base64.b64encode(kms.decrypt(CiphertextBlob=blob)["Plaintext"]) == b"eA=="
    engine.delete("imported-key")
    with pytest.raises(ClientError, match="NotFoundException"):
        kms.describe_key(KeyId=arn)


@pytest.mark.parametrize("body", [b"[" * 5000 + b"]" * 5000, b'{"KeyId": "\\ud800"}', b'{"KeyId": NaN}', b"\xff"])
def test_malformed_bodies_get_the_engines_serialization_answer_on_the_kms_face_too(engine: LocalEngine,
                                                                                  body: bytes) -> None:
    """The KMS face reads (signed) bodies with the same rules as Cognito's (no 500 for deep nesting, surrogates,
    NaN)."""
    import httpx

    from tests._signing import sign_exactly

    headers = sign_exactly(engine.credentials, engine.endpoint + "/", body,
                           {"X-Amz-Target": "TrentService.DescribeKey", "Content-Type": "application/x-amz-json-1.1"})
    answer = httpx.post(engine.endpoint + "/", content=body, headers=headers)
    assert answer.status_code == 400
    assert answer.json() == {"__type": "SerializationException", "message": "Malformed request body."}
