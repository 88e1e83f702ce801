"""Remembered devices: ConfirmDevice, UpdateDeviceStatus, ListDevices, GetDevice, ForgetDevice, and the
Admin* twins (by UserPoolId and Username instead of an access token)."""

from __future__ import annotations

from amplify_py.local.context import EngineContext
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.user import User
from amplify_py.local.operations._request import admin_user
from amplify_py.local.rules import devices, tokens

__all__ = ["OPERATIONS"]


def _signed_in(ctx: EngineContext, body: dict) -> tuple[Pool, User]:
    pool, user, _claims = tokens.authenticate(ctx, body.get("AccessToken"))
    return pool, user


def confirm_device(ctx: EngineContext, body: dict) -> dict:
    pool, user = _signed_in(ctx, body)
    ask_user = devices.confirm(ctx, pool, user, body.get("DeviceKey") or "", body.get("DeviceSecretVerifierConfig"),
                               body.get("DeviceName"))
    return {"UserConfirmationNecessary": ask_user}


def _update_status(ctx: EngineContext, body: dict, pool: Pool, user: User) -> dict:
    devices.set_status(ctx, pool, user, body.get("DeviceKey") or "", body.get("DeviceRememberedStatus"))
    return {}


def _list(ctx: EngineContext, body: dict, pool: Pool, user: User) -> dict:
    return devices.page(devices.remembered_devices(ctx, pool, user), body.get("Limit"), body.get("PaginationToken"))


def _get(ctx: EngineContext, body: dict, pool: Pool, user: User) -> dict:
    device = devices.get(ctx, pool, user, body.get("DeviceKey"))
    if device is None or not device.confirmed:
        raise devices.device_not_found()
    return {"Device": device.to_device_type()}


def _forget(ctx: EngineContext, body: dict, pool: Pool, user: User) -> dict:
    devices.forget(ctx, pool, user, body.get("DeviceKey") or "")
    return {}


OPERATIONS = {
    "ConfirmDevice": confirm_device,
    "UpdateDeviceStatus": lambda ctx, body: _update_status(ctx, body, *_signed_in(ctx, body)),
    "ListDevices": lambda ctx, body: _list(ctx, body, *_signed_in(ctx, body)),
    "GetDevice": lambda ctx, body: _get(ctx, body, *_signed_in(ctx, body)),
    "ForgetDevice": lambda ctx, body: _forget(ctx, body, *_signed_in(ctx, body)),
    "AdminUpdateDeviceStatus": lambda ctx, body: _update_status(ctx, body, *admin_user(ctx, body)),
    "AdminListDevices": lambda ctx, body: _list(ctx, body, *admin_user(ctx, body)),
    "AdminGetDevice": lambda ctx, body: _get(ctx, body, *admin_user(ctx, body)),
    "AdminForgetDevice": lambda ctx, body: _forget(ctx, body, *admin_user(ctx, body)),
}
