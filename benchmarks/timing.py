"""Does a wrong password take as long for an unknown user as for an existing one? (PreventUserExistenceErrors)

Run: PYTHONPATH=. python benchmarks/timing.py [attempts]

With existence errors prevented, Cognito answers a wrong password the same way for a user who does not exist
("Incorrect username or password."); the time it takes must not tell them apart either. For each sign-in
path this prints the median time of a wrong password for existing and for unknown users, requests
interleaved: over the wire (httpx, one round trip), inside the engine (the operation alone, HTTP excluded)
and the engine's CPU time for it (the work done: on a busy machine the elapsed times also hold the waits
for a CPU, which an operation that writes to SQLite sees more of), with the gap as a share of the existing
user's time:

- USER_PASSWORD_AUTH (InitiateAuth with the password);
- USER_SRP_AUTH, the PASSWORD_VERIFIER answer (the proof is computed by pycognito beforehand, not timed);
- ForgotPassword and ResendConfirmationCode, which answer an unknown name with a simulated CodeDeliveryDetails
  (a code is drawn and its message rendered, the name's attempt counted; nothing stored or sent).

Existing users are many, each tried at most four times, so that none is locked out (a locked-out user is
answered without any password check, which is Cognito's rule and not what is measured here); unknown names
are asked the same way, each at most four times, since an unknown name's failures count toward a lockout
too (``rules.phantoms``) and its record is written as a user's is.

Measured on the 2-core dev box (AMD EPYC, 23 GiB, Python 3.11.7, gmpy2), `PYTHONPATH=. python
benchmarks/timing.py 200`, load average about 3.5 (other test runs; under heavier load the elapsed times also
hold waits for a CPU, and the CPU times are the steadier measure). Medians, existing vs unknown user:
- before (the unknown path skipped the verifier computation and the failure bookkeeping):
  USER_PASSWORD_AUTH wire 3.06 vs 1.92 ms (gap 37 %), engine CPU 1.19 vs 0.24 ms (80 %);
  PASSWORD_VERIFIER wire 6.67 vs 2.92 ms (56 %), engine CPU 3.87 vs 0.39 ms (90 %).
- after: USER_PASSWORD_AUTH wire 3.27 vs 3.16 ms (3.2 %), engine CPU 1.24 vs 1.15 ms (7.3 %);
  PASSWORD_VERIFIER wire 6.73 vs 6.67 ms (0.9 %), engine CPU 3.86 vs 3.78 ms (1.9 %).
- 2026-12-02, with unknown names' failures and code requests kept (lockout and hourly limit) and the simulated
  deliveries doing a real one's work, `benchmarks/timing.py 400`, load average about 6:
  USER_PASSWORD_AUTH engine CPU 1.32 vs 1.37 ms (4.2 %); PASSWORD_VERIFIER 3.88 vs 3.95 ms (1.9 %);
  ForgotPassword 1.08 vs 1.05 ms (2.9 %), wire 6.31 vs 6.64 ms; ResendConfirmationCode 0.83 vs 0.85 ms
  (2.4 %), wire 2.80 vs 2.98 ms. Before the simulated deliveries did that work (only the answer was
  simulated): ForgotPassword CPU 1.06 vs 0.71 ms (33 %), ResendConfirmationCode 1.07 vs 0.71 ms (33 %).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3
import httpx
from pycognito.aws_srp import AWSSRP

from amplify_py.local import LocalEngine
from amplify_py.local.operations import registry

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "tests" / "data" / "reference" / "cases" / "email_default.template.json"
POOL, CLIENT = "amplifyAuthUserPool4BA7F805", "amplifyAuthUserPoolAppClient2626C6F8"
PASSWORD, WRONG = "Passw0rd!", "Wr0ng-password!"
_TARGET = "AWSCognitoIdentityProviderService."


def _template() -> dict:
    body = json.loads(TEMPLATE.read_text())
    client = body["Resources"][CLIENT]["Properties"]
    client["ExplicitAuthFlows"] = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    return body


class _EngineTime:
    """The engine's own time per operation (registry.dispatch, inside the HTTP handler): elapsed, and the CPU
    time of the thread that ran it (the work done, whatever else the machine is busy with)."""

    def __init__(self) -> None:
        self.last_ms = 0.0
        self.last_cpu_ms = 0.0
        self._dispatch = registry.dispatch

    def __enter__(self) -> "_EngineTime":
        def timed(ctx, target, body):
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return self._dispatch(ctx, target, body)
            finally:
                self.last_ms = (time.perf_counter() - started) * 1000
                self.last_cpu_ms = (time.thread_time() - cpu) * 1000

        registry.dispatch = timed
        return self

    def __exit__(self, *exc: object) -> None:
        registry.dispatch = self._dispatch


def _post(http: httpx.Client, endpoint: str, operation: str, body: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    response = http.post(endpoint, content=json.dumps(body),
                         headers={"X-Amz-Target": _TARGET + operation, "Content-Type": "application/x-amz-json-1.1"})
    return (time.perf_counter() - started) * 1000, response.json()


def _report(name: str, samples: dict[str, list[float]]) -> None:
    for where in ("wire", "engine", "engine-cpu"):
        known, unknown = statistics.median(samples[f"known-{where}"]), statistics.median(samples[f"unknown-{where}"])
        gap = abs(known - unknown) / known * 100
        print(f"{name}, {where}: existing user {known:.2f} ms, unknown user {unknown:.2f} ms (gap {gap:.1f} %)")


def main(attempts: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = LocalEngine(Path(tmp)).start()
        try:
            result = engine.deploy("timing", _template())
            pool, client_id = result.physical_ids[POOL], result.physical_ids[CLIENT]
            credentials = engine.credentials.boto3_kwargs()
            idp = boto3.client("cognito-idp", endpoint_url=engine.endpoint, **credentials)
            # two sets of users (one per path), each tried at most four times: nobody is locked out
            per_path = attempts // 4 + 1
            users = [f"user{i}@example.com" for i in range(2 * per_path)]
            for user in users:
                idp.admin_create_user(UserPoolId=pool, Username=user, MessageAction="SUPPRESS",
                                      UserAttributes=[{"Name": "email", "Value": user}])
                idp.admin_set_user_password(UserPoolId=pool, Username=user, Password=PASSWORD, Permanent=True)
            with httpx.Client() as http, _EngineTime() as clock:
                samples: dict[str, list[float]] = {f"{kind}-{where}": [] for kind in ("known", "unknown")
                                                   for where in ("wire", "engine", "engine-cpu")}
                for i in range(2 * attempts):  # interleaved, so drift affects both alike
                    kind = "known" if i % 2 == 0 else "unknown"
                    user = users[(i // 2) % per_path] if kind == "known" else f"nobody{(i // 2) % per_path}@example.com"
                    ms, answer = _post(http, engine.endpoint, "InitiateAuth", {
                        "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                        "AuthParameters": {"USERNAME": user, "PASSWORD": WRONG}})
                    assert answer == {"__type": "NotAuthorizedException", "message": "Incorrect username or password."}
                    samples[f"{kind}-wire"].append(ms)
                    samples[f"{kind}-engine"].append(clock.last_ms)
                    samples[f"{kind}-engine-cpu"].append(clock.last_cpu_ms)
                _report("USER_PASSWORD_AUTH, wrong password", samples)

                samples = {k: [] for k in samples}
                for i in range(2 * attempts):
                    kind = "known" if i % 2 == 0 else "unknown"
                    user = (users[per_path + (i // 2) % per_path] if kind == "known"
                            else f"nobody-srp{(i // 2) % per_path}@example.com")
                    srp = AWSSRP(username=user, password=WRONG, pool_id=pool, client_id=client_id, client=idp)
                    params = srp.get_auth_params()
                    _, challenge = _post(http, engine.endpoint, "InitiateAuth", {
                        "ClientId": client_id, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": params})
                    proof = srp.process_challenge(challenge["ChallengeParameters"], params)
                    ms, answer = _post(http, engine.endpoint, "RespondToAuthChallenge", {
                        "ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": proof})
                    assert answer["__type"] == "NotAuthorizedException", answer
                    samples[f"{kind}-wire"].append(ms)
                    samples[f"{kind}-engine"].append(clock.last_ms)
                    samples[f"{kind}-engine-cpu"].append(clock.last_cpu_ms)
                _report("USER_SRP_AUTH PASSWORD_VERIFIER, wrong password", samples)

                _code_requests(http, engine.endpoint, clock, idp, pool, client_id, attempts)
        finally:
            engine.stop()


def _code_requests(http: httpx.Client, endpoint: str, clock: _EngineTime, idp: object, pool: str, client_id: str,
                   attempts: int) -> None:
    """ForgotPassword (confirmed users) and ResendConfirmationCode (users who signed up), existing users and
    unknown names interleaved; each name asked at most four times, far from the hourly limit of 20."""
    per_name = 4
    names = attempts // per_name + 1
    for operation, prefix in (("ForgotPassword", "reset"), ("ResendConfirmationCode", "pending")):
        known = [f"{prefix}{i}@example.com" for i in range(names)]
        for user in known:
            if operation == "ForgotPassword":
                idp.admin_create_user(UserPoolId=pool, Username=user, MessageAction="SUPPRESS",  # type: ignore[attr-defined]
                                      UserAttributes=[{"Name": "email", "Value": user},
                                                      {"Name": "email_verified", "Value": "true"}])
                idp.admin_set_user_password(UserPoolId=pool, Username=user, Password=PASSWORD,  # type: ignore[attr-defined]
                                            Permanent=True)
            else:
                idp.sign_up(ClientId=client_id, Username=user, Password=PASSWORD,  # type: ignore[attr-defined]
                            UserAttributes=[{"Name": "email", "Value": user}])
        samples: dict[str, list[float]] = {f"{kind}-{where}": [] for kind in ("known", "unknown")
                                           for where in ("wire", "engine", "engine-cpu")}
        for i in range(2 * attempts):
            kind = "known" if i % 2 == 0 else "unknown"
            index = (i // 2) % names
            user = known[index] if kind == "known" else f"nobody-{prefix}{index}@example.com"
            ms, answer = _post(http, endpoint, operation, {"ClientId": client_id, "Username": user})
            assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL", answer
            samples[f"{kind}-wire"].append(ms)
            samples[f"{kind}-engine"].append(clock.last_ms)
            samples[f"{kind}-engine-cpu"].append(clock.last_cpu_ms)
        _report(operation, samples)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
