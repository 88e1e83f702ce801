"""The long fuzz run: seeded bad requests over every operation against a fresh engine, and what came back.

    PYTHONPATH=. .venv/bin/python benchmarks/fuzz.py [--requests 10000] [--seed 11] [--http h11|httptools]
                                                     [--loop asyncio|uvloop]

Prints the status counts and the three numbers that must be zero: responses of 500 or more, connections
dropped without ``Connection: close``, and requests left without an answer (10 s). tests/engine/test_fuzz.py
runs a short batch of the same generator in the suite.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from amplify_py.local import LocalEngine  # noqa: E402
from tests.engine.fuzzing import Fuzzer, prepare, send_all  # noqa: E402

TEMPLATE = REPO / "tests" / "data" / "reference" / "cases" / "groups.template.json"
POOL, CLIENT, IDENTITY_POOL = ("amplifyAuthUserPool4BA7F805", "amplifyAuthUserPoolAppClient2626C6F8",
                               "amplifyAuthIdentityPool3FDE84CC")
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--http", default="h11", choices=["h11", "httptools"])
    parser.add_argument("--loop", default="asyncio", choices=["asyncio", "uvloop"])
    args = parser.parse_args()

    template = copy.deepcopy(json.loads(TEMPLATE.read_text()))
    template["Resources"][CLIENT]["Properties"]["ExplicitAuthFlows"] = FLOWS
    with tempfile.TemporaryDirectory() as state:
        engine = LocalEngine(Path(state)).start(http=args.http, loop=args.loop)
        try:
            ids = engine.deploy("fuzz", template).physical_ids
            planted = prepare(engine.endpoint, ids[POOL], ids[CLIENT], ids.get(IDENTITY_POOL, ""),
                              credentials=engine.credentials)
            started = time.perf_counter()
            outcome = send_all(engine.host, engine.port, Fuzzer(args.seed, planted).requests(args.requests),
                               credentials=engine.credentials)
            elapsed = time.perf_counter() - started
        finally:
            engine.stop()
    print(f"{outcome.sent} requests (seed {args.seed}, {args.http} on {args.loop}) in {elapsed:.1f} s")
    print("statuses:", ", ".join(f"{status}: {count}" for status, count in sorted(outcome.statuses.items())))
    print("errors:", ", ".join(f"{name}: {count}" for name, count in sorted(outcome.error_types.items(),
                                                                             key=lambda item: -item[1])))
    print(f"responses >= 500: {outcome.server_errors}")
    print(f"dropped connections: {outcome.dropped}")
    print(f"hangs: {outcome.hangs}")
    print(f"4xx bodies that are not Cognito errors: {outcome.not_cognito_errors}")
    for failure in outcome.failures:
        print("  ", failure)
    return 0 if outcome.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
