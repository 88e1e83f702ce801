"""The pytest plugin's costs: session start with and without the cached synth, and the clean pool per test.

Uses a project scaffolded as `ampy init` does (email sign-in) in a temporary folder.

* backend start: the synth (or reading it from the cache) plus starting and deploying the engine, in a
  process that has imported the engine and boto3 already; and the wall time of a whole `pytest` run of
  one test, with an empty and with a filled cache;
* per test, as the plugin does it: empty the pool (list and delete every user) with 0 and 2 users in it,
  and `amplify_client`'s configure + clear; against the alternative of deleting and redeploying the
  deployment (which gives the pools new ids every test);
* per test, as pytest sees it: a session of N empty tests that use `amplify_backend` minus a session
  of one, divided by N - 1 (pytest's own fixture machinery included).

Usage: python benchmarks/pytest_plugin.py [--runs N] [--loops N] [--tests N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from amplify_py._templates import render_tree  # noqa: E402
from amplify_py.testing._backend import start_backend  # noqa: E402
from amplify_py.testing._synth_cache import cached_synth  # noqa: E402

PASSWORD = "Sup3r-secret!"


def _ms(values: list[float]) -> str:
    return f"median {1000 * statistics.median(values):.1f} ms (min {1000 * min(values):.1f}, n={len(values)})"


def _s(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s (min {min(values):.2f}, n={len(values)})"


def session_start(project: Path, root: Path, runs: int) -> tuple[list[float], list[float]]:
    uncached, cached = [], []
    for i in range(runs):
        cache = root / f"cache-{i}"
        for bucket in (uncached, cached):  # the first start fills the cache, the second reads it
            started = time.perf_counter()
            synth = cached_synth(project, cache)
            backend = start_backend(project, synth, Path(tempfile.mkdtemp(dir=root)))
            bucket.append(time.perf_counter() - started)
            backend.close()
    return uncached, cached


def per_test(project: Path, root: Path, loops: int) -> dict[str, list[float]]:
    from amplify_py.auth import cognito_user_pools_token_provider
    from amplify_py.auth._config import Amplify
    from amplify_py.local import LocalEngine
    from amplify_py.outputs import build_outputs, local_engine_custom, resolve_stack_outputs

    synth = cached_synth(project, root / "cache-0")
    backend = start_backend(project, synth, Path(tempfile.mkdtemp(dir=root)))
    results: dict[str, list[float]] = {"empty": [], "two users": [], "client": [], "redeploy": []}
    for i in range(loops):
        started = time.perf_counter()
        backend.reset()
        results["empty"].append(time.perf_counter() - started)
        backend.create_user(f"a{i}@example.com", PASSWORD)
        backend.create_user(f"b{i}@example.com", PASSWORD)
        started = time.perf_counter()
        backend.reset()
        results["two users"].append(time.perf_counter() - started)
        started = time.perf_counter()
        Amplify.configure(backend.outputs)
        cognito_user_pools_token_provider.storage.clear()
        results["client"].append(time.perf_counter() - started)
    backend.close()

    engine = LocalEngine(Path(tempfile.mkdtemp(dir=root)), port=0)
    engine.start()
    engine.deploy(synth.stack_name, synth.template, assembly_dir=synth.assembly_dir)
    for _ in range(loops):
        started = time.perf_counter()
        engine.delete(synth.stack_name)
        result = engine.deploy(synth.stack_name, synth.template, assembly_dir=synth.assembly_dir)
        stack_outputs = resolve_stack_outputs(synth.template, result.physical_ids, result.region,
                                              stack_name=synth.stack_name)
        build_outputs(stack_outputs, custom=local_engine_custom(engine.endpoint)).to_dict()
        results["redeploy"].append(time.perf_counter() - started)
    engine.stop()
    return results


def pytest_overhead(project: Path, tests: int, runs: int) -> tuple[float, float, float, float]:
    """(session of 1 test without and with the cached synth, session of ``tests`` tests, per test) in seconds;
    each session the fastest of ``runs``.

    Every test uses ``amplify_backend`` and does nothing else, so the difference per test is what the
    plugin and pytest's fixture machinery add to a test (session start and the synth cancel out).
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    from importlib import metadata

    installed = any(ep.value == "amplify_py.testing._plugin" for ep in metadata.entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", "amplify_py.testing._plugin"]
    for count in (1, tests):
        body = "".join(f"def test_{i}(amplify_backend):\n    pass\n\n" for i in range(count))
        (project / f"test_{count}.py").write_text(body)

    def session(count: int, cache: str = ".pytest_cache") -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", *plugin, "-o", f"cache_dir={cache}", f"test_{count}.py"],
                       cwd=project, env=env, capture_output=True, check=True)
        return time.perf_counter() - started

    cold = min(session(1, f".cold-cache-{i}") for i in range(runs))  # each with an empty cache: synthesizes
    session(1)  # fills the synth cache
    one = min(session(1) for _ in range(runs))
    many = min(session(tests) for _ in range(runs))
    return cold, one, many, (many - one) / (tests - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="session starts of each kind")
    parser.add_argument("--loops", type=int, default=30, help="clean pools measured")
    parser.add_argument("--tests", type=int, default=101, help="empty tests in the larger pytest session")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="amplify-py-bench-plugin-"))
    try:
        project = root / "bench-app"
        render_tree("init", project, {"project_name": project.name})
        uncached, cached = session_start(project, root, args.runs)
        print(f"backend start (imports warm), synth not cached:  {_s(uncached)}")
        print(f"backend start (imports warm), synth cached:      {_s(cached)}")
        results = per_test(project, root, args.loops)
        print(f"clean pool, pool already empty:                  {_ms(results['empty'])}")
        print(f"clean pool, two users in it:                     {_ms(results['two users'])}")
        print(f"amplify_client configure + clear storage:        {_ms(results['client'])}")
        print(f"alternative: delete + redeploy (new pool ids):   {_ms(results['redeploy'])}")
        cold, one, many, each = pytest_overhead(project, args.tests, args.runs)
        print(f"`pytest` wall time, 1 test using amplify_backend, synth not cached: {cold:.2f} s; cached: {one:.2f} s")
        print(f"`pytest` wall time, {args.tests} such tests, cached: {many:.2f} s; per test: {1000 * each:.1f} ms "
              f"(each session the fastest of {args.runs})")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
