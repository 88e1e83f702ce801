"""Fixtures for the e2e tier: aws-amplify JS (installed once per machine), a local engine per module.

A test module names the reference case it deploys in `REFERENCE_CASE`; it gets one
engine with that template, one amplify_outputs.json and one Node process driving
aws-amplify. Tests in a module share them, so each test signs up its own user.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pyotp
import pytest

from ._js import AmplifyJs, amplify_js, find_node, install_amplify_js, stage_driver
from ._outbox import Outbox
from tests._outputs import local_outputs

REGION = "us-east-1"
PASSWORD = "Corr3ct-Horse!"


@dataclass
class LocalBackend:
    engine: Any  # amplify_py.local.LocalEngine
    case: str
    outputs: dict[str, Any]
    outputs_path: Path
    outbox: Outbox

    @property
    def user_pool_id(self) -> str:
        return self.outputs["auth"]["user_pool_id"]

    @property
    def client_id(self) -> str:
        return self.outputs["auth"]["user_pool_client_id"]


@pytest.fixture(scope="session")
def node() -> str:
    """Node from PATH; a missing or old Node fails the tier loudly rather than skipping it."""
    return find_node()


@pytest.fixture(scope="session")
def amplify_js_driver(node: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    install = install_amplify_js()
    return stage_driver(install, tmp_path_factory.mktemp("amplify-js"))


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest, reference_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBackend]:
    from amplify_py.local import LocalEngine

    case: str = request.module.REFERENCE_CASE
    state_dir = tmp_path_factory.mktemp(f"engine-{case}")
    engine = LocalEngine(state_dir, host="127.0.0.1", port=0, region=REGION)
    engine.start()
    try:
        template = json.loads((reference_dir / "cases" / f"{case}.template.json").read_text())
        result = engine.deploy("test", template)
        outputs = local_outputs(reference_dir, case, result.physical_ids, REGION, engine.endpoint)
        outputs_path = state_dir / "amplify_outputs.json"
        outputs_path.write_text(json.dumps(outputs, indent=2))
        yield LocalBackend(engine, case, outputs, outputs_path, Outbox(state_dir / "outbox.jsonl"))
    finally:
        engine.stop()


@pytest.fixture(scope="module")
def js(node: str, amplify_js_driver: Path, backend: LocalBackend) -> Iterator[AmplifyJs]:
    with amplify_js(node, amplify_js_driver, backend.outputs_path) as driver:
        yield driver


@pytest.fixture
def signed_out(js: AmplifyJs) -> AmplifyJs:
    """The shared Amplify singleton with nobody signed in."""
    js.call("signOut")
    return js


@pytest.fixture(scope="module")
def cognito(backend: LocalBackend) -> Any:
    """boto3's cognito-idp client pointed at the engine, signing with the engine's local credentials (what its
    admin operations require; nothing reaches AWS)."""
    return boto3.client("cognito-idp", endpoint_url=backend.engine.endpoint, **backend.engine.credentials.boto3_kwargs())


def new_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


def sign_up_and_confirm(js: AmplifyJs, outbox: Outbox, email: str, password: str = PASSWORD) -> str:
    """Sign a user up through aws-amplify and confirm with the outbox code; returns the user's sub."""
    mark = outbox.mark()
    out = js.call("signUp", {"username": email, "password": password, "options": {"userAttributes": {"email": email}}})
    assert out["nextStep"]["signUpStep"] == "CONFIRM_SIGN_UP", out
    code = outbox.code_for(email, after=mark)
    done = js.call("confirmSignUp", {"username": email, "confirmationCode": code})
    assert done == {"isSignUpComplete": True, "nextStep": {"signUpStep": "DONE"}}, done
    return out["userId"]


def next_totp_window(totp: pyotp.TOTP, used: str) -> str:
    """A code from a later 30-second window than ``used``: Cognito accepts a TOTP code only once."""
    while (code := totp.now()) == used:
        time.sleep(0.5)
    return code
