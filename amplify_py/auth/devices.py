"""remember_device, forget_device, fetch_devices: Amplify's device APIs, for a user pool that tracks devices.

After a sign-in on a new device, Amplify (and this client) confirms the device Cognito returned and keeps
its key in the token storage; ``remember_device`` then marks it remembered, so the next sign-in on it
does DEVICE_SRP_AUTH (and skips SMS and TOTP MFA when the pool lets a remembered device stand in for it).
``fetch_devices`` lists the user's remembered devices; ``forget_device`` forgets this device, or another
one by its id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from amplify_py.auth._common import require_tokens, user_pool
from amplify_py.auth._config import get_auth_config
from amplify_py.auth._session import DeviceMetadata, cognito_user_pools_token_provider
from amplify_py.auth.errors import DeviceMetadataNotFoundException

__all__ = ["remember_device", "forget_device", "fetch_devices", "AuthDevice", "AWSAuthDevice", "FetchDevicesOutput"]

# Cognito's most per ListDevices page; Amplify asks for that many and reads one page.
_MAX_DEVICES = 60


@dataclass(frozen=True)
class AuthDevice:
    """A device by its id (the device key), as ``forget_device(device=...)`` takes it."""

    id: str
    name: str | None = None


@dataclass(frozen=True)
class AWSAuthDevice(AuthDevice):
    """One entry of ``fetch_devices()``: Amplify's AWSAuthDevice in snake_case."""

    attributes: dict[str, str] = field(default_factory=dict)
    create_date: datetime | None = None
    last_authenticated_date: datetime | None = None
    last_modified_date: datetime | None = None


FetchDevicesOutput = list[AWSAuthDevice]


def _device_metadata() -> DeviceMetadata | None:
    return cognito_user_pools_token_provider.get_device_metadata(get_auth_config())


def remember_device() -> None:
    """Mark this device remembered (UpdateDeviceStatus ``remembered``)."""
    tokens = require_tokens()
    device = _device_metadata()
    if device is None:
        raise DeviceMetadataNotFoundException()
    user_pool("UpdateDeviceStatus", {"AccessToken": str(tokens.access_token), "DeviceKey": device.device_key,
                                     "DeviceRememberedStatus": "remembered"})


def forget_device(device: AuthDevice | Mapping[str, Any] | None = None) -> None:
    """Forget this device, or ``device`` (an ``AuthDevice`` or ``{"id": ...}``, e.g. from ``fetch_devices``).
    Forgetting this device also removes its key from the token storage."""
    tokens = require_tokens()
    external = device.get("id") if isinstance(device, Mapping) else (device.id if device is not None else None)
    current = _device_metadata()
    if not external and current is None:
        raise DeviceMetadataNotFoundException()
    current_key = current.device_key if current is not None else None
    user_pool("ForgetDevice", {"AccessToken": str(tokens.access_token), "DeviceKey": external or current_key})
    if not external or external == current_key:
        cognito_user_pools_token_provider.clear_device_metadata(get_auth_config())


def _date(value: Any) -> datetime | None:
    return datetime.fromtimestamp(float(value), tz=timezone.utc) if value is not None else None


def fetch_devices() -> FetchDevicesOutput:
    """The signed-in user's remembered devices (ListDevices, one page of up to 60)."""
    tokens = require_tokens()
    response = user_pool("ListDevices", {"AccessToken": str(tokens.access_token), "Limit": _MAX_DEVICES})
    out = []
    for item in response.get("Devices") or []:
        attributes = {a["Name"]: a["Value"] for a in item.get("DeviceAttributes") or [] if a.get("Name") and a.get("Value")}
        out.append(AWSAuthDevice(
            id=item.get("DeviceKey") or "",
            name=attributes.get("device_name"),
            attributes=attributes,
            create_date=_date(item.get("DeviceCreateDate")),
            last_authenticated_date=_date(item.get("DeviceLastAuthenticatedDate")),
            last_modified_date=_date(item.get("DeviceLastModifiedDate")),
        ))
    return out
