"""Local engine throughput and SRP sign-in latency, as the engine serves them.

Run: PYTHONPATH=. python benchmarks/engine.py [loops]

Prints:
- sign-up + confirm + SRP sign-in loops per second (boto3 + pycognito client in the same process, so the
  client's own SRP math and boto3 share the 2 cores and the GIL with the server);
- SRP sign-in latency split in two: "server + wire" is the two round trips (InitiateAuth and the
  PASSWORD_VERIFIER answer, through boto3 and HTTP), timed without the client's math; "client SRP math"
  is pycognito computing A and the proof, which a real client pays on its own machine;
- the engine's own time per SRP sign-in (both operations inside the server, HTTP excluded), as wall time and as
  the CPU time of the engine's thread (less inflated when other work shares the machine).

Measured on the 2-core dev box, `PYTHONPATH=. python benchmarks/engine.py 40`:
- before (scrypt beside the verifier; listening socket without proto=TCP, so no TCP_NODELAY and each
  response waited ~40 ms for a delayed ACK): 3.4 loops/s; SRP sign-in server + wire 107 ms median,
  client math 26 ms, inside the engine 17 ms.
- after: 13.1 loops/s; SRP sign-in server + wire 21 ms median (p95 23), client math 26 ms, inside the
  engine 17 ms (three 3072-bit modexps: g^b for B, then v^u and S for the proof).
- modexps through GMP (gmpy2) and a fixed-base table for g^b, measured interleaved with the code before it while
  other jobs kept the load average at 4-5 on the 2 cores: inside the engine 28.3 -> 6.9-7.3 ms CPU median
  (wall 31-35 -> 7-15 ms), server + wire 38-46 -> 14-35 ms. What is left inside the engine is about equal parts
  the two remaining modexps (v^u, S) and the RSA signatures of the two JWTs, then SQLite.
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
from amplify_py.local.operations import registry

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "tests" / "data" / "reference" / "cases" / "email_default.template.json"
PASSWORD = "Passw0rd!"


def _median_p95(values: list[float]) -> str:
    ordered = sorted(values)
    return f"median {statistics.median(ordered):.1f} ms, p95 {ordered[max(int(len(ordered) * 0.95) - 1, 0)]:.1f} ms"


def main(loops: int = 30) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = LocalEngine(Path(tmp)).start()
        try:
            result = engine.deploy("bench", json.loads(TEMPLATE.read_text()))
            pool = result.physical_ids["amplifyAuthUserPool4BA7F805"]
            client_id = result.physical_ids["amplifyAuthUserPoolAppClient2626C6F8"]
            idp = boto3.client("cognito-idp", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs())
            codes: dict[str, str] = {}
            engine.context.outbox._on_message = lambda m: codes.__setitem__(m["recipient"], m["code"])
            start = time.perf_counter()
            for i in range(loops):
                email = f"user{i}@example.com"
                idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": email}])
                idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=codes[email])
                AWSSRP(username=email, password=PASSWORD, pool_id=pool, client_id=client_id,
                       client=idp).authenticate_user()
            elapsed = time.perf_counter() - start
            print(f"sign-up + confirm + SRP sign-in: {loops / elapsed:.1f} loops/s ({elapsed / loops * 1000:.1f} ms/loop)")

            server_ms: list[float] = []
            server_cpu_ms: list[float] = []
            dispatch = registry.dispatch

            def timed(core, target, body):  # the engine's own time, inside the HTTP handler
                t0, c0 = time.perf_counter(), time.thread_time()
                try:
                    return dispatch(core, target, body)
                finally:
                    server_ms.append((time.perf_counter() - t0) * 1000)
                    server_cpu_ms.append((time.thread_time() - c0) * 1000)

            registry.dispatch = timed
            wire, client_math, engine_ms, engine_cpu_ms = [], [], [], []
            for i in range(loops):
                srp = AWSSRP(username=f"user{i}@example.com", password=PASSWORD, pool_id=pool, client_id=client_id,
                             client=idp)
                t0 = time.perf_counter()
                params = srp.get_auth_params()  # computes A = g^a
                t1 = time.perf_counter()
                challenge = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
                t2 = time.perf_counter()
                proof = srp.process_challenge(challenge["ChallengeParameters"], params)
                t3 = time.perf_counter()
                done = idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                                     ChallengeResponses=proof)
                t4 = time.perf_counter()
                assert "AuthenticationResult" in done
                client_math.append(((t1 - t0) + (t3 - t2)) * 1000)
                wire.append(((t2 - t1) + (t4 - t3)) * 1000)
                engine_ms.append(sum(server_ms[-2:]))
                engine_cpu_ms.append(sum(server_cpu_ms[-2:]))
            registry.dispatch = dispatch
            print(f"SRP sign-in, server + wire (2 round trips via boto3): {_median_p95(wire)}")
            print(f"SRP sign-in, client SRP math (pycognito, not the engine): {_median_p95(client_math)}")
            print(f"SRP sign-in, inside the engine (both operations): {_median_p95(engine_ms)}")
            print(f"SRP sign-in, inside the engine, CPU time of its thread: {_median_p95(engine_cpu_ms)}")
        finally:
            engine.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
