"""Fixtures for the managed-login browser tests: Debian's headless Chromium (through chromedriver), the app
page with the real aws-amplify bundled for the browser, and a local engine whose pool has a domain.

Chromium trusts the engine's HTTPS certificate through ``--ignore-certificate-errors-spki-list`` with that
certificate's key: exactly one key is accepted, any other certificate error still fails (no blanket
``--ignore-certificate-errors``, and no system trust store to touch).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography import x509

from amplify_py.local import LocalEngine
from amplify_py.local.certificates import spki_sha256
from amplify_py.outputs import build_outputs, resolve_stack_outputs
from amplify_py.outputs.convert import local_engine_custom, local_oauth_domain
from tests._managed_login import CLIENT, POOL, oauth_template

from ._browser import CHROMEDRIVER, CHROMIUM
from ._page import AppServer
from ._page import app_script as build_app_script

REGION = "us-east-1"


@dataclass
class Hosted:
    engine: LocalEngine
    app: AppServer
    outputs: dict[str, Any]
    pool_id: str
    client_id: str
    idp: Any
    program_url: str  # a loopback callback and sign-out URL registered for a Python program (sign_in_with_redirect)

    @property
    def managed_login(self) -> str:
        return f"https://{self.engine.managed_login_domain}"

    def code(self, recipient: str) -> str:
        return [m for m in self.engine.messages() if m["recipient"] == recipient][-1]["code"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_script() -> Path:
    return build_app_script()


@pytest.fixture(scope="session")
def hosted(app_script: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosted]:
    port, program_port = _free_port(), _free_port()
    app_url, program_url = f"http://localhost:{port}/", f"http://localhost:{program_port}/"
    engine = LocalEngine(tmp_path_factory.mktemp("browser-engine"), managed_login_port=0, region=REGION).start()
    try:
        template = oauth_template(callbacks=[app_url, program_url], logouts=[app_url + "signed-out", program_url])
        result = engine.deploy("browser", template)
        stack_outputs = local_oauth_domain(resolve_stack_outputs(template, result.physical_ids, REGION),
                                           engine.managed_login_domain)
        outputs = build_outputs(stack_outputs, custom=local_engine_custom(
            engine.endpoint, ca_certificate=str(engine.ca_certificate))).to_dict()
        idp = boto3.client("cognito-idp", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs())
        with AppServer(app_script, outputs, port) as app:
            yield Hosted(engine, app, outputs, result.physical_ids[POOL], result.physical_ids[CLIENT], idp, program_url)
    finally:
        engine.stop()


@pytest.fixture(scope="session")
def browser(hosted: Hosted, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not CHROMIUM.is_file() or not CHROMEDRIVER.is_file():
        pytest.fail(f"the browser tier needs Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER}); "
                    "install them with `apt-get install -y chromium chromium-driver` (.ci/run does)")
    assert hosted.engine.managed_login.certificate is not None
    leaf = x509.load_pem_x509_certificate(hosted.engine.managed_login.certificate.read_bytes())
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                 f"--ignore-certificate-errors-spki-list={spki_sha256(leaf)}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
