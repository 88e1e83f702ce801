"""Federated sign-in through the local stand-in providers: what one costs, over HTTPS on localhost.

Run: PYTHONPATH=. python benchmarks/federation.py [loops]

Prints medians of a whole code-grant sign-in as a browser does it, for Google (OIDC: discovery, token, the ID
token checked against the stand-in's JWKS, userinfo) and Facebook (OAuth 2 and Graph /me): GET
/oauth2/authorize?identity_provider=... -> 302 to the stand-in -> GET its page -> POST the identity -> 302 to
/oauth2/idpresponse (the bridge calls the stand-in over HTTPS) -> 302 to the app with a code -> POST
/oauth2/token (PKCE). The first sign-in of each identity makes the federated user; the rest update it.

The template is the tests' (tests/_federation.py: oidc_saml plus Google, Facebook, Amazon and Apple).

Measured on the 2-vCPU dev box (2026-12-02, load average 5-6 from other jobs), `... federation.py 20`: Google
first sign-in 40.3 ms, again 41.2 ms; Facebook 39.6 / 42.7 ms (medians). Before the bridge kept the discovery
document and JWKS for five minutes: Google 58.7 / 57.3 ms.
"""

from __future__ import annotations

import base64
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx

from amplify_py.local import LocalEngine
from tests._federation import apple_key_pem, federated_template
from tests._managed_login import CALLBACK, CLIENT, POOL, forms, trusting


def _pkce() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(hashlib.sha256(str(time.perf_counter_ns()).encode()).digest()).decode()
    verifier = verifier.rstrip("=") + "x" * 10
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def _sign_in(http: httpx.Client, base: str, client_id: str, provider: str, email: str) -> None:
    verifier, challenge = _pkce()
    query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
                       "identity_provider": provider, "scope": "openid email profile", "state": "s",
                       "code_challenge": challenge, "code_challenge_method": "S256"})
    page = http.get(f"{base}/oauth2/authorize?{query}", follow_redirects=True)
    form = next(f for f in forms(page.text) if f["fields"].get("client_id"))
    answer = http.post(urljoin(str(page.url), form["action"]), data={**form["fields"], "email": email,
                                                                    "action": "allow"})
    while answer.status_code == 302 and not answer.headers["location"].startswith(CALLBACK):
        answer = http.get(urljoin(str(answer.url), answer.headers["location"]))
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    token = http.post(f"{base}/oauth2/token", data={"grant_type": "authorization_code", "client_id": client_id,
                                                     "code": code, "redirect_uri": CALLBACK,
                                                     "code_verifier": verifier})
    assert "id_token" in token.json(), token.text


def main(loops: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="federation-bench-"))
    engine = LocalEngine(tmp / "state", managed_login_port=0, ca_dir=tmp / "ca").start()
    try:
        ids = engine.deploy("bench", federated_template(apple_key=apple_key_pem())).physical_ids
        client_id, base = ids[CLIENT], f"https://{engine.managed_login_domain}"
        assert ids[POOL]
        with httpx.Client(verify=trusting(tmp / "ca" / "amplify-py-local-ca.pem"), timeout=30) as http:
            for provider in ("Google", "Facebook"):
                first, again = [], []
                for i in range(loops):
                    began = time.perf_counter()
                    _sign_in(http, base, client_id, provider, f"user{i}@example.com")
                    first.append((time.perf_counter() - began) * 1000)
                    began = time.perf_counter()
                    _sign_in(http, base, client_id, provider, f"user{i}@example.com")
                    again.append((time.perf_counter() - began) * 1000)
                print(f"{provider:9s} first sign-in median {statistics.median(first):6.1f} ms   "
                      f"again median {statistics.median(again):6.1f} ms   ({loops} each)")
    finally:
        engine.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
