"""KMS's rules for the engine's local keys: finding a key by any of its names, sealing and opening ciphertext
blobs, and encrypting a custom sender's code as Cognito does.

A ciphertext blob is opaque to every client (the Encryption SDK only hands it back to KMS), so the engine uses
its own layout: a version byte, the key ID, a 96-bit nonce and AES-256-GCM of the plaintext under the key's
material, with the key ID and the encryption context as additional authenticated data. As in KMS, the blob
names its key, so Decrypt needs no KeyId, and the same encryption context must be given to decrypt it.

Errors are KMS's (names and messages as KMS answers them), raised as the engine's wire error.
"""

from __future__ import annotations

import base64
import json
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.model.kms import KMS_KEY, SYMMETRIC_DEFAULT, KmsKey, sender_key_arn
from amplify_py.local.model.pool import Pool
from amplify_py.local.resolve import ACCOUNT_ID

__all__ = ["find_key", "usable", "seal", "open_blob", "encrypt_sender_code", "SENDER_CONTEXT_KEY"]

_VERSION = b"\x01"
_NONCE = 12
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_MRK = re.compile(r"^mrk-[0-9a-f]{32}$")
# The encryption context Cognito binds a sender's code to (read from the header of a message Cognito sent).
SENDER_CONTEXT_KEY = "userpool-id"
_NO_SUCH_CIPHERTEXT_KEY = ("The ciphertext refers to a customer master key that does not exist, does not exist in "
                           "this region, or you are not allowed to access.")


# --- keys -----------------------------------------------------------------------
def _keys(ctx: EngineContext) -> list[KmsKey]:
    return [KmsKey.from_config(row.physical_id, row.config) for row in ctx.store.resources_of_type(KMS_KEY)]


def find_key(ctx: EngineContext, identifier: str) -> KmsKey:
    """The key a request's ``KeyId`` names: a key ID or a key ARN (aliases are not deployed locally)."""
    if identifier.startswith("alias/") or identifier.startswith("arn:") and ":alias/" in identifier:
        arn = identifier if identifier.startswith("arn:") else f"arn:aws:kms:{ctx.region}:{ACCOUNT_ID}:{identifier}"
        raise CognitoError("NotFoundException", f"Alias {arn} is not found.")
    if identifier.startswith("arn:"):
        found = [key for key in _keys(ctx) if key.arn == identifier]
        if not found:
            raise CognitoError("NotFoundException", f"Key '{identifier}' does not exist")
        return found[0]
    if not (_UUID.match(identifier) or _MRK.match(identifier)):
        raise CognitoError("NotFoundException", f"Invalid keyId '{identifier}'")
    arn = f"arn:aws:kms:{ctx.region}:{ACCOUNT_ID}:key/{identifier}"
    found = [key for key in _keys(ctx) if key.arn == arn]
    if not found:
        raise CognitoError("NotFoundException", f"Key '{arn}' does not exist")
    return found[0]


def usable(key: KmsKey, operation: str) -> KmsKey:
    """``key`` if it can encrypt and decrypt now: enabled, symmetric."""
    if not key.enabled:
        raise CognitoError("DisabledException", f"{key.arn} is disabled.")
    if key.key_spec != SYMMETRIC_DEFAULT or key.key_usage != "ENCRYPT_DECRYPT":
        raise CognitoError("InvalidKeyUsageException",
                           f"{key.arn} key usage is {key.key_usage} which is not valid for {operation}.")
    return key


# --- ciphertext blobs ---------------------------------------------------------------
def _aad(key_id: bytes, context: dict[str, str] | None) -> bytes:
    canonical = json.dumps(context or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _VERSION + key_id + canonical.encode("utf-8")


def _is_key_id(value: bytes) -> bool:
    text = value.decode("ascii", "replace")
    return bool(_UUID.match(text) or _MRK.match(text))


def seal(key: KmsKey, plaintext: bytes, context: dict[str, str] | None) -> bytes:
    """A ciphertext blob of ``plaintext`` under ``key``, bound to ``context``."""
    key_id = key.key_id.encode("ascii")
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(key.material).encrypt(nonce, plaintext, _aad(key_id, context))
    return _VERSION + bytes([len(key_id)]) + key_id + nonce + sealed


def open_blob(ctx: EngineContext, blob: bytes, context: dict[str, str] | None,
              requested: str | None = None) -> tuple[KmsKey, bytes]:
    """The key that sealed ``blob`` and the plaintext, as KMS's Decrypt finds them; ``requested`` is the
    request's KeyId (it must name that same key)."""
    key_id = blob[2:2 + blob[1]] if len(blob) > 2 else b""
    if blob[:1] != _VERSION or len(blob) < 2 + len(key_id) + _NONCE + 16 or not _is_key_id(key_id):
        raise CognitoError("InvalidCiphertextException", "")
    nonce, sealed = blob[2 + blob[1]:2 + blob[1] + _NONCE], blob[2 + blob[1] + _NONCE:]
    candidates = [key for key in _keys(ctx) if key.key_id.encode("ascii") == key_id]
    if requested is not None:
        wanted = find_key(ctx, requested)
        if wanted.key_id.encode("ascii") != key_id:
            raise CognitoError("IncorrectKeyException",
                               "The key ID in the request does not identify a CMK that can perform this operation.")
        candidates = [key for key in candidates if key.arn == wanted.arn]
    if not candidates:
        raise CognitoError("AccessDeniedException", _NO_SUCH_CIPHERTEXT_KEY)
    for key in candidates:  # an imported key ARN may stand in for several deployments, each its own material
        try:
            plaintext = AESGCM(key.material).decrypt(nonce, sealed, _aad(key_id, context))
        except InvalidTag:
            continue
        return usable(key, "Decrypt"), plaintext
    raise CognitoError("InvalidCiphertextException", "")


# --- Cognito's side -----------------------------------------------------------------
def _sender_key(ctx: EngineContext, pool: Pool) -> KmsKey:
    arn = sender_key_arn(pool)
    keys = [key for key in _keys(ctx) if arn and key.arn == arn]
    if not keys:
        raise CognitoError("InvalidParameterException",
                           f"The user pool {pool.id} has a custom sender trigger but LambdaConfig.KMSKeyID "
                           f"({arn or 'not set'}) names no KMS key of this deployment.")
    return keys[0]


def encrypt_sender_code(ctx: EngineContext, pool: Pool, code: str) -> str:
    """``code`` as Cognito hands it to a custom sender: an Encryption SDK message under the pool's KMS key,
    bound to ``{"userpool-id": pool id}``, base64-encoded."""
    from amplify_py.local.rules._kms_master_key import encrypt_under_kms_key

    key = _sender_key(ctx, pool)
    message = encrypt_under_kms_key(code.encode("utf-8"), key.arn, lambda data_key, context: seal(key, data_key, context),
                                    {SENDER_CONTEXT_KEY: pool.id})
    return base64.b64encode(message).decode("ascii")
