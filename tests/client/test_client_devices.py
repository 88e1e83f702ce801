"""amplify_py.auth's remembered devices against the local engine: the device confirmed at sign-in and kept
in the token storage under Amplify's keys, remember_device / fetch_devices / forget_device, DEVICE_SRP_AUTH
during sign_in standing in for SMS MFA, and what a forgotten device does to the next sign-in."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from engine_backend import Backend, resource

from amplify_py.auth import (
    AWSAuthDevice,
    confirm_sign_in,
    confirm_sign_up,
    fetch_auth_session,
    fetch_devices,
    forget_device,
    remember_device,
    sign_in,
    sign_out,
    sign_up,
    update_mfa_preference,
)
from amplify_py.auth import _transport
from amplify_py.auth._config import get_auth_config
from amplify_py.auth._devices import device_name
from amplify_py.auth._session import DeviceMetadata, cognito_user_pools_token_provider
from amplify_py.auth.errors import DeviceMetadataNotFoundException

PASSWORD = "Sup3r-secret!"
PHONE = "+15555550142"


def _tracking(**configuration: bool) -> Callable[[dict], None]:
    def change(tpl: dict) -> None:
        resource(tpl, "AWS::Cognito::UserPool")["DeviceConfiguration"] = configuration
        client = resource(tpl, "AWS::Cognito::UserPoolClient")
        client["ExplicitAuthFlows"] = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

    return change


OPT_IN = _tracking(ChallengeRequiredOnNewDevice=True, DeviceOnlyRememberedOnUserPrompt=True)


@pytest.fixture
def wire() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """(operation, request body) of every call the client makes."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(request: httpx.Request) -> None:
        calls.append((request.headers["x-amz-target"].rsplit(".", 1)[-1], json.loads(request.content or b"{}")))

    _transport.set_http_client(httpx.Client(event_hooks={"request": [record]}))
    yield calls
    _transport.set_http_client(None)


def _challenges(calls: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [body.get("ChallengeName") or body.get("AuthFlow") for op, body in calls
            if op in ("InitiateAuth", "RespondToAuthChallenge")]


def _sms_user(backend: Backend, email: str) -> None:
    """A confirmed user with SMS MFA preferred, signed out again."""
    sign_up(username=email, password=PASSWORD, options={"user_attributes": {"email": email, "phone_number": PHONE}})
    confirm_sign_up(username=email, confirmation_code=backend.last_code(email))
    assert sign_in(username=email, password=PASSWORD).next_step.sign_in_step == "DONE"
    update_mfa_preference(sms="PREFERRED")
    sign_out()


def _last_user() -> str:
    storage = cognito_user_pools_token_provider.storage
    return storage.get_item(f"CognitoIdentityServiceProvider.{get_auth_config().user_pool_client_id}.LastAuthUser") or ""


def _stored_device(username: str | None = None) -> dict[str, str | None]:
    """The device keys exactly as Amplify's TokenStore names them."""
    storage = cognito_user_pools_token_provider.storage
    prefix = f"CognitoIdentityServiceProvider.{get_auth_config().user_pool_client_id}.{username or _last_user()}"
    return {name: storage.get_item(f"{prefix}.{name}") for name in ("deviceKey", "deviceGroupKey", "randomPasswordKey")}


def test_remember_fetch_and_forget_with_device_srp_instead_of_sms(deploy, wire) -> None:
    backend = deploy("mfa_optional_totp_sms", OPT_IN)
    email = "device@example.com"
    _sms_user(backend, email)
    first = sign_in(username=email, password=PASSWORD)
    assert first.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    assert confirm_sign_in(challenge_response=backend.last_code(PHONE)).is_signed_in
    stored = _stored_device()
    assert stored["deviceKey"] and stored["deviceGroupKey"] and stored["randomPasswordKey"]
    confirmed = [body for op, body in wire if op == "ConfirmDevice"][-1]
    assert confirmed["DeviceKey"] == stored["deviceKey"] and confirmed["DeviceName"] == device_name()
    assert fetch_devices() == []  # confirmed; remembered only when the user says so (user opt-in)

    remember_device()
    [device] = fetch_devices()
    assert isinstance(device, AWSAuthDevice) and device.id == stored["deviceKey"] and device.name == device_name()
    assert device.attributes["device_status"] == "valid" and device.attributes["device_name"] == device_name()
    assert device.create_date is not None and device.create_date.tzinfo is not None
    assert device.last_authenticated_date is not None and device.last_modified_date is not None

    user = _last_user()
    sign_out()
    assert _stored_device(user) == stored  # signing out keeps the device
    codes = len(backend.codes(PHONE))
    wire.clear()
    again = sign_in(username=email, password=PASSWORD)
    assert again.is_signed_in and again.next_step.sign_in_step == "DONE"
    assert _challenges(wire) == ["USER_SRP_AUTH", "PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]
    assert len(backend.codes(PHONE)) == codes  # no SMS was sent
    assert fetch_auth_session().tokens.access_token.payload["device_key"] == stored["deviceKey"]
    assert fetch_auth_session(force_refresh=True).tokens is not None  # the refresh carries the DeviceKey
    assert [body.get("DeviceKey") for op, body in wire if op == "GetTokensFromRefreshToken"] == [stored["deviceKey"]]

    forget_device()
    assert _stored_device(user) == {"deviceKey": None, "deviceGroupKey": None, "randomPasswordKey": None}
    assert fetch_devices() == []
    sign_out()
    challenged = sign_in(username=email, password=PASSWORD)
    assert challenged.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    assert confirm_sign_in(challenge_response=backend.last_code(PHONE)).is_signed_in
    assert _stored_device()["deviceKey"] not in (None, stored["deviceKey"])  # a new device


def test_user_password_auth_answers_device_srp_from_initiate_auth(deploy, wire) -> None:
    backend = deploy("mfa_optional_totp_sms", _tracking(ChallengeRequiredOnNewDevice=True))
    email = "password@example.com"
    options = {"auth_flow_type": "USER_PASSWORD_AUTH"}
    sign_up(username=email, password=PASSWORD, options={"user_attributes": {"email": email, "phone_number": PHONE}})
    confirm_sign_up(username=email, confirmation_code=backend.last_code(email))
    assert sign_in(username=email, password=PASSWORD, options=options).is_signed_in
    [device] = fetch_devices()  # always remembered: no remember_device needed
    assert device.id == _stored_device(email)["deviceKey"]
    update_mfa_preference(sms="PREFERRED")
    sign_out()
    wire.clear()
    assert sign_in(username=email, password=PASSWORD, options=options).is_signed_in
    assert _challenges(wire) == ["USER_PASSWORD_AUTH", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]
    assert wire[0][1]["AuthParameters"]["DEVICE_KEY"] == device.id
    assert backend.codes(PHONE) == []  # the remembered device stood in for SMS MFA


def test_without_the_stand_in_sms_comes_first_then_the_device(deploy, wire) -> None:
    backend = deploy("mfa_optional_totp_sms", _tracking(DeviceOnlyRememberedOnUserPrompt=False))
    email = "mfafirst@example.com"
    _sms_user(backend, email)
    sign_in(username=email, password=PASSWORD)
    assert confirm_sign_in(challenge_response=backend.last_code(PHONE)).is_signed_in
    sign_out()
    wire.clear()
    step = sign_in(username=email, password=PASSWORD)
    assert step.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    assert confirm_sign_in(challenge_response=backend.last_code(PHONE)).is_signed_in
    assert _challenges(wire) == ["USER_SRP_AUTH", "PASSWORD_VERIFIER", "SMS_MFA", "DEVICE_SRP_AUTH",
                                 "DEVICE_PASSWORD_VERIFIER"]
    sms_answer = [body for op, body in wire if body.get("ChallengeName") == "SMS_MFA"][0]
    assert sms_answer["ChallengeResponses"]["DEVICE_KEY"] == _stored_device()["deviceKey"]


def test_a_device_forgotten_elsewhere_is_dropped_and_the_sign_in_goes_on(deploy, wire) -> None:
    backend = deploy("mfa_optional_totp_sms", OPT_IN)
    email = "elsewhere@example.com"
    _sms_user(backend, email)
    sign_in(username=email, password=PASSWORD)
    confirm_sign_in(challenge_response=backend.last_code(PHONE))
    remember_device()
    old = _stored_device()["deviceKey"]
    forget_device(device={"id": old})  # by id, as another device would: the same key, so it is cleared too
    assert _stored_device()["deviceKey"] is None
    stale = DeviceMetadata(device_key=old or "", device_group_key="-AAAAAAAA", random_password="stale")
    cognito_user_pools_token_provider.store_device_metadata(stale, _last_user())  # as on a machine that kept it
    sign_out()
    wire.clear()
    result = sign_in(username=email, password=PASSWORD)
    assert result.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    verifiers = [body["ChallengeResponses"] for op, body in wire if body.get("ChallengeName") == "PASSWORD_VERIFIER"]
    assert [r.get("DEVICE_KEY") for r in verifiers] == [old, None]  # refused, then sent again without it
    assert _stored_device()["deviceKey"] is None


def test_forgetting_another_device_keeps_this_one(deploy) -> None:
    backend = deploy("mfa_optional_totp_sms", _tracking(ChallengeRequiredOnNewDevice=True))
    email = "two@example.com"
    sign_up(username=email, password=PASSWORD, options={"user_attributes": {"email": email}})
    confirm_sign_up(username=email, confirmation_code=backend.last_code(email))
    sign_in(username=email, password=PASSWORD)
    first = _stored_device()["deviceKey"]
    cognito_user_pools_token_provider.clear_device_metadata(username=_last_user())  # as if on a second machine
    sign_out()
    sign_in(username=email, password=PASSWORD)
    second = _stored_device()["deviceKey"]
    assert {d.id for d in fetch_devices()} == {first, second}
    forget_device(device=AWSAuthDevice(id=first))
    assert [d.id for d in fetch_devices()] == [second] and _stored_device()["deviceKey"] == second


def test_remember_device_without_a_device_says_what_is_missing(deploy) -> None:
    backend = deploy("mfa_optional_totp_sms")  # no DeviceConfiguration: no device is ever issued
    email = "nodevice@example.com"
    sign_up(username=email, password=PASSWORD, options={"user_attributes": {"email": email}})
    confirm_sign_up(username=email, confirmation_code=backend.last_code(email))
    sign_in(username=email, password=PASSWORD)
    with pytest.raises(DeviceMetadataNotFoundException, match="deviceKey, deviceGroupKey or secretPassword were not found"):
        remember_device()
    with pytest.raises(DeviceMetadataNotFoundException, match="deviceKey, deviceGroupKey or secretPassword"):
        forget_device()
    assert fetch_devices() == []
