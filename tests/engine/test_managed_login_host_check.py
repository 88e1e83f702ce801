"""Managed login's HTTPS app answers only its own address (DNS rebinding): a loopback name with its own port.

A page on another name that resolves to 127.0.0.1 would otherwise read the sign-in pages and post forms as if it
were the pool's domain. Every route is behind the check, the ones other modules add included, so the test also
asks for paths no route serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from amplify_py.local import LocalEngine
from amplify_py.local.http.host_check import host_port
from tests._managed_login import CALLBACK, CLIENT, POOL, oauth_template, trusting


class Site:
    def __init__(self, tmp: Path) -> None:
        self.engine = LocalEngine(tmp / "state", managed_login_port=0, ca_dir=tmp / "ca").start()
        ids = self.engine.deploy("host-check", oauth_template()).physical_ids
        self.client_id, self.pool_id = ids[CLIENT], ids[POOL]
        self.port = int((self.engine.managed_login_domain or "").rsplit(":", 1)[1])
        self.tls = trusting(tmp / "ca" / "amplify-py-local-ca.pem")

    def get(self, path: str, host: str | None) -> httpx.Response:
        headers = {} if host is None else {"Host": host.format(port=self.port)}
        return httpx.get(f"https://localhost:{self.port}{path}", headers=headers, verify=self.tls)

    def post(self, path: str, host: str, data: dict[str, str]) -> httpx.Response:
        return httpx.post(f"https://localhost:{self.port}{path}", data=data, verify=self.tls,
                          headers={"Host": host.format(port=self.port)})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    site = Site(tmp_path_factory.mktemp("managed-login-host"))
    yield site
    site.engine.stop()


def _authorize(site: Site) -> str:
    return (f"/oauth2/authorize?response_type=code&client_id={site.client_id}&redirect_uri={CALLBACK}"
            "&scope=openid+email&state=st")


_PATHS = ["/", "/login", "/oauth2/userInfo", "/logout", "/error", "/_local_idp/google/authorize", "/no-such-page"]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "attacker.localhost:{port}",
                                  "localhost.evil.example:{port}", "127.0.0.1.evil.example:{port}", "",
                                  "localhost", "localhost:1{port}", "127.0.0.1:9", "localhost:{port}x"])
def test_requests_for_another_address_are_refused_on_every_route(site: Site, host: str) -> None:
    expected_host = host.format(port=site.port)
    responses = [site.get(path, host) for path in [_authorize(site), *_PATHS]]
    responses.append(site.post("/oauth2/token", host, {"grant_type": "authorization_code", "code": "x"}))
    responses.append(site.post("/login", host, {"username": "a@example.com", "password": "x"}))
    for response in responses:
        assert response.status_code == 403
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.text == (
            f"403 Forbidden: Host '{expected_host}' is not this managed login's address. The local engine's managed "
            f"login answers only requests addressed to localhost:{site.port} or 127.0.0.1:{site.port} (protection "
            "against DNS rebinding). Use the domain in amplify_outputs.json (auth.oauth.domain).\n")
        assert "set-cookie" not in response.headers  # nothing ran: no session, no CSRF cookie


@pytest.mark.parametrize("host", [None, "localhost:{port}", "127.0.0.1:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_the_managed_login_address_is_answered(site: Site, host: str | None) -> None:
    page = site.get(_authorize(site), host)
    assert page.status_code == 302 and "/login?" in page.headers["location"]
    assert site.get("/", host).status_code == 200


def test_the_api_port_still_answers_a_forwarded_port(site: Site) -> None:
    # the API port's own check is by name only; managed login's stricter one does not change it
    response = httpx.get(f"{site.engine.endpoint}/{site.pool_id}/.well-known/jwks.json",
                         headers={"Host": "localhost:9400"})
    assert response.status_code == 200 and response.json()["keys"]


@pytest.mark.parametrize(("host", "port"), [("localhost:9326", 9326), ("localhost", 443), ("[::1]:9326", 9326),
                                            ("[::1]", 443), ("localhost:", None), ("localhost:99999999", None),
                                            ("localhost:+1", None), ("localhost:²", None)])  # digits, but not ASCII
def test_the_port_of_a_host_header(host: str, port: int | None) -> None:
    assert host_port(host, 443) == port
