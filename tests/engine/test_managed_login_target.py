"""The local deploy target with a user pool domain: managed login on the port after the engine's, over HTTPS,
and amplify_outputs.json naming it as ``auth.oauth.domain`` (watch mode and the background engine)."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from amplify_py.cli.factory import Factory
from amplify_py.deploy import background_engine
from amplify_py.deploy.local import LocalDeployer
from amplify_py.outputs import build_outputs
from tests._managed_login import CASES, oauth_template, trusting


@dataclass
class Stack:
    stack_name: str
    template: dict[str, Any]


def _two_free_ports() -> int:
    """A port whose next port is free too (the engine's and managed login's)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise RuntimeError("no two consecutive free ports")


def _ca_file() -> Path:
    return Path(os.environ["AMPLIFY_PY_CA_DIR"]) / "amplify-py-local-ca.pem"


@pytest.mark.parametrize("detached", [False, True], ids=["watch", "background"])
def test_a_pool_with_a_domain_gets_managed_login_on_the_next_port(tmp_path: Path, detached: bool) -> None:
    port = _two_free_ports()
    deployer = LocalDeployer(tmp_path / "state", "amplify-app-me-sandbox-1234567890", engine_factory=Factory().engine,
                             port=port, detached=detached)
    try:
        deployment = deployer.deploy(Stack("amplify-app-me-sandbox-1234567890", oauth_template()))
        outputs = build_outputs(deployment.stack_outputs, custom=deployment.custom).model_dump(exclude_none=True)
        assert outputs["auth"]["oauth"]["domain"] == f"localhost:{port + 1}"
        assert outputs["custom"]["local_engine"] == {
            "user_pool_endpoint": f"http://127.0.0.1:{port}", "identity_pool_endpoint": f"http://127.0.0.1:{port}",
            "ca_certificate": str(_ca_file())}
        health = httpx.get(f"https://localhost:{port + 1}/", verify=trusting(_ca_file()))
        assert health.status_code == 200 and health.json()["status"] == "ok"
        client_id = outputs["auth"]["user_pool_client_id"]
        login = httpx.get(f"https://localhost:{port + 1}/oauth2/authorize", verify=trusting(_ca_file()), params={
            "response_type": "code", "client_id": client_id, "redirect_uri": "http://localhost:3000/"})
        assert login.status_code == 302 and login.headers["location"].startswith("/login?")
    finally:
        deployer.close()
        background_engine.stop_detached_server(tmp_path / "state")


def test_a_pool_without_a_domain_keeps_its_outputs_and_serves_no_https(tmp_path: Path) -> None:
    port = _two_free_ports()
    deployer = LocalDeployer(tmp_path / "state", "amplify-app-me-sandbox-1234567890", engine_factory=Factory().engine,
                             port=port)
    try:
        template = json.loads((CASES / "email_default.template.json").read_text())
        deployment = deployer.deploy(Stack("amplify-app-me-sandbox-1234567890", template))
        assert not deployment.stack_outputs.get("oauthCognitoDomain")  # no domain: nothing to point at
        assert "ca_certificate" not in (deployment.custom or {})["local_engine"]
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"https://localhost:{port + 1}/", verify=trusting(_ca_file()))
    finally:
        deployer.close()
