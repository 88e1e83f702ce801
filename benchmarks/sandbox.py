"""Sandbox speed: cold `ampy sandbox --once` to outputs written, and save-to-redeployed in watch mode.

Runs the example project (amplify/) in a temporary folder against the local engine.
Usage: python benchmarks/sandbox.py [--saves N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


def _project(root: Path) -> Path:
    project = root / "bench-app"
    shutil.copytree(REPO / "amplify", project / "amplify", ignore=shutil.ignore_patterns("__pycache__"))
    return project


def cold_once(root: Path) -> float:
    project = _project(root)
    port = _free_port()
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "amplify_py", "sandbox", "--once", "--identifier", "bench",
                          "--port", str(port), "--dir", str(project)], env=_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    subprocess.run([sys.executable, "-m", "amplify_py", "sandbox", "stop", "--identifier", "bench",
                    "--dir", str(project)], env=_env(), capture_output=True)
    if run.returncode != 0 or not (project / "amplify_outputs.json").exists():
        raise SystemExit(f"ampy sandbox --once failed:\n{run.stdout}\n{run.stderr}")
    return elapsed


def save_to_redeployed(root: Path, saves: int) -> list[float]:
    project = _project(root)
    record = project / ".amplify" / "deployments" / "bench.json"
    resource = project / "amplify" / "auth" / "resource.py"
    log = open(root / "watch.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "amplify_py", "sandbox", "--identifier", "bench",
                             "--port", str(_free_port()), "--dir", str(project)],
                            env=_env(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    timings: list[float] = []
    try:
        deadline = time.monotonic() + 120
        while not record.exists():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"the sandbox did not deploy:\n{(root / 'watch.log').read_text()}")
            time.sleep(0.05)
        time.sleep(1.0)  # let the watcher start
        original = resource.read_text()
        for i in range(saves):
            before = json.loads(record.read_text())["deployed_at"]
            # Alternate between two valid definitions so every save is a real change.
            text = original if i % 2 else original.replace('"email": True,', '"email": True,\n        "phone": True,')
            started = time.perf_counter()
            resource.write_text(text)
            while json.loads(record.read_text())["deployed_at"] == before:
                if time.perf_counter() - started > 60:
                    raise SystemExit(f"no redeploy:\n{(root / 'watch.log').read_text()}")
                time.sleep(0.01)
            timings.append(time.perf_counter() - started)
            time.sleep(0.3)  # a pause between saves, as a person would make
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        log.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cold = cold_once(Path(tmp) / "cold")
        warm = save_to_redeployed(Path(tmp) / "watch", args.saves)
    print(f"cold `ampy sandbox --once` to outputs written: {cold:.2f} s")
    print(f"save-to-redeployed in watch mode ({len(warm)} saves): median {statistics.median(warm):.2f} s, "
          f"min {min(warm):.2f} s, max {max(warm):.2f} s (target < 2 s)")


if __name__ == "__main__":
    main()
