"""The engine's recent activity (``amplify_py.local.activity``): bounded rings, newest first, short targets."""

from __future__ import annotations

import threading

from amplify_py.local.activity import RING_SIZE, Activity, RequestRecord, TriggerRun


def test_the_rings_keep_the_newest_entries_newest_first() -> None:
    activity = Activity(size=3)
    for number in range(5):
        activity.record_request(float(number), f"AWSCognitoIdentityProviderService.Op{number}", "OK", 1.5)
        activity.record_trigger_run(float(number), "PreSignUp", "PreSignUp_SignUp", "us-east-1_x", None, 2.0)
    assert [r.target for r in activity.requests()] == [f"AWSCognitoIdentityProviderService.Op{n}" for n in (4, 3, 2)]
    assert [r.at for r in activity.trigger_runs()] == [4.0, 3.0, 2.0]
    assert activity.requests()[0] == RequestRecord(4.0, "AWSCognitoIdentityProviderService.Op4", "OK", 1.5)
    assert activity.trigger_runs()[0] == TriggerRun(4.0, "PreSignUp", "PreSignUp_SignUp", "us-east-1_x", None, 2.0)
    assert RING_SIZE == 200 and Activity()._requests.maxlen == 200


def test_a_long_target_is_cut_short() -> None:
    activity = Activity()
    activity.record_request(0.0, "x" * 20_000, "UnknownOperationException", 0.1)
    assert activity.requests()[0].target == "x" * 128


def test_reading_while_other_threads_record_never_fails() -> None:
    activity = Activity(size=50)
    stop = threading.Event()

    def record() -> None:
        while not stop.is_set():
            activity.record_request(0.0, "t", "OK", 0.0)

    writers = [threading.Thread(target=record) for _ in range(2)]
    for writer in writers:
        writer.start()
    try:
        seen = [len(activity.requests()) for _ in range(2_000)]
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert max(seen) == 50 and all(n <= 50 for n in seen)
