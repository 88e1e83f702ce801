"""Time a cold `ampy synth` of the example project beside the TypeScript reference's synth of the same config.

    python benchmarks/synth.py [--runs 3] [--tsref-dir DIR]

The reference (@aws-amplify/auth-construct 1.12.0, aws-cdk-lib 2.276.0) is npm-installed into a
temporary folder outside the repository (or DIR, reused if it already has node_modules), and a small
app doing `new AmplifyAuth(stack, 'amplifyAuth', {loginWith: {email: true}})` + synth is timed with
`node app.js`, using the same Node as the CDK's jsii runtime. Each run is a new process (cold).

aws-cdk-lib 2.27x runs a built-in CloudFormation validation (a WebAssembly engine) on every synth,
about 1.2 s. `ampy synth` leaves it off unless `--validate` is given; the reference app runs it
unless CDK_VALIDATION=false. All four combinations are printed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from amplify_py._node import bundled_node  # noqa: E402

REFERENCE_PACKAGES = ["@aws-amplify/auth-construct@1.12.0", "aws-cdk-lib@2.276.0", "constructs@10"]
APP_JS = """
const cdk = require('aws-cdk-lib');
const { AmplifyAuth } = require('@aws-amplify/auth-construct');
const app = new cdk.App({ outdir: process.argv[2] });
const stack = new cdk.Stack(app, 'amplify-example');
new AmplifyAuth(stack, 'amplifyAuth', { loginWith: { email: true } });
const template = app.synth().getStackByName('amplify-example').template;
console.log(Object.keys(template.Resources).length + ' resources');
"""


def node_binary() -> str:
    node = os.environ.get("JSII_NODE") or (str(bundled_node()) if bundled_node() else shutil.which("node"))
    if not node:
        raise SystemExit("node not found")
    return node


def time_runs(cmd: list[str], runs: int, env: dict[str, str], cwd: Path) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
        times.append(elapsed)
    return times


def prepare_reference(folder: Path, node: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "node_modules" / "@aws-amplify" / "auth-construct").is_dir():
        npm = Path(node).parent / "npm"
        npm_cmd = [str(npm)] if npm.exists() else [shutil.which("npm") or "npm"]
        env = dict(os.environ, PATH=f"{Path(node).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        subprocess.run([*npm_cmd, "init", "-y"], cwd=folder, env=env, check=True, capture_output=True)
        subprocess.run([*npm_cmd, "install", "-s", *REFERENCE_PACKAGES], cwd=folder, env=env, check=True)
    (folder / "app.js").write_text(APP_JS)
    return folder


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s (min {min(times):.2f}, runs {len(times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tsref-dir", type=Path, default=None, help="reuse this folder for the npm install")
    args = parser.parse_args()
    node = node_binary()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), JSII_NODE=node)

    with tempfile.TemporaryDirectory(prefix="ampy-bench-") as tmp:
        tmp_path = Path(tmp)
        project = tmp_path / "example"
        shutil.copytree(REPO_ROOT / "amplify", project / "amplify", ignore=shutil.ignore_patterns("__pycache__"))
        synth = [sys.executable, "-m", "amplify_py", "synth", "--dir", str(project), "--out", str(tmp_path / "out")]
        ours = time_runs(synth, args.runs, env, tmp_path)
        ours_validated = time_runs([*synth, "--validate"], args.runs, env, tmp_path)
        ref_dir = prepare_reference(args.tsref_dir or tmp_path / "tsref", node)
        theirs = time_runs([node, "app.js", str(tmp_path / "cdk.out")], args.runs, env, ref_dir)
        theirs_unvalidated = time_runs(
            [node, "app.js", str(tmp_path / "cdk.out")], args.runs, dict(env, CDK_VALIDATION="false"), ref_dir
        )

    print(f"machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
          f"Node {subprocess.run([node, '--version'], capture_output=True, text=True).stdout.strip()}")
    print(f"ampy synth (cold, example: email sign-in, default):  {describe(ours)}")
    print(f"ampy synth --validate (CDK CloudFormation validation): {describe(ours_validated)}")
    print(f"TS reference synth (node app.js, default: validation): {describe(theirs)}")
    print(f"TS reference synth, CDK_VALIDATION=false:              {describe(theirs_unvalidated)}")
    print(f"ratio ampy default / reference default:   {statistics.median(ours) / statistics.median(theirs):.2f}")
    print(f"ratio with validation on both sides:      {statistics.median(ours_validated) / statistics.median(theirs):.2f}")
    print(f"ratio with validation off on both sides:  "
          f"{statistics.median(ours) / statistics.median(theirs_unvalidated):.2f}")


if __name__ == "__main__":
    main()
