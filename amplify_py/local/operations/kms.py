"""The KMS operations the AWS Encryption SDK calls, for the engine's local keys (``TrentService.<Op>``).

A custom sender's handler decrypts the code Cognito sent it with the Encryption SDK and a KMS keyring, which
calls Decrypt; a handler that encrypts with the same keyring calls GenerateDataKey (and Encrypt for further
keys); DescribeKey turns a key ID into its ARN. Requests are checked against botocore's KMS model first, as
the Cognito operations are against Cognito's. ``dispatch`` is the one way in, so whatever guards the engine's
other operations (signatures) can guard this face too.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable

from amplify_py.local import shapes
from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.model.kms import SYMMETRIC_DEFAULT
from amplify_py.local.rules import kms

__all__ = ["TARGET", "OPERATIONS", "dispatch"]

TARGET = "TrentService."
_DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}


def _blob(body: dict, member: str, path: str) -> bytes:
    value = body.get(member)
    if value is None:
        raise CognitoError("ValidationException", f"1 validation error detected: Value null at '{path}' failed to "
                                                  "satisfy constraint: Member must not be null")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CognitoError("SerializationException", f"Value at '{path}' must be base64-encoded binary data.") from exc


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decrypt(ctx: EngineContext, body: dict) -> dict:
    blob = _blob(body, "CiphertextBlob", "ciphertextBlob")
    key, plaintext = kms.open_blob(ctx, blob, body.get("EncryptionContext"), body.get("KeyId"))
    return {"KeyId": key.arn, "Plaintext": _b64(plaintext), "EncryptionAlgorithm": SYMMETRIC_DEFAULT}


def encrypt(ctx: EngineContext, body: dict) -> dict:
    plaintext = _blob(body, "Plaintext", "plaintext")
    key = kms.usable(kms.find_key(ctx, body["KeyId"]), "Encrypt")
    return {"CiphertextBlob": _b64(kms.seal(key, plaintext, body.get("EncryptionContext"))), "KeyId": key.arn,
            "EncryptionAlgorithm": SYMMETRIC_DEFAULT}


def generate_data_key(ctx: EngineContext, body: dict) -> dict:
    key_spec, number = body.get("KeySpec"), body.get("NumberOfBytes")
    if (key_spec is None) == (number is None):
        raise CognitoError("ValidationException", "Please specify either number of bytes or key spec.")
    key = kms.usable(kms.find_key(ctx, body["KeyId"]), "GenerateDataKey")
    plaintext = os.urandom(_DATA_KEY_BYTES[key_spec] if key_spec else int(number))
    return {"CiphertextBlob": _b64(kms.seal(key, plaintext, body.get("EncryptionContext"))),
            "Plaintext": _b64(plaintext), "KeyId": key.arn}


def describe_key(ctx: EngineContext, body: dict) -> dict:
    return {"KeyMetadata": kms.find_key(ctx, body["KeyId"]).metadata()}


OPERATIONS: dict[str, Callable[[EngineContext, dict], dict]] = {
    "Decrypt": decrypt, "Encrypt": encrypt, "GenerateDataKey": generate_data_key, "DescribeKey": describe_key,
}


def dispatch(ctx: EngineContext, target: str, body: dict) -> dict:
    """Run the KMS operation ``target`` names (``TrentService.<Op>``) with ``body``; KMS's errors as CognitoError."""
    operation = target[len(TARGET):] if target.startswith(TARGET) else ""
    handler = OPERATIONS.get(operation)
    if handler is None:
        raise CognitoError("UnknownOperationException", f"Unknown operation {target or '(no X-Amz-Target)'}")
    try:
        shapes.check_request("kms", operation, body)
    except CognitoError as exc:
        if exc.name != "InvalidParameterException":
            raise
        raise CognitoError("ValidationException", exc.message) from exc  # KMS's name for a model violation
    with ctx.store.lock:
        return handler(ctx, body)
