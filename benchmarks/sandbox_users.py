"""How long `ampy sandbox users list` and `ampy sandbox reset --users` take as a sandbox's pool grows.

Run: PYTHONPATH=. python benchmarks/sandbox_users.py [users]

An engine serves a sandbox's state folder in this process (as a running `ampy sandbox` does), the pool
gets `users` users (AdminCreateUser, each in a group), then the CLI lists them (ListUsers, ListGroups,
ListUsersInGroup and one AdminGetUser per user, for MFA) and resets them (ListUsers, then one
AdminDeleteUser per user). Each command is timed in-process, from argument parsing to its last line.

Measured on the 2-vCPU box while other test suites ran (load average about 11), 200 users: `users list`
1.5 to 3.7 s (about half of it rendering the table), `reset --users` 0.7 to 2.4 s; 20 users: 0.96 s and 0.36 s
(mostly creating the boto3 client).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path

import boto3

from amplify_py.cli.app import main
from amplify_py.deploy.records import DeploymentRecord, save_record
from amplify_py.local import LocalEngine
from amplify_py.outputs.convert import local_engine_custom
from amplify_py.outputs.stack_outputs import resolve_stack_outputs
from amplify_py.sandbox.state import sandbox_state_dir

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "tests" / "data" / "reference" / "cases" / "groups.template.json"
STACK = "amplify-bench-users-sandbox-0123456789"


def timed(*args: str) -> float:
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    assert code == 0, args
    return time.perf_counter() - started


def run(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "amplify").mkdir()
        template = json.loads(TEMPLATE.read_text())
        with LocalEngine(sandbox_state_dir(project, "bench"), port=0) as engine:
            result = engine.deploy(STACK, template)
            pool_id = result.physical_ids["amplifyAuthUserPool4BA7F805"]
            save_record(project, DeploymentRecord(
                identifier="bench", target="local", stack_name=STACK, region=result.region,
                stack_outputs=resolve_stack_outputs(template, result.physical_ids, result.region, stack_name=STACK),
                custom=local_engine_custom(engine.endpoint)))
            idp = boto3.client("cognito-idp", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs())
            for i in range(count):
                name = f"user{i}@example.com"
                idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
                idp.admin_add_user_to_group(UserPoolId=pool_id, Username=name, GroupName="ADMINS")
            common = ("--identifier", "bench", "--dir", str(project))
            listed = timed("sandbox", "users", "list", *common)
            reset = timed("sandbox", "reset", "--users", "--yes", *common)
            assert idp.list_users(UserPoolId=pool_id)["Users"] == []
    print(f"{count} users: `users list` {listed:.2f} s, `reset --users` {reset:.2f} s")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
