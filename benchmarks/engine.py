"""Local engine throughput: sign-up + confirm + sign-in loops per second, and SRP sign-in latency.

Run: PYTHONPATH=. python benchmarks/engine.py [loops]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3
from pycognito.aws_srp import AWSSRP

from amplify_py.local import LocalEngine

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "tests" / "data" / "reference" / "cases" / "email_default.template.json"


def main(loops: int = 30) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = LocalEngine(Path(tmp)).start()
        try:
            result = engine.deploy("bench", json.loads(TEMPLATE.read_text()))
            pool = result.physical_ids["amplifyAuthUserPool4BA7F805"]
            client_id = result.physical_ids["amplifyAuthUserPoolAppClient2626C6F8"]
            idp = boto3.client("cognito-idp", endpoint_url=engine.endpoint, region_name="us-east-1",
                               aws_access_key_id="local", aws_secret_access_key="local")
            codes: dict[str, str] = {}
            engine.core.outbox._on_message = lambda m: codes.__setitem__(m["recipient"], m["code"])
            start = time.perf_counter()
            for i in range(loops):
                email = f"user{i}@example.com"
                idp.sign_up(ClientId=client_id, Username=email, Password="Passw0rd!",
                            UserAttributes=[{"Name": "email", "Value": email}])
                idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=codes[email])
                AWSSRP(username=email, password="Passw0rd!", pool_id=pool, client_id=client_id,
                       client=idp).authenticate_user()
            elapsed = time.perf_counter() - start
            print(f"sign-up + confirm + SRP sign-in: {loops / elapsed:.1f} loops/s ({elapsed / loops * 1000:.1f} ms/loop)")
            latencies = []
            for i in range(loops):
                t0 = time.perf_counter()
                AWSSRP(username=f"user{i}@example.com", password="Passw0rd!", pool_id=pool, client_id=client_id,
                       client=idp).authenticate_user()
                latencies.append((time.perf_counter() - t0) * 1000)
            latencies.sort()
            print(f"SRP sign-in latency (client + 2 round trips): median {statistics.median(latencies):.1f} ms, "
                  f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms")
        finally:
            engine.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
