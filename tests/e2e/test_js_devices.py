"""aws-amplify JS against the local engine with device tracking on, turned on as an Amplify project does it:
the L1 escape hatch in backend.py (the user pool's DeviceConfiguration), deployed by `ampy sandbox --once`.

The pool is MFA OPTIONAL with SMS; devices are remembered on the user's say-so and then stand in for MFA
(the console's "User opt-in" and "Trust remembered devices to suppress MFA"). SMS codes come from the
sandbox's outbox.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from amplify_py._node import bundled_node

from ._js import AmplifyJs, amplify_js
from ._outbox import Outbox
from .conftest import PASSWORD, new_email
from .test_sandbox_e2e import REPO, _ampy, _free_port

AUTH = """\
from amplify_py import define_auth

auth = define_auth(login_with={"email": True}, multifactor={"mode": "OPTIONAL", "sms": True})
"""

BACKEND = """\
from aws_cdk import aws_cognito as cognito

from amplify_py import define_backend
from amplify.auth.resource import auth

backend = define_backend(auth=auth)
backend.auth.resources.cfn_resources.cfn_user_pool.device_configuration = cognito.CfnUserPool.DeviceConfigurationProperty(
    challenge_required_on_new_device=True,       # a remembered device stands in for SMS and TOTP MFA
    device_only_remembered_on_user_prompt=True,  # remembered when the app calls rememberDevice
)
"""

IDENTIFIER = "devices"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Outbox]]:
    """The project deployed once (engine left serving in the background); its outputs file and outbox."""
    project = tmp_path_factory.mktemp("devices-app")
    shutil.copytree(REPO / "amplify", project / "amplify", ignore=shutil.ignore_patterns("__pycache__"))
    (project / "amplify" / "auth" / "resource.py").write_text(AUTH)
    (project / "amplify" / "backend.py").write_text(BACKEND)
    run = _ampy("sandbox", "--once", "--identifier", IDENTIFIER, "--port", str(_free_port()), "--dir", str(project))
    try:
        assert run.returncode == 0, run.stdout + run.stderr
        yield project / "amplify_outputs.json", Outbox(project / ".amplify" / "sandbox" / IDENTIFIER / "outbox.jsonl")
    finally:
        stopped = _ampy("sandbox", "stop", "--identifier", IDENTIFIER, "--dir", str(project))
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr


def _major(node: str) -> int:
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.match(r"v(\d+)\.", version)
    return int(match.group(1)) if match else 0


@pytest.fixture(scope="module")
def device_node(node: str) -> str:
    """A Node with a global ``navigator`` (Node 21+): aws-amplify names the device it confirms after
    ``navigator.userAgent``, and where that is missing (Node 20) it skips ConfirmDevice without a word.
    PATH's Node if it is new enough, else the virtualenv's Node 22 the install step puts there."""
    if _major(node) >= 21:
        return node
    bundled = bundled_node()
    if bundled is None or _major(str(bundled)) < 21:
        pytest.fail(f"{node} is Node {_major(node)}; aws-amplify confirms devices only on Node 21 or newer. "
                    "Install Node 22 into the virtualenv: npm install -s --prefix .venv/node node@22")
    return str(bundled)


@pytest.fixture(scope="module")
def js(device_node: str, amplify_js_driver: Path, sandbox: tuple[Path, Outbox]) -> Iterator[AmplifyJs]:
    with amplify_js(device_node, amplify_js_driver, sandbox[0]) as driver:
        yield driver


def _device_keys(js: AmplifyJs) -> dict[str, str]:
    """The token store's device entries, by Amplify's key name (deviceKey, deviceGroupKey, randomPasswordKey)."""
    return {key.rsplit(".", 1)[-1]: value for key, value in js.tokens().items()
            if key.rsplit(".", 1)[-1] in ("deviceKey", "deviceGroupKey", "randomPasswordKey")}


def _challenges(js: AmplifyJs) -> list[str]:
    return [exchange["request"].get("ChallengeName") or exchange["request"].get("AuthFlow")
            for exchange in js.last_wire
            if (exchange["target"] or "").endswith(("InitiateAuth", "RespondToAuthChallenge"))]


def _sms_sign_in(js: AmplifyJs, outbox: Outbox, email: str, phone: str) -> None:
    mark = outbox.mark()
    challenged = js.call("signIn", {"username": email, "password": PASSWORD})
    assert challenged["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_SMS_CODE", challenged
    done = js.call("confirmSignIn", {"challengeResponse": outbox.code_for(phone, after=mark)})
    assert done == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}, done


def test_remember_fetch_device_srp_skips_sms_and_forget_brings_it_back(signed_out: AmplifyJs,
                                                                      sandbox: tuple[Path, Outbox]) -> None:
    js, outbox = signed_out, sandbox[1]
    outputs = json.loads(sandbox[0].read_text())
    assert outputs["auth"]["mfa_configuration"] == "OPTIONAL"
    email, phone = new_email("device"), "+1555" + "".join(secrets.choice("0123456789") for _ in range(7))
    mark = outbox.mark()
    up = js.call("signUp", {"username": email, "password": PASSWORD,
                            "options": {"userAttributes": {"email": email, "phone_number": phone}}})
    js.call("confirmSignUp", {"username": email, "confirmationCode": outbox.code_for(email, after=mark)})
    assert up["nextStep"]["signUpStep"] == "CONFIRM_SIGN_UP"

    # 1. the first sign-in gets a new device, which aws-amplify confirms and keeps in its token store
    assert js.call("signIn", {"username": email, "password": PASSWORD})["isSignedIn"] is True
    assert js.targets() == ["InitiateAuth", "RespondToAuthChallenge", "ConfirmDevice"]
    confirm = js.last_wire[-1]
    assert confirm["status"] == 200 and confirm["response"] == {"UserConfirmationNecessary": True}
    device = _device_keys(js)
    assert device["deviceKey"] == confirm["request"]["DeviceKey"] and device["deviceKey"].startswith("us-east-1_")
    assert device["deviceGroupKey"] and device["randomPasswordKey"]
    assert js.call("updateMFAPreference", {"sms": "PREFERRED"}) is None
    assert js.call("fetchDevices") == []  # confirmed, not yet remembered

    # 2. not remembered: the next sign-in names the device but still asks for the SMS code
    js.call("signOut")
    _sms_sign_in(js, outbox, email, phone)
    assert "ConfirmDevice" not in js.targets()  # the same device: nothing new to confirm
    assert js.last_wire[0]["request"]["ChallengeResponses"]["DEVICE_KEY"] == device["deviceKey"]

    # 3. rememberDevice, and fetchDevices shows it
    assert js.call("rememberDevice") is None
    assert js.targets()[-1:] == ["UpdateDeviceStatus"]
    assert js.last_wire[-1]["request"]["DeviceRememberedStatus"] == "remembered"
    [listed] = js.call("fetchDevices")
    assert listed["id"] == device["deviceKey"] and listed["name"] == confirm["request"]["DeviceName"]
    assert listed["attributes"]["device_status"] == "valid"
    assert listed["createDate"] and listed["lastAuthenticatedDate"] and listed["lastModifiedDate"]

    # 4. a later sign-in on this device: DEVICE_SRP_AUTH, and no SMS
    js.call("signOut")
    assert _device_keys(js) == device  # signing out keeps the device
    mark = outbox.mark()
    assert js.call("signIn", {"username": email, "password": PASSWORD}) == {
        "isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert _challenges(js) == ["USER_SRP_AUTH", "PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]
    assert all(exchange["status"] == 200 for exchange in js.last_wire)
    assert outbox.messages()[mark:] == []
    session = js.call("fetchAuthSession", {"forceRefresh": True})
    assert session["tokens"]["accessToken"]["payload"]["device_key"] == device["deviceKey"]
    refreshes = [e["request"] for e in js.last_wire if (e["target"] or "").endswith("GetTokensFromRefreshToken")]
    assert [r["DeviceKey"] for r in refreshes] == [device["deviceKey"]]

    # 5. forgetDevice: gone from the pool and from the token store; the next sign-in asks for MFA again
    assert js.call("forgetDevice") is None
    assert js.targets()[-1:] == ["ForgetDevice"]
    assert _device_keys(js) == {}
    assert js.call("fetchDevices") == []
    js.call("signOut")
    _sms_sign_in(js, outbox, email, phone)
    assert js.targets()[-1] == "ConfirmDevice"  # a new device, confirmed again
    assert _device_keys(js)["deviceKey"] not in ("", device["deviceKey"])
