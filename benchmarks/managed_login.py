"""Managed login on the local engine: what a hosted sign-in costs, over HTTPS on localhost.

Run: PYTHONPATH=. python benchmarks/managed_login.py [loops]

Prints medians of:
- engine start with a pool that has a domain (the HTTPS port and a fresh leaf certificate included; the local
  CA already exists);
- a whole code-grant sign-in as a browser does it: GET /oauth2/authorize -> 302 /login -> GET /login ->
  POST /login (password) -> 302 to the app with a code -> POST /oauth2/token (PKCE), one keep-alive client;
- a second authorize within the managed-login session (cookie -> code, no page) plus the token request;
- client_credentials for a resource-server scope.

The template is the tests' (tests/_managed_login.py: the external_google reference case with a resource server).

Measured on the 2-vCPU dev box while other jobs kept the load average at 11-12, `... managed_login.py 30`:
engine start with a domain 448 ms; code-grant sign-in 18.1 ms; second authorize in the session + token
10.5 ms; client_credentials 4.5 ms (medians).
"""

from __future__ import annotations

import base64
import hashlib
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx

from amplify_py.local import LocalEngine
from tests._managed_login import CALLBACK, CLIENT, MACHINE_CLIENT, POOL, REPORTS_READ, oauth_template, trusting

PASSWORD = "Passw0rd!"


def _pkce() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(hashlib.sha256(str(time.perf_counter_ns()).encode()).digest()).decode()
    verifier = verifier.rstrip("=") + "x" * 10
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def main(loops: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="managed-login-bench-"))
    ca_dir = tmp / "ca"
    starts = []
    for i in range(3):
        began = time.perf_counter()
        engine = LocalEngine(tmp / f"state{i}", managed_login_port=0, ca_dir=ca_dir).start()
        ids = engine.deploy("bench", oauth_template()).physical_ids
        starts.append(time.perf_counter() - began)
        if i < 2:
            engine.stop()
    idp = boto3.client("cognito-idp", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs())
    pool, client = ids[POOL], ids[CLIENT]
    idp.admin_create_user(UserPoolId=pool, Username="b@example.com", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "b@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool, Username="b@example.com", Password=PASSWORD, Permanent=True)
    secret = idp.describe_user_pool_client(UserPoolId=pool, ClientId=ids[MACHINE_CLIENT])["UserPoolClient"]["ClientSecret"]
    base = f"https://{engine.managed_login_domain}"
    full, again, machine = [], [], []
    with httpx.Client(base_url=base, verify=trusting(engine.ca_certificate)) as http:
        for _ in range(loops):
            http.cookies.clear()
            verifier, challenge = _pkce()
            params = {"response_type": "code", "client_id": client, "redirect_uri": CALLBACK, "scope": "openid email",
                      "state": "s", "code_challenge": challenge, "code_challenge_method": "S256"}
            began = time.perf_counter()
            login = http.get(http.get("/oauth2/authorize", params=params).headers["location"])
            csrf = re.search(r'name="_csrf" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
            done = http.post(login.url, data={"_csrf": csrf, "username": "b@example.com", "password": PASSWORD})
            code = parse_qs(urlsplit(done.headers["location"]).query)["code"][0]
            http.post("/oauth2/token", data={"grant_type": "authorization_code", "code": code, "client_id": client,
                                             "redirect_uri": CALLBACK, "code_verifier": verifier}).raise_for_status()
            full.append(time.perf_counter() - began)

            verifier, challenge = _pkce()
            began = time.perf_counter()
            done = http.get("/oauth2/authorize", params={**params, "code_challenge": challenge})
            code = parse_qs(urlsplit(done.headers["location"]).query)["code"][0]
            http.post("/oauth2/token", data={"grant_type": "authorization_code", "code": code, "client_id": client,
                                             "redirect_uri": CALLBACK, "code_verifier": verifier}).raise_for_status()
            again.append(time.perf_counter() - began)

            began = time.perf_counter()
            http.post("/oauth2/token", auth=(ids[MACHINE_CLIENT], secret),
                      data={"grant_type": "client_credentials", "scope": REPORTS_READ}).raise_for_status()
            machine.append(time.perf_counter() - began)
    engine.stop()
    ms = lambda values: f"median {statistics.median(values) * 1000:.1f} ms (n={len(values)})"  # noqa: E731
    print(f"engine start with a domain (HTTPS port, new leaf certificate): {ms(starts)}")
    print(f"code grant sign-in, authorize -> login page -> password -> token: {ms(full)}")
    print(f"second authorize in the session (cookie) + token: {ms(again)}")
    print(f"client_credentials: {ms(machine)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
