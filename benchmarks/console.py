"""What the local console costs: the activity ring on the hot path, and how long its pages take.

Run from the repo root: python benchmarks/console.py

1. ``registry.dispatch`` of a cheap operation (DescribeUserPool) in process, no HTTP, with the request ring
   recording as it does and with recording replaced by a no-op; the runs are interleaved, and the medians of
   the rounds are printed in microseconds per call (the difference is what the ring costs a request).
2. The console's pages over HTTP (a pool of 50 users): milliseconds per page, median of the rounds.

Measured on the 2-vCPU dev box (AMD EPYC, Python 3.11.7) with other jobs keeping the load average at 10-12:
dispatch 589 vs 591 us/call with and without recording (the difference is noise; run order alone moved it by
70 us until the rounds alternated), the recording alone 3.8 us (two perf_counter calls, the clock, one deque
append); pages 9-30 ms (pool of 50 users 28 ms, user 17 ms).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from amplify_py.local import LocalEngine  # noqa: E402
from amplify_py.local.activity import Activity  # noqa: E402
from amplify_py.local.operations import registry  # noqa: E402

CASE = Path(__file__).resolve().parents[1] / "tests" / "data" / "reference" / "cases" / "groups.template.json"
POOL = "amplifyAuthUserPool4BA7F805"
ROUNDS, CALLS = 15, 2_000


class _NoRecording(Activity):
    def record_request(self, at: float, target: str, outcome: str, ms: float) -> None:
        pass


def _per_call_us(engine: LocalEngine, body: dict) -> float:
    target = registry.USER_POOL_TARGET + "DescribeUserPool"
    started = time.perf_counter()
    for _ in range(CALLS):
        registry.dispatch(engine.context, target, body)
    return (time.perf_counter() - started) / CALLS * 1e6


def main() -> None:
    engine = LocalEngine(Path(tempfile.mkdtemp(prefix="console-bench-"))).start()
    try:
        pool_id = engine.deploy("bench", json.loads(CASE.read_text())).physical_ids[POOL]
        body = {"UserPoolId": pool_id}
        recording, silent = engine.context.activity, _NoRecording()
        timings: dict[str, list[float]] = {"recording": [], "no-op": []}
        for round_number in range(ROUNDS):
            order = (("recording", recording), ("no-op", silent))
            for name, activity in order if round_number % 2 else order[::-1]:  # neither always goes first
                engine.context.activity = activity
                timings[name].append(_per_call_us(engine, body))
        engine.context.activity = recording
        for name, values in timings.items():
            print(f"dispatch DescribeUserPool, {name:9}: {statistics.median(values):7.2f} us/call")
        print(f"difference (noisy on a shared machine): "
              f"{statistics.median(timings['recording']) - statistics.median(timings['no-op']):.2f} us")
        # The recording alone, as dispatch does it: two perf_counter calls, the clock, one append.
        ring, now = Activity(), engine.context.now
        target = registry.USER_POOL_TARGET + "DescribeUserPool"
        alone = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            for _ in range(CALLS * 10):
                begun = time.perf_counter()
                ring.record_request(now(), target, "OK", (time.perf_counter() - begun) * 1000)
            alone.append((time.perf_counter() - started) / (CALLS * 10) * 1e6)
        print(f"recording alone: {statistics.median(alone):.3f} us/request")

        for number in range(50):
            registry.dispatch(engine.context, registry.USER_POOL_TARGET + "AdminCreateUser", {
                "UserPoolId": pool_id, "Username": f"user{number}@example.com", "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": "email", "Value": f"user{number}@example.com"}]})
        client = httpx.Client(base_url=engine.endpoint)
        client.get(engine.console_url)
        [first] = [u for u in client.get(f"/_console/pools/{pool_id}").text.split('user?name=')[1:2]]
        username = first.split('"')[0]
        for label, path in (("pools", "/_console/"), ("pool, 50 users", f"/_console/pools/{pool_id}"),
                            ("user", f"/_console/pools/{pool_id}/user?name={username}"),
                            ("activity", "/_console/activity"), ("outbox", "/_console/outbox")):
            samples = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                samples.append((time.perf_counter() - started) * 1000)
            print(f"page {label:15}: {statistics.median(samples):6.2f} ms")
    finally:
        engine.stop()


if __name__ == "__main__":
    main()
