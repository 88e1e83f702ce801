"""Remembered devices during sign-in, as aws-amplify v6 does them.

- Every request where Amplify sends the device (InitiateAuth USER_PASSWORD_AUTH and CUSTOM_AUTH without
  SRP; the answers to PASSWORD_VERIFIER, SMS_MFA, SOFTWARE_TOKEN_MFA, SMS_OTP, EMAIL_OTP, CUSTOM_CHALLENGE)
  carries DEVICE_KEY when the token storage holds a device for that user.
- Cognito's ``ResourceNotFoundException: Device does not exist.`` (a device forgotten elsewhere) makes
  Amplify forget the stored device and send the request again without it (retryOnResourceNotFoundException).
- A DEVICE_SRP_AUTH answer is handled at once (handleDeviceSRPAuth): SRP_A with the DeviceGroupKey as
  pool name, then DEVICE_PASSWORD_VERIFIER with the device's random password.
- An AuthenticationResult with NewDeviceMetadata is confirmed (ConfirmDevice with a new device secret) and
  the device stored with the tokens; a failed ConfirmDevice only means no device (getNewDeviceMetadata).
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from typing import Any

from amplify_py.auth._config import AuthConfig
from amplify_py.auth._session import DeviceMetadata, cognito_user_pools_token_provider
from amplify_py.auth._srp import SrpClient, device_secret
from amplify_py.auth._transport import call_user_pool
from amplify_py.auth.errors import AuthError, DeviceMetadataNotFoundException

__all__ = ["DEVICE_KEY_CHALLENGES", "sends_device_key", "with_device", "after_response", "confirm_new_device",
           "device_name"]

DEVICE_KEY_CHALLENGES = ("PASSWORD_VERIFIER", "SMS_MFA", "SOFTWARE_TOKEN_MFA", "SMS_OTP", "EMAIL_OTP",
                         "CUSTOM_CHALLENGE")
_RETRIED = ("PASSWORD_VERIFIER", "CUSTOM_CHALLENGE", "USER_PASSWORD_AUTH", "CUSTOM_AUTH")

Call = Callable[[dict[str, str]], dict[str, Any]]
Respond = Callable[[str, dict[str, str], str | None], dict[str, Any]]


def sends_device_key(flow: str, parameters: dict[str, str]) -> bool:
    """Does Amplify put DEVICE_KEY in this InitiateAuth? (SRP flows send it with PASSWORD_VERIFIER instead.)"""
    return flow == "USER_PASSWORD_AUTH" or (flow == "CUSTOM_AUTH" and "SRP_A" not in parameters)


def _missing_device(exc: AuthError) -> bool:
    return exc.name == "ResourceNotFoundException" and "Device does not exist." in exc.message


def with_device(config: AuthConfig, username: str, step: str, parameters: dict[str, str], call: Call) -> dict[str, Any]:
    """``call(parameters)`` with the user's DEVICE_KEY added, and once more without it if Cognito no longer
    knows that device."""
    provider = cognito_user_pools_token_provider
    device = provider.get_device_metadata(config, username)
    if device is None:
        return call(parameters)
    try:
        return call({**parameters, "DEVICE_KEY": device.device_key})
    except AuthError as exc:
        if step not in _RETRIED or not _missing_device(exc):
            raise
        provider.clear_device_metadata(config, username)
        return call(parameters)


def after_response(config: AuthConfig, username: str, response: dict[str, Any], respond: Respond) -> dict[str, Any]:
    """The response itself, or, for DEVICE_SRP_AUTH, what the device's SRP ends with."""
    if response.get("ChallengeName") != "DEVICE_SRP_AUTH":
        return response
    device = cognito_user_pools_token_provider.get_device_metadata(config, username)
    if device is None:
        raise DeviceMetadataNotFoundException()
    srp = SrpClient.create(device.device_group_key)
    verifier = respond("DEVICE_SRP_AUTH", {"USERNAME": username, "SRP_A": srp.srp_a, "DEVICE_KEY": device.device_key},
                       response.get("Session"))
    responses = srp.device_password_verifier_responses(verifier.get("ChallengeParameters") or {}, username,
                                                       device.device_key, device.random_password)
    return respond("DEVICE_PASSWORD_VERIFIER", responses, verifier.get("Session"))


def device_name() -> str:
    """The name ConfirmDevice gets (Amplify's getDeviceName is the browser's user agent; this is Python's)."""
    return " ".join(p for p in (platform.system(), platform.release(), platform.machine(),
                                f"Python/{platform.python_version()}") if p)


def confirm_new_device(config: AuthConfig, result: dict[str, Any]) -> DeviceMetadata | None:
    """ConfirmDevice for the NewDeviceMetadata of a sign-in; the device to keep, or None (nothing new, or
    ConfirmDevice failed: the sign-in still succeeds, as in Amplify)."""
    new = result.get("NewDeviceMetadata") or {}
    key, group = new.get("DeviceKey"), new.get("DeviceGroupKey")
    if not key or not result.get("AccessToken"):
        return None
    secret = device_secret(group or "", key)
    try:
        call_user_pool(config.user_pool_endpoint, "ConfirmDevice", {
            "AccessToken": result["AccessToken"], "DeviceName": device_name(), "DeviceKey": key,
            "DeviceSecretVerifierConfig": secret.verifier_config()})
    except AuthError:
        return None
    return DeviceMetadata(device_key=key, device_group_key=group or "", random_password=secret.random_password)
