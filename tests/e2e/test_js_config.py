"""How aws-amplify JS is pointed at the local engine: amplify_outputs.json plus the endpoint overrides.

These run without an engine: they check the outputs the e2e tier writes and that
the library sends its requests to the configured endpoints, not to AWS.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import jsonschema
import pytest

from ._js import AmplifyJsError, amplify_js
from tests._outputs import local_outputs

CASES = ("email_default", "mfa_optional_totp_sms", "passwordless_email_otp")
PHYSICAL_IDS = {
    "amplifyAuthUserPool4BA7F805": "us-east-1_Ab12Cd34E",
    "amplifyAuthUserPoolAppClient2626C6F8": "1h2j3k4l5m6n7o8p9q0r1s2t3u",
    "amplifyAuthIdentityPool3FDE84CC": "us-east-1:0b6a2f1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
}


def _closed_port_endpoint() -> str:
    """An endpoint on 127.0.0.1 that nothing listens on (the port is freed before use)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("case", CASES)
def test_outputs_for_the_engine_are_valid_schema_1_5(reference_dir: Path, case: str) -> None:
    outputs = local_outputs(reference_dir, case, PHYSICAL_IDS, "us-east-1", "http://127.0.0.1:4999")
    jsonschema.validate(outputs, json.loads((reference_dir / "amplify_outputs.schema_v1.5.json").read_text()))
    assert "${" not in json.dumps(outputs)
    assert outputs["auth"]["user_pool_id"] == PHYSICAL_IDS["amplifyAuthUserPool4BA7F805"]
    assert outputs["auth"]["aws_region"] == "us-east-1"
    assert outputs["custom"] == {
        "local_engine": {"user_pool_endpoint": "http://127.0.0.1:4999", "identity_pool_endpoint": "http://127.0.0.1:4999"}
    }


def test_outputs_name_a_missing_physical_id(reference_dir: Path) -> None:
    with pytest.raises(KeyError, match="no physical ID for amplifyAuthIdentityPool3FDE84CC"):
        local_outputs(reference_dir, "email_default", {"amplifyAuthUserPool4BA7F805": "x", "amplifyAuthUserPoolAppClient2626C6F8": "y"}, "us-east-1", "http://e")


def test_aws_amplify_sends_requests_to_the_engine_endpoints(
    node: str, amplify_js_driver: Path, reference_dir: Path, tmp_path: Path
) -> None:
    endpoint = _closed_port_endpoint()
    outputs_path = tmp_path / "amplify_outputs.json"
    outputs_path.write_text(json.dumps(local_outputs(reference_dir, "email_default", PHYSICAL_IDS, "us-east-1", endpoint)))
    with amplify_js(node, amplify_js_driver, outputs_path) as js:
        cognito = js._request("config")["result"]["Auth"]["Cognito"]
        assert (cognito["userPoolEndpoint"], cognito["identityPoolEndpoint"]) == (endpoint, endpoint)
        assert cognito["userPoolId"] == PHYSICAL_IDS["amplifyAuthUserPool4BA7F805"]
        assert cognito["loginWith"] == {"email": True, "phone": False, "username": False}

        with pytest.raises(AmplifyJsError, match=r"^signUp: NetworkError: A network error has occurred\."):
            js.call("signUp", {"username": "a@example.com", "password": "Passw0rd!", "options": {"userAttributes": {"email": "a@example.com"}}})
        assert {exchange["url"] for exchange in js.last_wire} == {f"{endpoint}/"}
        assert set(js.targets()) == {"SignUp"}
        assert js.last_wire[0]["request"]["ClientId"] == PHYSICAL_IDS["amplifyAuthUserPoolAppClient2626C6F8"]

        with pytest.raises(AmplifyJsError, match=r"^fetchAuthSession: NetworkError"):
            js.call("fetchAuthSession")
        assert {exchange["url"] for exchange in js.last_wire} == {f"{endpoint}/"}
        assert set(js.targets()) == {"GetId"}
        assert js.last_wire[0]["target"] == "AWSCognitoIdentityService.GetId"


def test_driver_reports_an_unknown_api(node: str, amplify_js_driver: Path, reference_dir: Path, tmp_path: Path) -> None:
    outputs_path = tmp_path / "amplify_outputs.json"
    outputs_path.write_text(json.dumps(local_outputs(reference_dir, "email_default", PHYSICAL_IDS, "us-east-1", "http://127.0.0.1:9")))
    with amplify_js(node, amplify_js_driver, outputs_path) as js:
        with pytest.raises(AmplifyJsError, match=re.escape("notAnApi: Error: aws-amplify/auth has no function notAnApi")):
            js.call("notAnApi")


def test_npm_install_is_reused_once_present(amplify_js_driver: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from . import _js

    def no_npm() -> str:
        raise AssertionError("npm was run although aws-amplify is installed")

    monkeypatch.setattr(_js, "find_npm", no_npm)
    install = _js.install_amplify_js()
    assert (amplify_js_driver.parent / "node_modules").resolve() == (install / "node_modules").resolve()
    installed = json.loads((install / "node_modules" / "aws-amplify" / "package.json").read_text())
    assert installed["version"] == _js.AMPLIFY_JS_VERSION
    assert not install.is_relative_to(Path(__file__).resolve().parents[2]), "aws-amplify must not be installed into the repo"
