"""A user's device, as a pool with device tracking keeps it (Cognito's "remembered devices").

A sign-in that carries no DEVICE_KEY gets a new device in its AuthenticationResult (NewDeviceMetadata);
the client then confirms it (ConfirmDevice) with an SRP verifier of a secret only the device knows, and
the device is remembered at once or when the user says so (UpdateDeviceStatus). A remembered device
signs in with DEVICE_SRP_AUTH, which may stand in for SMS and TOTP MFA.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

__all__ = ["Device", "REMEMBERED", "NOT_REMEMBERED"]

REMEMBERED = "remembered"
NOT_REMEMBERED = "not_remembered"


@dataclass
class Device:
    """One device key of one user. ``salt`` and ``verifier`` are hex (ConfirmDevice sends them base64)."""

    key: str  # <region>_<uuid>
    group_key: str  # DeviceGroupKey: the "pool name" of the device's SRP
    username: str
    created: float
    modified: float
    last_authenticated: int  # whole seconds, as Cognito reports DeviceLastAuthenticatedDate
    confirmed: bool = False  # ConfirmDevice called: until then the key only tracks the sign-in that made it
    status: str = NOT_REMEMBERED
    name: str | None = None
    salt: str | None = None
    verifier: str | None = None
    last_ip: str | None = None

    @property
    def remembered(self) -> bool:
        """May this device sign in with DEVICE_SRP_AUTH?"""
        return self.confirmed and self.status == REMEMBERED and bool(self.verifier)

    # --- storage ------------------------------------------------------------
    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "Device":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in known})

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    # --- Cognito's shapes ---------------------------------------------------
    def to_device_type(self) -> dict[str, Any]:
        """Cognito's DeviceType."""
        attributes = [{"Name": "device_status", "Value": "valid"}]
        if self.name:
            attributes.append({"Name": "device_name", "Value": self.name})
        attributes.append({"Name": "dev:device_remembered_status", "Value": self.status})
        if self.last_ip:
            attributes.append({"Name": "last_ip_used", "Value": self.last_ip})
        return {
            "DeviceKey": self.key,
            "DeviceAttributes": attributes,
            "DeviceCreateDate": self.created,
            "DeviceLastModifiedDate": self.modified,
            "DeviceLastAuthenticatedDate": self.last_authenticated,
        }
