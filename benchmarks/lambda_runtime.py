"""Cold start and warm invocation latency of the local Lambda runtime (prints numbers)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from amplify_py.local.lambda_runtime import FunctionSpec, LocalFunction

ECHO_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "functions" / "basic"


def main() -> None:
    function = LocalFunction(FunctionSpec(entry_dir=ECHO_DIR, module="echo", handler="handler", name="echo"), on_log=lambda n, l: None)
    try:
        started = time.perf_counter()
        function.invoke({"action": "warmup"})
        cold_ms = (time.perf_counter() - started) * 1000
        samples = []
        for _ in range(500):
            started = time.perf_counter()
            function.invoke({"action": "bench"})
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        print(f"cold start + first invoke: {cold_ms:.1f} ms")
        print(f"warm invoke: median {statistics.median(samples):.3f} ms, p95 {samples[int(len(samples) * 0.95)]:.3f} ms")
    finally:
        function.close()


if __name__ == "__main__":
    main()
