"""Remembered devices on the engine, over the wire with boto3: DeviceConfiguration, NewDeviceMetadata,
ConfirmDevice and the device APIs (and their Admin twins), DEVICE_SRP_AUTH verified for real, a remembered
device standing in for TOTP MFA, refresh tokens bound to the device, GlobalSignOut and ForgetDevice.

The device's SRP math is amplify_py.auth's (the session path, as aws-amplify answers) and pycognito's
(no Session, as pycognito answers)."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP, generate_hash_device

from amplify_py.auth._srp import DeviceSecret, SrpClient, device_secret
from tests.engine.conftest import PASSWORD, POOL, Env, template

FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def _env(engine_and_clock: Any, name: str, **device_configuration: bool) -> Env:
    tpl = template("mfa_optional_totp_sms", ExplicitAuthFlows=FLOWS)
    if device_configuration:
        tpl["Resources"][POOL]["Properties"]["DeviceConfiguration"] = device_configuration
    return Env(*engine_and_clock, name, tpl)


@pytest.fixture(scope="module")
def opt_in(engine_and_clock: Any) -> Env:
    """User opt-in, and a remembered device stands in for MFA (the console's "User opt-in" + "Yes")."""
    return _env(engine_and_clock, "devices-opt-in", ChallengeRequiredOnNewDevice=True,
                DeviceOnlyRememberedOnUserPrompt=True)


@pytest.fixture(scope="module")
def always(engine_and_clock: Any) -> Env:
    """Always remember; MFA is still asked on remembered devices."""
    return _env(engine_and_clock, "devices-always", DeviceOnlyRememberedOnUserPrompt=False)


@pytest.fixture(scope="module")
def untracked(engine_and_clock: Any) -> Env:
    return _env(engine_and_clock, "devices-off")


@dataclass
class Device:
    key: str
    group_key: str
    secret: DeviceSecret


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def _password_verifier(env: Env, email: str, device: Device | None = None) -> dict:
    """USER_SRP_AUTH up to the PASSWORD_VERIFIER answer (with DEVICE_KEY, as aws-amplify sends it)."""
    srp = SrpClient.create(env.pool_id.split("_", 1)[1])
    start = env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="USER_SRP_AUTH",
                                  AuthParameters={"USERNAME": email, "SRP_A": srp.srp_a})
    responses = srp.password_verifier_responses(start["ChallengeParameters"], PASSWORD)
    if device is not None:
        responses["DEVICE_KEY"] = device.key
    return env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="PASSWORD_VERIFIER",
                                             ChallengeResponses=responses)


def _device_auth(env: Env, challenge: dict, username: str, device: Device, password: str | None = None) -> dict:
    """DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER, each with the Session the previous answer gave."""
    assert challenge["ChallengeName"] == "DEVICE_SRP_AUTH" and challenge["ChallengeParameters"] == {}
    srp = SrpClient.create(device.group_key)
    verifier = env.idp.respond_to_auth_challenge(
        ClientId=env.client_id, ChallengeName="DEVICE_SRP_AUTH", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "DEVICE_KEY": device.key, "SRP_A": srp.srp_a})
    assert verifier["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    params = verifier["ChallengeParameters"]
    assert set(params) == {"DEVICE_KEY", "SALT", "SECRET_BLOCK", "SRP_B", "USERNAME"}
    assert params["DEVICE_KEY"] == device.key and params["SALT"] == device.secret.salt
    responses = srp.device_password_verifier_responses(params, username, device.key,
                                                       password or device.secret.random_password)
    return env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                             Session=verifier["Session"], ChallengeResponses=responses)


def _confirm(env: Env, result: dict, name: str = "laptop") -> tuple[Device, bool]:
    metadata = result["NewDeviceMetadata"]
    secret = device_secret(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    out = env.idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=metadata["DeviceKey"],
                                 DeviceSecretVerifierConfig=secret.verifier_config(), DeviceName=name)
    return Device(metadata["DeviceKey"], metadata["DeviceGroupKey"], secret), out["UserConfirmationNecessary"]


def _with_totp(env: Env, email: str) -> tuple[dict, pyotp.TOTP]:
    """A confirmed user with TOTP MFA preferred; returns the first sign-in's AuthenticationResult."""
    env.confirmed_user(email)
    first = _password_verifier(env, email)["AuthenticationResult"]
    secret = env.idp.associate_software_token(AccessToken=first["AccessToken"])["SecretCode"]
    totp = pyotp.TOTP(secret)
    env.idp.verify_software_token(AccessToken=first["AccessToken"], UserCode=totp.at(env.clock()))
    env.idp.set_user_mfa_preference(AccessToken=first["AccessToken"],
                                    SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return first, totp


def _totp_answer(env: Env, challenge: dict, email: str, totp: pyotp.TOTP, device: Device | None = None) -> dict:
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    env.clock.advance(30)  # a TOTP code is good once: each answer takes the next time step
    responses = {"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": totp.at(env.clock())}
    if device is not None:
        responses["DEVICE_KEY"] = device.key
    return env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
                                             Session=challenge["Session"], ChallengeResponses=responses)


# --- a new device ------------------------------------------------------------------------------
def test_a_sign_in_without_a_device_gets_a_new_device_key_and_group_key(opt_in: Env) -> None:
    opt_in.confirmed_user("new@example.com")
    result = _password_verifier(opt_in, "new@example.com")["AuthenticationResult"]
    metadata = result["NewDeviceMetadata"]
    assert re.fullmatch(r"us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", metadata["DeviceKey"])
    assert re.fullmatch(r"-[A-Za-z0-9]{8}", metadata["DeviceGroupKey"])
    assert _claims(result["AccessToken"])["device_key"] == metadata["DeviceKey"]
    again = _password_verifier(opt_in, "new@example.com")["AuthenticationResult"]["NewDeviceMetadata"]
    assert again["DeviceKey"] != metadata["DeviceKey"]
    pool = opt_in.idp.describe_user_pool(UserPoolId=opt_in.pool_id)["UserPool"]
    assert pool["DeviceConfiguration"] == {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}


def test_a_pool_without_device_configuration_tracks_no_device(untracked: Env) -> None:
    untracked.confirmed_user("off@example.com")
    result = _password_verifier(untracked, "off@example.com")["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result and "device_key" not in _claims(result["AccessToken"])
    assert "DeviceConfiguration" not in untracked.idp.describe_user_pool(UserPoolId=untracked.pool_id)["UserPool"]
    ignored = Device("us-east-1_00000000-0000-0000-0000-000000000000", "-AAAAAAAA", device_secret("-AAAAAAAA", "x"))
    assert "AccessToken" in _password_verifier(untracked, "off@example.com", ignored)["AuthenticationResult"]
    assert untracked.idp.list_devices(AccessToken=result["AccessToken"])["Devices"] == []


def test_opt_in_confirm_leaves_the_device_unlisted_until_it_is_remembered(opt_in: Env) -> None:
    opt_in.confirmed_user("optin@example.com")
    result = _password_verifier(opt_in, "optin@example.com")["AuthenticationResult"]
    device, ask = _confirm(opt_in, result)
    assert ask is True
    token = result["AccessToken"]
    assert opt_in.idp.list_devices(AccessToken=token)["Devices"] == []
    got = opt_in.idp.get_device(AccessToken=token, DeviceKey=device.key)["Device"]
    attributes = {a["Name"]: a["Value"] for a in got["DeviceAttributes"]}
    assert attributes == {"device_status": "valid", "device_name": "laptop", "dev:device_remembered_status": "not_remembered",
                          "last_ip_used": "127.0.0.1"}
    opt_in.clock.advance(5)
    opt_in.idp.update_device_status(AccessToken=token, DeviceKey=device.key, DeviceRememberedStatus="remembered")
    [listed] = opt_in.idp.list_devices(AccessToken=token, Limit=60)["Devices"]
    assert listed["DeviceKey"] == device.key
    assert {a["Name"]: a["Value"] for a in listed["DeviceAttributes"]}["dev:device_remembered_status"] == "remembered"
    assert listed["DeviceLastModifiedDate"] > listed["DeviceCreateDate"]
    assert listed["DeviceLastAuthenticatedDate"].microsecond == 0  # whole seconds, as Cognito reports it


def test_always_remember_remembers_at_confirm(always: Env) -> None:
    always.confirmed_user("always@example.com")
    result = _password_verifier(always, "always@example.com")["AuthenticationResult"]
    device, ask = _confirm(always, result, name="phone")
    assert ask is False
    [listed] = always.idp.list_devices(AccessToken=result["AccessToken"])["Devices"]
    assert listed["DeviceKey"] == device.key


# --- signing in on a remembered device ---------------------------------------------------------
def test_a_remembered_device_does_device_srp_instead_of_totp(opt_in: Env) -> None:
    email = "totp@example.com"
    first, totp = _with_totp(opt_in, email)
    mfa = _password_verifier(opt_in, email)
    device, _ = _confirm(opt_in, _totp_answer(opt_in, mfa, email, totp)["AuthenticationResult"])
    # confirmed, not yet remembered: MFA as before, and no new device (the sign-in named one)
    known = _totp_answer(opt_in, _password_verifier(opt_in, email, device), email, totp, device)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in known and _claims(known["AccessToken"])["device_key"] == device.key
    opt_in.idp.update_device_status(AccessToken=known["AccessToken"], DeviceKey=device.key,
                                    DeviceRememberedStatus="remembered")

    opt_in.clock.advance(120)
    challenge = _password_verifier(opt_in, email, device)
    user_id = _claims(first["AccessToken"])["username"]
    with pytest.raises(ClientError, match=re.escape("Incorrect username or password.")) as exc:
        _device_auth(opt_in, challenge, user_id, device, password="not-the-device-secret")
    assert _error(exc)[0] == "NotAuthorizedException"
    done = _device_auth(opt_in, _password_verifier(opt_in, email, device), user_id, device)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in done and _claims(done["AccessToken"])["device_key"] == device.key
    got = opt_in.idp.get_device(AccessToken=done["AccessToken"], DeviceKey=device.key)["Device"]
    assert got["DeviceLastAuthenticatedDate"].timestamp() == int(opt_in.clock())


def test_pycognito_signs_in_on_a_remembered_device_without_sessions(opt_in: Env) -> None:
    email = "pyco@example.com"
    opt_in.confirmed_user(email)
    result = opt_in.srp_sign_in(email)["AuthenticationResult"]
    metadata = result["NewDeviceMetadata"]
    password, config = generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    opt_in.idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=metadata["DeviceKey"],
                              DeviceSecretVerifierConfig=config)
    opt_in.idp.update_device_status(AccessToken=result["AccessToken"], DeviceKey=metadata["DeviceKey"],
                                    DeviceRememberedStatus="remembered")
    helper = AWSSRP(username=email, password=PASSWORD, pool_id=opt_in.pool_id, client_id=opt_in.client_id,
                    client=opt_in.idp, device_key=metadata["DeviceKey"], device_group_key=metadata["DeviceGroupKey"],
                    device_password=password)
    tokens = helper.authenticate_user()["AuthenticationResult"]
    assert _claims(tokens["AccessToken"])["device_key"] == metadata["DeviceKey"]


def test_without_challenge_required_on_new_device_mfa_comes_first_then_the_device(always: Env) -> None:
    email = "both@example.com"
    first, totp = _with_totp(always, email)
    done = _totp_answer(always, _password_verifier(always, email), email, totp)["AuthenticationResult"]
    device, _ = _confirm(always, done)
    mfa = _password_verifier(always, email, device)
    challenge = _totp_answer(always, mfa, email, totp, device)
    tokens = _device_auth(always, challenge, _claims(first["AccessToken"])["username"], device)["AuthenticationResult"]
    assert _claims(tokens["AccessToken"])["device_key"] == device.key
    # the MFA answer without DEVICE_KEY is a sign-in on no device: a new one
    fresh = _totp_answer(always, _password_verifier(always, email, device), email, totp)["AuthenticationResult"]
    assert fresh["NewDeviceMetadata"]["DeviceKey"] != device.key


def test_an_unknown_device_key_is_refused_and_the_proof_can_be_sent_again(opt_in: Env) -> None:
    email = "unknown@example.com"
    opt_in.confirmed_user(email)
    stale = "us-east-1_11111111-2222-3333-4444-555555555555"
    with pytest.raises(ClientError, match=re.escape("Device does not exist.")) as exc:
        opt_in.idp.initiate_auth(ClientId=opt_in.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD, "DEVICE_KEY": stale})
    assert _error(exc)[0] == "ResourceNotFoundException"
    srp = SrpClient.create(opt_in.pool_id.split("_", 1)[1])
    start = opt_in.idp.initiate_auth(ClientId=opt_in.client_id, AuthFlow="USER_SRP_AUTH",
                                     AuthParameters={"USERNAME": email, "SRP_A": srp.srp_a})
    responses = srp.password_verifier_responses(start["ChallengeParameters"], PASSWORD)
    with pytest.raises(ClientError, match=re.escape("Device does not exist.")):
        opt_in.idp.respond_to_auth_challenge(ClientId=opt_in.client_id, ChallengeName="PASSWORD_VERIFIER",
                                             ChallengeResponses={**responses, "DEVICE_KEY": stale})
    # what aws-amplify does on that message: forget its device and answer again, without it
    again = opt_in.idp.respond_to_auth_challenge(ClientId=opt_in.client_id, ChallengeName="PASSWORD_VERIFIER",
                                                 ChallengeResponses=responses)
    assert "NewDeviceMetadata" in again["AuthenticationResult"]


def test_device_challenges_refuse_what_no_sign_in_led_to(opt_in: Env) -> None:
    email = "nochallenge@example.com"
    opt_in.confirmed_user(email)
    result = _password_verifier(opt_in, email)["AuthenticationResult"]
    device, _ = _confirm(opt_in, result)
    opt_in.idp.update_device_status(AccessToken=result["AccessToken"], DeviceKey=device.key,
                                    DeviceRememberedStatus="remembered")
    srp_a = SrpClient.create(device.group_key).srp_a
    with pytest.raises(ClientError, match="Cannot initiate DEVICE_SRP_AUTH flow without first authenticating"):
        opt_in.idp.respond_to_auth_challenge(ClientId=opt_in.client_id, ChallengeName="DEVICE_SRP_AUTH",
                                             ChallengeResponses={"USERNAME": email, "DEVICE_KEY": device.key,
                                                                 "SRP_A": srp_a})
    challenge = _password_verifier(opt_in, email, device)
    with pytest.raises(ClientError, match=re.escape("Invalid device key given.")) as exc:
        opt_in.idp.respond_to_auth_challenge(ClientId=opt_in.client_id, ChallengeName="DEVICE_SRP_AUTH",
                                             Session=challenge["Session"], ChallengeResponses={
                                                 "USERNAME": email, "DEVICE_KEY": device.key[:-1] + ("1" if device.key[-1] == "0" else "0"),
                                                 "SRP_A": srp_a})
    assert _error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError, match=re.escape("Invalid session for the user.")):
        opt_in.idp.respond_to_auth_challenge(ClientId=opt_in.client_id, ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                             ChallengeResponses={"USERNAME": email, "DEVICE_KEY": device.key,
                                                                 "PASSWORD_CLAIM_SECRET_BLOCK": "AAAA",
                                                                 "PASSWORD_CLAIM_SIGNATURE": "AAAA",
                                                                 "TIMESTAMP": "Mon Jan 1 00:00:00 UTC 2026"})


# --- refresh tokens, GlobalSignOut, ForgetDevice -----------------------------------------------
def test_a_refresh_token_issued_on_a_device_refreshes_only_with_that_device(opt_in: Env) -> None:
    email = "refresh@example.com"
    opt_in.confirmed_user(email)
    result = _password_verifier(opt_in, email)["AuthenticationResult"]
    key = result["NewDeviceMetadata"]["DeviceKey"]
    with pytest.raises(ClientError, match=re.escape("Invalid Refresh Token")):  # not confirmed yet
        opt_in.idp.get_tokens_from_refresh_token(ClientId=opt_in.client_id, RefreshToken=result["RefreshToken"],
                                                 DeviceKey=key)
    device, _ = _confirm(opt_in, result)
    fresh = opt_in.idp.get_tokens_from_refresh_token(ClientId=opt_in.client_id, RefreshToken=result["RefreshToken"],
                                                     DeviceKey=key)["AuthenticationResult"]
    assert _claims(fresh["AccessToken"])["device_key"] == key
    by_flow = opt_in.idp.initiate_auth(ClientId=opt_in.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
        "REFRESH_TOKEN": result["RefreshToken"], "DEVICE_KEY": key})["AuthenticationResult"]
    assert _claims(by_flow["AccessToken"])["device_key"] == key
    for given in ({}, {"DEVICE_KEY": "us-east-1_11111111-2222-3333-4444-555555555555"}):
        with pytest.raises(ClientError, match=re.escape("Invalid Refresh Token")) as exc:
            opt_in.idp.initiate_auth(ClientId=opt_in.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                     AuthParameters={"REFRESH_TOKEN": result["RefreshToken"], **given})
        assert _error(exc)[0] == "NotAuthorizedException"

    opt_in.idp.forget_device(AccessToken=fresh["AccessToken"], DeviceKey=device.key)
    with pytest.raises(ClientError, match=re.escape("Invalid Refresh Token")):
        opt_in.idp.get_tokens_from_refresh_token(ClientId=opt_in.client_id, RefreshToken=result["RefreshToken"],
                                                 DeviceKey=key)
    with pytest.raises(ClientError, match=re.escape("Device does not exist.")):
        _password_verifier(opt_in, email, device)
    with pytest.raises(ClientError, match=re.escape("Device does not exist.")):
        opt_in.idp.get_device(AccessToken=fresh["AccessToken"], DeviceKey=device.key)


def test_forget_device_brings_mfa_back(opt_in: Env) -> None:
    email = "forget@example.com"
    first, totp = _with_totp(opt_in, email)
    device, _ = _confirm(opt_in, _totp_answer(opt_in, _password_verifier(opt_in, email), email, totp)["AuthenticationResult"])
    opt_in.idp.admin_update_device_status(UserPoolId=opt_in.pool_id, Username=email, DeviceKey=device.key,
                                          DeviceRememberedStatus="remembered")
    user_id = _claims(first["AccessToken"])["username"]
    tokens = _device_auth(opt_in, _password_verifier(opt_in, email, device), user_id, device)["AuthenticationResult"]
    opt_in.idp.forget_device(AccessToken=tokens["AccessToken"], DeviceKey=device.key)
    assert _password_verifier(opt_in, email)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_global_sign_out_ends_the_devices_refresh_tokens(opt_in: Env) -> None:
    email = "global@example.com"
    opt_in.confirmed_user(email)
    result = _password_verifier(opt_in, email)["AuthenticationResult"]
    device, _ = _confirm(opt_in, result)
    opt_in.idp.global_sign_out(AccessToken=result["AccessToken"])
    with pytest.raises(ClientError, match=re.escape("Refresh Token has been revoked")):
        opt_in.idp.get_tokens_from_refresh_token(ClientId=opt_in.client_id, RefreshToken=result["RefreshToken"],
                                                 DeviceKey=device.key)
    # the device itself stays: the next sign-in on it gets no new one
    assert "NewDeviceMetadata" not in _password_verifier(opt_in, email, device)["AuthenticationResult"]


# --- the device API and its Admin twins --------------------------------------------------------
def test_admin_twins_list_get_update_and_forget(opt_in: Env) -> None:
    email = "admin@example.com"
    opt_in.confirmed_user(email)
    keys = []
    for name in ("one", "two", "three"):
        result = _password_verifier(opt_in, email)["AuthenticationResult"]
        device, _ = _confirm(opt_in, result, name=name)
        opt_in.idp.admin_update_device_status(UserPoolId=opt_in.pool_id, Username=email, DeviceKey=device.key,
                                              DeviceRememberedStatus="remembered")
        keys.append(device.key)
    first = opt_in.idp.admin_list_devices(UserPoolId=opt_in.pool_id, Username=email, Limit=2)
    assert [d["DeviceKey"] for d in first["Devices"]] == keys[:2]
    rest = opt_in.idp.admin_list_devices(UserPoolId=opt_in.pool_id, Username=email, Limit=2,
                                         PaginationToken=first["PaginationToken"])
    assert [d["DeviceKey"] for d in rest["Devices"]] == keys[2:] and "PaginationToken" not in rest
    got = opt_in.idp.admin_get_device(UserPoolId=opt_in.pool_id, Username=email, DeviceKey=keys[1])["Device"]
    assert {a["Name"]: a["Value"] for a in got["DeviceAttributes"]}["device_name"] == "two"
    opt_in.idp.admin_update_device_status(UserPoolId=opt_in.pool_id, Username=email, DeviceKey=keys[1],
                                          DeviceRememberedStatus="not_remembered")
    opt_in.idp.admin_forget_device(UserPoolId=opt_in.pool_id, Username=email, DeviceKey=keys[0])
    listed = opt_in.idp.admin_list_devices(UserPoolId=opt_in.pool_id, Username=email)["Devices"]
    assert [d["DeviceKey"] for d in listed] == keys[2:]
    with pytest.raises(ClientError, match=re.escape("Device does not exist.")) as exc:
        opt_in.idp.admin_forget_device(UserPoolId=opt_in.pool_id, Username=email, DeviceKey=keys[0])
    assert _error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError, match=re.escape("Invalid pagination token.")):
        opt_in.idp.admin_list_devices(UserPoolId=opt_in.pool_id, Username=email, PaginationToken="not-a-token")
    opt_in.idp.admin_delete_user(UserPoolId=opt_in.pool_id, Username=email)
    opt_in.confirmed_user(email)  # the same name again: a new user, with no devices
    assert opt_in.idp.admin_list_devices(UserPoolId=opt_in.pool_id, Username=email)["Devices"] == []


def test_confirm_device_refuses_a_foreign_key_a_second_confirm_and_a_bad_verifier(opt_in: Env) -> None:
    opt_in.confirmed_user("mine@example.com")
    opt_in.confirmed_user("theirs@example.com")
    mine = _password_verifier(opt_in, "mine@example.com")["AuthenticationResult"]
    theirs = _password_verifier(opt_in, "theirs@example.com")["AuthenticationResult"]
    secret = device_secret("-AAAAAAAA", "key").verifier_config()
    with pytest.raises(ClientError, match=re.escape("Invalid device key given.")) as exc:
        opt_in.idp.confirm_device(AccessToken=mine["AccessToken"], DeviceKey=theirs["NewDeviceMetadata"]["DeviceKey"],
                                  DeviceSecretVerifierConfig=secret)
    assert _error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError, match=re.escape("DeviceSecretVerifierConfig.PasswordVerifier must be the base64")):
        opt_in.idp.confirm_device(AccessToken=mine["AccessToken"], DeviceKey=mine["NewDeviceMetadata"]["DeviceKey"],
                                  DeviceSecretVerifierConfig={"Salt": secret["Salt"], "PasswordVerifier": "%%%"})
    _confirm(opt_in, mine)
    with pytest.raises(ClientError, match=re.escape("Device key already exists.")) as exc:
        opt_in.idp.confirm_device(AccessToken=mine["AccessToken"], DeviceKey=mine["NewDeviceMetadata"]["DeviceKey"],
                                  DeviceSecretVerifierConfig=secret)
    assert _error(exc)[0] == "DeviceKeyExistsException"
    with pytest.raises(ClientError, match=re.escape("Device does not exist.")):
        opt_in.idp.update_device_status(AccessToken=mine["AccessToken"],
                                        DeviceKey=theirs["NewDeviceMetadata"]["DeviceKey"],
                                        DeviceRememberedStatus="remembered")
    opt_in.idp.global_sign_out(AccessToken=mine["AccessToken"])
    with pytest.raises(ClientError, match=re.escape("Access Token has been revoked")):
        opt_in.idp.list_devices(AccessToken=mine["AccessToken"])



def test_a_remembered_device_stands_in_for_sms_and_totp_only_not_email_mfa(engine_and_clock: Any) -> None:
    """The documented stand-in is for SMS and TOTP factors; an email MFA code is still asked, and the device
    proves itself after it."""
    tpl = template("mfa_optional_totp_sms", ExplicitAuthFlows=FLOWS)
    pool = tpl["Resources"][POOL]["Properties"]
    pool["EnabledMfas"] = ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
    pool["DeviceConfiguration"] = {"ChallengeRequiredOnNewDevice": True}
    env = Env(*engine_and_clock, "devices-email-mfa", tpl)
    email = "mail@example.com"
    env.confirmed_user(email)
    first = _password_verifier(env, email)["AuthenticationResult"]
    device, ask = _confirm(env, first)
    assert ask is False  # DeviceOnlyRememberedOnUserPrompt left out: remembered at once
    env.idp.set_user_mfa_preference(AccessToken=first["AccessToken"], EmailMfaSettings={"Enabled": True,
                                                                                        "PreferredMfa": True})
    challenge = _password_verifier(env, email, device)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    answered = env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="EMAIL_OTP",
                                                 Session=challenge["Session"], ChallengeResponses={
                                                     "USERNAME": email, "EMAIL_OTP_CODE": env.code(email),
                                                     "DEVICE_KEY": device.key})
    tokens = _device_auth(env, answered, _claims(first["AccessToken"])["username"], device)["AuthenticationResult"]
    assert _claims(tokens["AccessToken"])["device_key"] == device.key
