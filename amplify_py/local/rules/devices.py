"""Remembered devices: the device records of a pool with DeviceConfiguration, and what a sign-in asks of them.

Cognito's rules, as its developer guide ("Working with user devices in your user pool") and API reference
state them:
- a sign-in that names no DEVICE_KEY gets a new device key (``<region>_<uuid>``) and DeviceGroupKey in
  ``NewDeviceMetadata``; a DEVICE_KEY the user has no confirmed device for is ``ResourceNotFoundException:
  Device does not exist.`` (aws-amplify forgets its device and signs in again on exactly that message);
- ConfirmDevice stores the device's SRP verifier and remembers the device at once, unless
  DeviceOnlyRememberedOnUserPrompt leaves that to UpdateDeviceStatus;
- a remembered device signs in with DEVICE_SRP_AUTH, verified here against that verifier with the
  DeviceGroupKey as the SRP "pool name"; with ChallengeRequiredOnNewDevice it stands in for SMS and TOTP
  MFA (email MFA is still asked: the documentation names SMS and TOTP only);
- tokens issued on a device carry its key (the access token's ``device_key``); their refresh token works
  with that key only, and not after ForgetDevice.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import string
import uuid
from typing import Any

from amplify_py.local import srp
from amplify_py.local.context import EngineContext
from amplify_py.local.errors import INCORRECT_CREDENTIALS, CognitoError, invalid_parameter, not_authorized, resource_not_found
from amplify_py.local.model.device import NOT_REMEMBERED, REMEMBERED, Device
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.user import User

__all__ = ["DEVICE_NOT_FOUND", "INVALID_DEVICE_KEY", "device_not_found", "get", "check_exists", "for_sign_in",
           "suppressed_mfas", "device_of_tokens", "bound_device_is_live", "confirm", "set_status", "forget",
           "remembered_devices", "page", "start_srp", "proof_matches", "salt_for_challenge"]

DEVICE_NOT_FOUND = "Device does not exist."
INVALID_DEVICE_KEY = "Invalid device key given."
_STANDS_IN_FOR = ("SMS_MFA", "SOFTWARE_TOKEN_MFA")
_GROUP_KEY_ALPHABET = string.ascii_letters + string.digits
_PAGE_MAX = 60  # ListDevices' Limit is 0..60 (botocore's QueryLimitType)


def device_not_found() -> CognitoError:
    return resource_not_found(DEVICE_NOT_FOUND)


def _save(ctx: EngineContext, pool: Pool, device: Device) -> None:
    ctx.store.put_device(pool.id, device.key, device.username, device.to_record())


def get(ctx: EngineContext, pool: Pool, user: User, key: str | None) -> Device | None:
    """The user's device with this key, confirmed or not; None for another user's key or an unknown one."""
    record = ctx.store.get_device(pool.id, key or "")
    device = Device.from_record(record) if record is not None else None
    return device if device is not None and device.username == user.username else None


def _confirmed(ctx: EngineContext, pool: Pool, user: User, key: str | None) -> Device:
    device = get(ctx, pool, user, key)
    if device is None or not device.confirmed:
        raise device_not_found()
    return device


# --- signing in ------------------------------------------------------------------------------
def check_exists(ctx: EngineContext, pool: Pool, key: str | None) -> None:
    """Before an SRP proof is spent: a DEVICE_KEY no confirmed device of the pool has is refused, so a client
    can answer PASSWORD_VERIFIER again without it (the user is checked once the proof names them)."""
    if not key or not pool.tracks_devices:
        return
    record = ctx.store.get_device(pool.id, key)
    if record is None or not Device.from_record(record).confirmed:
        raise device_not_found()


def for_sign_in(ctx: EngineContext, pool: Pool, user: User, key: str | None) -> Device | None:
    """The confirmed device a sign-in step names with DEVICE_KEY; None when it names none, or when the pool
    tracks no devices (the key is then ignored)."""
    if not key or not pool.tracks_devices:
        return None
    return _confirmed(ctx, pool, user, key)


def suppressed_mfas(pool: Pool, device: Device | None) -> tuple[str, ...]:
    """The MFA factors a remembered device stands in for (ChallengeRequiredOnNewDevice): SMS and TOTP."""
    if device is not None and device.remembered and pool.challenge_required_on_new_device:
        return _STANDS_IN_FOR
    return ()


def device_of_tokens(ctx: EngineContext, pool: Pool, user: User, device: Device | None) -> tuple[str | None, dict | None]:
    """(the device key the tokens carry, NewDeviceMetadata or None) for a sign-in about to get its tokens.

    A known device is marked as having signed in; without one, a pool that tracks devices makes a new one,
    which only ConfirmDevice turns into a device the user has."""
    now = ctx.now()
    if device is not None:
        device.last_authenticated, device.modified = int(now), now
        device.last_ip = ctx.client_ip() or device.last_ip
        _save(ctx, pool, device)
        return device.key, None
    if not pool.tracks_devices:
        return None, None
    group_key = "-" + "".join(secrets.choice(_GROUP_KEY_ALPHABET) for _ in range(8))
    new = Device(key=f"{pool.region}_{uuid.uuid4()}", group_key=group_key, username=user.username, created=now,
                 modified=now, last_authenticated=int(now), last_ip=ctx.client_ip())
    _save(ctx, pool, new)
    return new.key, {"DeviceKey": new.key, "DeviceGroupKey": new.group_key}


def bound_device_is_live(ctx: EngineContext, pool: Pool, username: str, bound_key: str, given_key: str | None) -> bool:
    """May a refresh token issued on ``bound_key`` be used with ``given_key``? Only on that device, while it
    is confirmed: a refresh token of a tracked device works on no other device, nor after ForgetDevice."""
    if given_key != bound_key:
        return False
    record = ctx.store.get_device(pool.id, bound_key)
    return record is not None and record.get("username") == username and bool(record.get("confirmed"))


# --- the device API --------------------------------------------------------------------------
def _verifier_hex(config: dict[str, Any] | None) -> tuple[str, str]:
    """(salt, verifier) as hex from ConfirmDevice's DeviceSecretVerifierConfig (both base64 of the bytes)."""
    config = config or {}
    out = []
    for field in ("Salt", "PasswordVerifier"):
        try:
            raw = base64.b64decode(config.get(field) or "", validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if not raw:
            raise invalid_parameter(f"DeviceSecretVerifierConfig.{field} must be the base64 of a non-empty value.")
        out.append(raw.hex())
    return out[0], out[1]


def confirm(ctx: EngineContext, pool: Pool, user: User, key: str, verifier_config: dict | None,
            name: str | None) -> bool:
    """ConfirmDevice; returns UserConfirmationNecessary."""
    device = get(ctx, pool, user, key)
    if device is None:
        raise invalid_parameter(INVALID_DEVICE_KEY)
    if device.confirmed:
        raise CognitoError("DeviceKeyExistsException", "Device key already exists.")
    device.salt, device.verifier = _verifier_hex(verifier_config)
    device.confirmed, device.name, device.modified = True, name, ctx.now()
    ask_user = pool.device_only_remembered_on_user_prompt
    device.status = NOT_REMEMBERED if ask_user else REMEMBERED
    _save(ctx, pool, device)
    return ask_user


def set_status(ctx: EngineContext, pool: Pool, user: User, key: str, status: str | None) -> None:
    """UpdateDeviceStatus: remembered or not_remembered (no status: the device is left as it is)."""
    device = _confirmed(ctx, pool, user, key)
    if status is not None:
        device.status = status
    device.modified = ctx.now()
    _save(ctx, pool, device)


def forget(ctx: EngineContext, pool: Pool, user: User, key: str) -> None:
    """ForgetDevice: the device is gone, and with it the refresh tokens signed in on it (bound to a device
    that no longer exists, see ``bound_device_is_live``). Access tokens already issued stay valid."""
    device = get(ctx, pool, user, key)
    if device is None:
        raise device_not_found()
    ctx.store.delete_device(pool.id, device.key)


def remembered_devices(ctx: EngineContext, pool: Pool, user: User) -> list[Device]:
    """What ListDevices shows: the user's remembered devices (amplify-js and amazon-cognito-identity-js both
    document that a confirmed but not remembered device is not listed)."""
    devices = [Device.from_record(r) for r in ctx.store.devices_of(pool.id, user.username)]
    return [d for d in devices if d.confirmed and d.status == REMEMBERED]


def page(devices: list[Device], limit: int | None, token: str | None) -> dict:
    """One page of DeviceType entries; the PaginationToken is opaque to the client (an offset here)."""
    start = 0
    if token is not None:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except (binascii.Error, ValueError, UnicodeDecodeError):
            start = -1
        if not 0 <= start <= len(devices):
            raise invalid_parameter("Invalid pagination token.")
    size = limit or _PAGE_MAX
    out: dict[str, Any] = {"Devices": [d.to_device_type() for d in devices[start:start + size]]}
    if start + size < len(devices):
        out["PaginationToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return out


# --- the device's SRP ------------------------------------------------------------------------
def start_srp(device: Device, srp_a: str) -> srp.ServerChallenge:
    """The server's half of the device's SRP (B from the device's verifier)."""
    try:
        return srp.start(srp_a, device.verifier or "")
    except ValueError as exc:
        raise not_authorized(INCORRECT_CREDENTIALS) from exc


def salt_for_challenge(device: Device) -> str:
    """SALT as DEVICE_PASSWORD_VERIFIER sends it: hex, in the canonical form every client hashes."""
    return srp.canonical_salt(device.salt or "00")


def proof_matches(device: Device, challenge: srp.ServerChallenge, secret_block: str, timestamp: str,
                  signature: str) -> bool:
    return bool(device.verifier) and srp.verify_device_proof(
        challenge, device.verifier or "", device.group_key, device.key, secret_block, timestamp, signature)
