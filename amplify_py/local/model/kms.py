"""Deployed KMS keys: the local stand-ins for a template's ``AWS::KMS::Key`` resources.

A pool with custom sender triggers names a KMS key (``LambdaConfig.KMSKeyID``) that Cognito encrypts the codes
with. The deployer gives each key of the template a key ID (a UUID, as KMS does), an ARN and 256 bits of key
material; everything else reads them through this view.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from amplify_py.local.model.pool import Pool

__all__ = ["KMS_KEY", "SYMMETRIC_DEFAULT", "KmsKey", "sender_key_arn"]

KMS_KEY = "AWS::KMS::Key"
SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"


@dataclass(frozen=True)
class KmsKey:
    """One deployed key: its id, ARN, material and the properties KMS reports in DescribeKey."""

    key_id: str
    arn: str
    material: bytes
    created: float
    props: dict[str, Any]

    @classmethod
    def from_config(cls, key_id: str, config: dict[str, Any]) -> "KmsKey":
        return cls(key_id=key_id, arn=config["arn"], material=base64.b64decode(config["material"]),
                   created=float(config.get("created", 0.0)), props=dict(config.get("props") or {}))

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def enabled(self) -> bool:
        return self.props.get("Enabled", True) not in (False, "false", "False")

    @property
    def key_spec(self) -> str:
        return str(self.props.get("KeySpec") or SYMMETRIC_DEFAULT)

    @property
    def key_usage(self) -> str:
        return str(self.props.get("KeyUsage") or "ENCRYPT_DECRYPT")

    def metadata(self) -> dict[str, Any]:
        """KMS's KeyMetadata for DescribeKey."""
        return {
            "AWSAccountId": self.account,
            "KeyId": self.key_id,
            "Arn": self.arn,
            "CreationDate": self.created,
            "Enabled": self.enabled,
            "Description": str(self.props.get("Description") or ""),
            "KeyUsage": self.key_usage,
            "KeyState": "Enabled" if self.enabled else "Disabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": self.key_spec,
            "KeySpec": self.key_spec,
            "EncryptionAlgorithms": [SYMMETRIC_DEFAULT],
            "MultiRegion": bool(self.props.get("MultiRegion", False)),
        }


def sender_key_arn(pool: Pool) -> str | None:
    """The key Cognito encrypts custom senders' codes with: the pool's resolved ``LambdaConfig.KMSKeyID``."""
    value = (pool.props.get("LambdaConfig") or {}).get("KMSKeyID")
    return value if isinstance(value, str) and value else None
