"""What the engine did lately, for the local console: the last requests and the last trigger runs.

Two bounded in-memory rings (the newest ``RING_SIZE`` of each), filled in one place each: the registry's
``dispatch`` for operations and ``rules.triggers`` for trigger runs. Recording is one ``deque.append``
(atomic in CPython, no lock), so it costs the hot path next to nothing; nothing is written to disk, and a
restarted engine starts with empty rings.
"""

from __future__ import annotations

from collections import deque
from typing import NamedTuple

__all__ = ["Activity", "RequestRecord", "TriggerRun", "RING_SIZE"]

RING_SIZE = 200
_TARGET_MAX = 128  # X-Amz-Target is the client's text: an unknown one is kept short


class RequestRecord(NamedTuple):
    """One operation: when (engine clock), the X-Amz-Target, "OK" or Cognito's error name, milliseconds."""

    at: float
    target: str
    outcome: str
    ms: float


class TriggerRun(NamedTuple):
    """One trigger invocation: when, which trigger, its triggerSource, the pool, None or the error, ms."""

    at: float
    trigger: str
    source: str
    pool_id: str
    error: str | None
    ms: float


class Activity:
    """The two rings; ``requests()`` and ``trigger_runs()`` copy them newest first."""

    def __init__(self, size: int = RING_SIZE) -> None:
        self._requests: deque[RequestRecord] = deque(maxlen=size)
        self._trigger_runs: deque[TriggerRun] = deque(maxlen=size)

    def record_request(self, at: float, target: str, outcome: str, ms: float) -> None:
        self._requests.append(RequestRecord(at, target[:_TARGET_MAX], outcome, ms))

    def record_trigger_run(self, at: float, trigger: str, source: str, pool_id: str, error: str | None,
                           ms: float) -> None:
        self._trigger_runs.append(TriggerRun(at, trigger, source, pool_id, error, ms))

    def requests(self) -> list[RequestRecord]:
        return _newest_first(self._requests)

    def trigger_runs(self) -> list[TriggerRun]:
        return _newest_first(self._trigger_runs)


def _newest_first(ring: deque) -> list:
    # tuple(deque) runs in C under the GIL, so an append from another thread cannot interleave; the retry
    # is for interpreters where it could ("deque mutated during iteration").
    for _attempt in range(5):
        try:
            return list(reversed(tuple(ring)))
        except RuntimeError:
            continue
    return []
