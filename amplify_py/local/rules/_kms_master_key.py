"""The engine's side of the AWS Encryption SDK: a master key that wraps data keys the way KMS does for a key ARN.

Cognito encrypts a custom sender's code with the Encryption SDK under the pool's KMS key, so the handler's SDK
(a KMS keyring or ``StrictAwsKmsMasterKeyProvider``) finds one encrypted data key from provider ``aws-kms``
whose provider info is the key ARN, and asks KMS to decrypt its ciphertext blob. This master key produces
exactly that: the SDK builds the message, and the blob is one the engine's KMS face decrypts (``rules.kms``
seals it with the local key's material). Imported lazily: only pools with a custom sender need it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import attr
from aws_encryption_sdk import CommitmentPolicy, EncryptionSDKClient
from aws_encryption_sdk.identifiers import Algorithm
from aws_encryption_sdk.key_providers.base import MasterKey, MasterKeyConfig
from aws_encryption_sdk.structures import DataKey, EncryptedDataKey

__all__ = ["encrypt_under_kms_key", "COGNITO_ALGORITHM", "COGNITO_FRAME_LENGTH"]

# What a message Cognito sent a custom sender carries (its header, read with the SDK): message format 1, the
# committing-free suite 0x0378 with an ECDSA P-384 signature, 4096-byte frames.
COGNITO_ALGORITHM = Algorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384
COGNITO_FRAME_LENGTH = 4096
_KMS_PROVIDER_ID = "aws-kms"  # what the SDK's KMS master keys and keyrings look for

Wrap = Callable[[bytes, dict[str, str]], bytes]


@attr.s(hash=True)
class _EngineKeyConfig(MasterKeyConfig):
    provider_id = _KMS_PROVIDER_ID
    wrap: Wrap = attr.ib(hash=False, eq=False)


class _EngineKmsMasterKey(MasterKey):
    """A master key named by a KMS key ARN whose data keys the engine wraps itself (no KMS round trip)."""

    provider_id = _KMS_PROVIDER_ID
    _config_class = _EngineKeyConfig

    def _generate_data_key(self, algorithm: Any, encryption_context: dict[str, str]) -> DataKey:
        plaintext = os.urandom(algorithm.kdf_input_len)
        return DataKey(key_provider=self.key_provider, data_key=plaintext,
                       encrypted_data_key=self.config.wrap(plaintext, dict(encryption_context or {})))

    def _encrypt_data_key(self, data_key: Any, algorithm: Any, encryption_context: dict[str, str]) -> EncryptedDataKey:
        return EncryptedDataKey(key_provider=self.key_provider,
                                encrypted_data_key=self.config.wrap(data_key.data_key, dict(encryption_context or {})))

    def _decrypt_data_key(self, encrypted_data_key: Any, algorithm: Any, encryption_context: Any) -> DataKey:
        raise NotImplementedError("the engine only encrypts; handlers decrypt through the engine's KMS face")


def encrypt_under_kms_key(plaintext: bytes, key_arn: str, wrap: Wrap, encryption_context: dict[str, str]) -> bytes:
    """An Encryption SDK message of ``plaintext`` whose one data key is wrapped for ``key_arn`` by ``wrap``."""
    client = EncryptionSDKClient(commitment_policy=CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
    ciphertext, _header = client.encrypt(
        source=plaintext, key_provider=_EngineKmsMasterKey(key_id=key_arn, wrap=wrap),
        encryption_context=encryption_context, algorithm=COGNITO_ALGORITHM, frame_length=COGNITO_FRAME_LENGTH,
    )
    return ciphertext
