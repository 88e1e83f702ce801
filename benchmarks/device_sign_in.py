"""What a remembered device adds to a sign-in: amplify_py.auth against the local engine, SRP sign-in + sign-out
on a pool without device tracking, then on a remembered device (DEVICE_SRP_AUTH: two more round trips and a
second SRP on each side).

Run from the repo root: python benchmarks/device_sign_in.py  (milliseconds per sign-in + sign-out, wall and CPU
time of the whole process, engine threads included).
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

from amplify_py.auth import confirm_sign_up, remember_device, sign_in, sign_out, sign_up  # noqa: E402
from amplify_py.auth._config import Amplify  # noqa: E402
from amplify_py.local import LocalEngine  # noqa: E402

CASE = "email_default"
TEMPLATE = Path(__file__).resolve().parents[1] / "tests" / "data" / "reference" / "cases" / f"{CASE}.template.json"
PASSWORD = "Sup3r-secret!"




def deploy(engine: LocalEngine, name: str, tracking: bool) -> None:
    template = json.loads(TEMPLATE.read_text())
    if tracking:
        [pool] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Cognito::UserPool"]
        pool["Properties"]["DeviceConfiguration"] = {"ChallengeRequiredOnNewDevice": True}
    result = engine.deploy(name, template)
    Amplify.configure(outputs_for(CASE, result.physical_ids, result.region, engine.endpoint))
    email = f"{name}@example.com"
    sign_up(username=email, password=PASSWORD, options={"user_attributes": {"email": email}})
    code = [m["code"] for m in engine.messages() if m["recipient"] == email][-1]
    confirm_sign_up(username=email, confirmation_code=code)
    sign_in(username=email, password=PASSWORD)  # on a tracking pool: the device is confirmed here
    if tracking:
        remember_device()
    sign_out()

    def round_trip() -> None:
        assert sign_in(username=email, password=PASSWORD).is_signed_in
        sign_out()

    timed(f"sign_in + sign_out ({'remembered device' if tracking else 'no device tracking'})", round_trip, width=40)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = LocalEngine(Path(tmp), port=0).start()
        try:
            deploy(engine, "plain", tracking=False)
            deploy(engine, "device", tracking=True)
        finally:
            engine.stop()


if __name__ == "__main__":
    main()
