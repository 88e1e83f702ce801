"""What the client benchmarks print for one measured call: median and max wall time, and median CPU time."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timed(label: str, fn: Callable[[], object], runs: int = 20, *, width: int = 32) -> None:
    samples, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    print(f"{label:{width}s} median {statistics.median(samples):7.1f} ms   max {max(samples):7.1f} ms   "
          f"CPU median {statistics.median(cpu):7.1f} ms   ({runs} runs)")
