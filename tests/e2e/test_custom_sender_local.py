"""End to end: a custom email sender written as AWS's documentation shows it (the AWS Encryption SDK with a KMS
master key provider) runs in the local Lambda runtime, decrypts the code the engine sent it through the
engine's KMS face, and "sends" it; the user confirms with that code.

The backend is synthesized the real way (``senders={"email": {"handler": define_function(...)}}``); the KMS
key the construct declares becomes a local key, and its ARN reaches the handler's ``KEY_ARN`` through the
template, as it would on AWS.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from amplify_py import define_auth, define_backend
from amplify_py.auth import confirm_reset_password, confirm_sign_up, reset_password, sign_in, sign_up
from amplify_py.auth._config import Amplify
from amplify_py.backend.function import define_function
from amplify_py.local import LocalEngine
from tests._client import fresh_client  # noqa: F401  (autouse fixture)
from tests._outputs import local_outputs
from tests.engine.conftest import in_process

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
SENDER = ROOT / "data" / "functions" / "custom_sender" / "custom_email_sender.py"
POOL = "amplifyAuthUserPool4BA7F805"
PASSWORD = "Sup3r-secret!"
_SENT = re.compile(r"^To: (?P<to>\S+) \| Subject: (?P<subject>[^|]+) \| .* (?P<code>\S+)$")
_ids = itertools.count(1)


class Local:
    def __init__(self, engine: LocalEngine, logs: list[tuple[str, str]]) -> None:
        self.engine, self.logs = engine, logs

    def sent(self, recipient: str, count: int = 1) -> list[dict[str, str]]:
        """What the sender function logged it sent to ``recipient`` (subject and code), once there are ``count``
        such messages: the function's log lines reach us from its process a moment after the call returns."""
        deadline = time.monotonic() + 10
        while True:
            found = [_SENT.match(line) for name, line in list(self.logs) if name == "custom_email_sender"]
            messages = [m.groupdict() for m in found if m and m["to"] == recipient]
            if len(messages) >= count or time.monotonic() > deadline:
                return messages
            time.sleep(0.02)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Local]:
    logs: list[tuple[str, str]] = []
    engine = LocalEngine(tmp_path_factory.mktemp("engine"), on_log=lambda name, line: logs.append((name, line)))
    engine.start()
    yield Local(engine, logs)
    engine.stop()


@pytest.fixture(scope="module")
def deployed(local: Local, tmp_path_factory: pytest.TempPathFactory) -> dict:
    sender = define_function(entry=SENDER)
    backend = define_backend(auth=define_auth(login_with={"email": True}, senders={"email": {"handler": sender}}))
    outdir = tmp_path_factory.mktemp("cdk.out")
    backend.configure(stack_name="SenderE2E", outdir=outdir)
    key = backend.stack.node.find_child("CustomSenderKey")  # the key the auth construct declares for senders
    sender.resolve_function(backend.stack).add_environment("KEY_ARN", key.key_arn)
    template = backend.synth()
    deployment = f"sender-e2e-{next(_ids)}"
    result = local.engine.deploy(deployment, template, assembly_dir=outdir)
    outputs = local_outputs(REFERENCE, "email_default", result.physical_ids, result.region, local.engine.endpoint)
    outputs["auth"].pop("identity_pool_id", None)
    del outputs["custom"]["local_engine"]["identity_pool_endpoint"]
    [key_id] = [physical for logical, physical in result.physical_ids.items() if logical.startswith("CustomSenderKey")]
    return {"outputs": outputs, "pool_id": result.physical_ids[POOL], "key_id": key_id, "deployment": deployment}


@pytest.fixture
def backend(deployed: dict) -> dict:
    """The deployed backend, with the client configured for it (each test starts with a fresh client)."""
    Amplify.configure(deployed["outputs"])
    return deployed


def test_the_documented_sender_decrypts_the_sign_up_code(local, backend) -> None:
    out = sign_up(username="olivia@example.com", password=PASSWORD,
                  options={"user_attributes": {"email": "olivia@example.com"}})
    assert out.next_step.sign_up_step == "CONFIRM_SIGN_UP"
    assert out.next_step.code_delivery_details.destination == "o***@e***"
    [sent] = local.sent("olivia@example.com")
    assert sent["subject"].strip() == "Welcome to Acme" and re.fullmatch(r"\d{6}", sent["code"])
    assert [m for m in local.engine.messages() if m["recipient"] == "olivia@example.com"] == []  # the function sent it
    confirm_sign_up(username="olivia@example.com", confirmation_code=sent["code"])
    assert sign_in(username="olivia@example.com", password=PASSWORD).is_signed_in


def test_the_sender_gets_the_forgot_password_code(local, backend) -> None:
    sign_up(username="peter@example.com", password=PASSWORD, options={"user_attributes": {"email": "peter@example.com"}})
    confirm_sign_up(username="peter@example.com", confirmation_code=local.sent("peter@example.com")[-1]["code"])
    reset_password(username="peter@example.com")
    sent = local.sent("peter@example.com", count=2)[-1]  # after the sign-up's
    assert sent["subject"].strip() == "Reset your password"
    confirm_reset_password(username="peter@example.com", new_password="N3w-secret!!", confirmation_code=sent["code"])
    assert sign_in(username="peter@example.com", password="N3w-secret!!").is_signed_in


@in_process
def test_the_function_environment_names_the_local_key(local, backend) -> None:
    function = local.engine.trigger_invoker(backend["deployment"]).function_for("custom_email_sender")
    env = function.environment()
    assert env["KEY_ARN"] == f"arn:aws:kms:us-east-1:000000000000:key/{backend['key_id']}"
    assert env["AWS_ENDPOINT_URL_KMS"] == local.engine.endpoint
    kms = boto3.client("kms", endpoint_url=local.engine.endpoint, **local.engine.credentials.boto3_kwargs())
    assert kms.describe_key(KeyId=env["KEY_ARN"])["KeyMetadata"]["KeyId"] == backend["key_id"]
