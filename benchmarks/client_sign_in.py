"""How long the auth client takes against the local engine: SRP sign-in, refresh, attribute fetch.

Run from the repo root: python benchmarks/client_sign_in.py  (prints milliseconds per call, wall and CPU time of
the whole process, engine threads included; CPU time is less inflated when other work shares the machine).

SRP modexps through GMP (gmpy2) on both sides, measured interleaved with the code before it on the 2-core dev box
while other jobs kept the load average at 4-5: sign_in (SRP) + sign_out CPU median 98-111 -> 26-27 ms
(wall 169-218 -> 30-63 ms).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "client"))

from _timing import timed  # noqa: E402  (benchmarks/, the script's own folder)
from engine_backend import outputs_for  # noqa: E402

from amplify_py.auth import (  # noqa: E402
    confirm_sign_up,
    fetch_auth_session,
    fetch_user_attributes,
    sign_in,
    sign_out,
    sign_up,
)
from amplify_py.auth._config import Amplify  # noqa: E402
from amplify_py.local import LocalEngine  # noqa: E402

CASE = Path(__file__).resolve().parents[1] / "tests" / "data" / "reference" / "cases" / "email_default.template.json"




def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = LocalEngine(Path(tmp), port=0).start()
        try:
            result = engine.deploy("bench", json.loads(CASE.read_text()))
            Amplify.configure(outputs_for("email_default", result.physical_ids, result.region, engine.endpoint))
            sign_up(username="bench@example.com", password="Sup3r-secret!", options={"user_attributes": {"email": "bench@example.com"}})
            code = [m["code"] for m in engine.messages() if m["recipient"] == "bench@example.com"][-1]
            confirm_sign_up(username="bench@example.com", confirmation_code=code)

            def srp_round_trip() -> None:
                sign_in(username="bench@example.com", password="Sup3r-secret!")
                sign_out()

            timed("sign_in (SRP) + sign_out", srp_round_trip)
            sign_in(username="bench@example.com", password="Sup3r-secret!")
            timed("fetch_auth_session(force_refresh)", lambda: fetch_auth_session(force_refresh=True))
            timed("fetch_user_attributes", fetch_user_attributes)
        finally:
            engine.stop()


if __name__ == "__main__":
    main()
