"""Passkey latency on the local engine: registration (StartWebAuthnRegistration + CompleteWebAuthnRegistration)
and a WEB_AUTHN sign-in (InitiateAuth USER_AUTH + RespondToAuthChallenge), boto3 over HTTP, the software
authenticator in the same process.

Run: PYTHONPATH=. python benchmarks/passkeys.py [loops]

Prints the median and p95 of each, split into "server + wire" (the two round trips) and the authenticator's
own time (key generation or signing, which a real device pays on its side).

Measured on 2026-12-01 on the 2-vCPU dev box (Python 3.11.7), `PYTHONPATH=. python benchmarks/passkeys.py 40`,
with other jobs keeping the load average near 7: registration 34 ms median server + wire (p95 51), WEB_AUTHN
sign-in 41 ms median server + wire (p95 62; two round trips, the second issuing the tokens).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3

from amplify_py.auth import SoftwareAuthenticator
from amplify_py.local import LocalEngine

TEMPLATE = Path(__file__).resolve().parents[1] / "tests" / "data" / "reference" / "extra" / "webauthn_explicit.template.json"
POOL, CLIENT = "amplifyAuthUserPool4BA7F805", "amplifyAuthUserPoolAppClient2626C6F8"
PASSWORD = "Passw0rd!x"


def _stats(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"{name}: median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main(loops: int) -> None:
    tpl = json.loads(TEMPLATE.read_text())
    tpl["Resources"][POOL]["Properties"]["WebAuthnRelyingPartyID"] = "localhost"
    engine = LocalEngine(Path(tempfile.mkdtemp()), port=0).start()
    try:
        ids = engine.deploy("bench", tpl).physical_ids
        idp = boto3.client("cognito-idp", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs())
        pool, client = ids[POOL], ids[CLIENT]
        register_wire, register_device, sign_in_wire, sign_in_device = [], [], [], []
        for i in range(loops):
            email = f"bench{i}@example.com"
            idp.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": email}])
            idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
            token = idp.initiate_auth(ClientId=client, AuthFlow="USER_AUTH", AuthParameters={
                "USERNAME": email, "PASSWORD": PASSWORD, "PREFERRED_CHALLENGE": "PASSWORD"})[
                "AuthenticationResult"]["AccessToken"]
            authenticator = SoftwareAuthenticator("http://localhost:3000")
            t0 = time.perf_counter()
            options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
            t1 = time.perf_counter()
            credential = dict(authenticator.make_credential(options))
            t2 = time.perf_counter()
            idp.complete_web_authn_registration(AccessToken=token, Credential=credential)
            t3 = time.perf_counter()
            register_wire.append((t1 - t0) + (t3 - t2))
            register_device.append(t2 - t1)

            t0 = time.perf_counter()
            challenge = idp.initiate_auth(ClientId=client, AuthFlow="USER_AUTH",
                                          AuthParameters={"USERNAME": email, "PREFERRED_CHALLENGE": "WEB_AUTHN"})
            t1 = time.perf_counter()
            options = json.loads(challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
            assertion = json.dumps(dict(authenticator.get_assertion(options).get_response(0)))
            t2 = time.perf_counter()
            done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="WEB_AUTHN", Session=challenge["Session"],
                                                 ChallengeResponses={"USERNAME": email, "CREDENTIAL": assertion})
            t3 = time.perf_counter()
            assert done["AuthenticationResult"]["AccessToken"]
            sign_in_wire.append((t1 - t0) + (t3 - t2))
            sign_in_device.append(t2 - t1)
        print(_stats("registration, server + wire", register_wire))
        print(_stats("registration, software authenticator", register_device))
        print(_stats("WEB_AUTHN sign-in, server + wire", sign_in_wire))
        print(_stats("WEB_AUTHN sign-in, software authenticator", sign_in_device))
    finally:
        engine.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
