"""The local engine beside moto's Cognito, each as its own server, on fresh pools, interleaved.

Run from the repo root (moto[server] comes with the ``bench`` extra: pip install -e '.[bench]'):

    PYTHONPATH=. python benchmarks/engine_vs_moto.py [--seconds 15] [--reps 2] [--users 100000]

Prints, with the machine and its load average:
- loops per second and our/moto ratio at concurrency 1, 4 and 16 for the password loop (SignUp +
  ConfirmSignUp + InitiateAuth USER_PASSWORD_AUTH) and the SRP loop (SignUp + ConfirmSignUp + USER_SRP_AUTH +
  PASSWORD_VERIFIER; moto does not check the proof). Each run gets a fresh pool; moto is reset before each.
- our engine with two worker processes against one, password loop at concurrency 16;
- p50/p99 of single operations over the wire (USER_PASSWORD_AUTH, GetUser, refresh), ours and moto's;
- server-side SRP sign-in (both round trips inside the engine, the client's math excluded), wall and CPU;
- the Python client (amplify_py.auth): SRP sign-in + sign-out against the engine;
- sign-in, GetUser and a filtered, paginated ListUsers inside the engine, on a small pool and on one seeded
  directly with ``--users`` users.

The load generator is kept cheap so that the servers get the cores: one process, uvloop, a hand-written
HTTP/1.1 keep-alive client per connection and request bodies built as plain JSON (no botocore); the SRP loop's
client math (gmpy2) is the same for both servers. Its own CPU per loop is printed beside each result.

One run on a 2-vCPU Intel Xeon (KVM, 24 GiB, Python 3.11.7, moto 5.2.5, 2026-12-02; load average 1.6-2.8, the
benchmark's own), ours with two workers: password loop 252 vs 98 loops/s at c=1 (2.57x), 393 vs 98 at c=4
(4.00x), 386 vs 96 at c=16 (4.02x); SRP loop 92 vs 67 (1.38x), 145 vs 74 (1.95x), 167 vs 73 (2.27x). Two
workers against one at c=16, both on new state: 410 vs 289 loops/s (1.42x; load generator 0.38 ms of CPU per
loop). Over the wire, p50: USER_PASSWORD_AUTH 1.66 ms (moto 2.99), GetUser 0.74 (2.08), refresh 1.28 (2.96).
Inside the engine: SRP sign-in 2.32 ms wall p50 (p99 9.0), 2.32 ms CPU p50 (p99 3.9); sign-in 0.96 vs 0.94 ms,
GetUser 0.14 vs 0.14, ListUsers (prefix filter, two pages) 1.79 vs 1.84 with 131 vs 100,001 users.
amplify_py.auth SRP sign-in + sign-out: 8.5 ms p50 (4.5 ms of it the client's own CPU).

The same script on the 2-vCPU AMD EPYC of earlier runs (2026-12-02, before the changes below): 2.55x / 4.03x /
3.25x against moto, two workers 1.13x, SRP sign-in inside the engine 5.96 ms CPU p50, the client 15.5 ms. There
two RSA-2048 signatures took 0.8-0.9 ms each (``openssl speed rsa2048``: 0.81 ms; 0.30 ms on the Xeon), the
proof's (A*v^u)^b 0.9-1.1 ms, g^b 0.3 ms, v^u 0.25 ms through the verifier's comb, the rest about 1.2 ms.
What moved two workers from 1.13x: connections spread over the workers (connection_balance), the SRP math of
sign-up and password sign-in outside the write lock (1.24 -> 0.85 ms of lock per loop), and a WAL that no
longer grows without end under two workers (database.WAL_RESTART_BYTES).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from amplify_py.auth._srp import SrpClient  # noqa: E402

TEMPLATE = json.loads((ROOT / "tests/data/reference/cases/email_default.template.json").read_text())
POOL, CLIENT = "amplifyAuthUserPool4BA7F805", "amplifyAuthUserPoolAppClient2626C6F8"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
TEMPLATE["Resources"][CLIENT]["Properties"]["ExplicitAuthFlows"] = FLOWS
PASSWORD = "Passw0rd!"
IDP = "AWSCognitoIdentityProviderService."
# moto finds the service from the credential scope; the engine ignores the header on these calls
AUTH = "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Connection:
    """One keep-alive HTTP/1.1 connection that posts Cognito's JSON protocol."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def call(self, operation: str, body: dict) -> tuple[int, dict]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        data = json.dumps(body).encode()
        self._writer.write(
            f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nX-Amz-Target: {IDP}{operation}\r\n"
            f"Content-Type: application/x-amz-json-1.1\r\nAuthorization: {AUTH}\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
        assert self._reader is not None
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        payload = await self._reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":  # moto's server closes after every answer
            self.close()
        try:
            answer = json.loads(payload or b"{}")
        except ValueError:  # moto answers some failures with an HTML page
            answer = {"raw": payload[:200].decode("utf-8", "replace")}
        return int(lines[0].split()[1]), answer

    async def ok(self, operation: str, body: dict) -> dict:
        status, answer = await self.call(operation, body)
        if status != 200:
            raise RuntimeError(f"{operation}: {status} {answer}")
        return answer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class Server:
    """A Cognito-speaking server in its own process; ``fresh_pool`` gives (pool id, client id)."""

    name = ""
    port = 0
    proc: subprocess.Popen | None = None

    def wait(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline or (self.proc and self.proc.poll() is not None):
                    raise RuntimeError(f"{self.name} did not start")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    async def code(self, username: str) -> str:
        return "123456"  # moto confirms any code


class Ours(Server):
    """``ampy local serve --workers N``; new pools are deployed into its state directly (the same SQLite file)."""

    def __init__(self, workers: int) -> None:
        self.name, self.workers, self.port = f"ours-{workers}w", workers, _free_port()
        self.state = Path(tempfile.mkdtemp(prefix="bench-ours-"))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-m", "amplify_py", "local", "serve", "--state-dir",
                                      str(self.state), "--port", str(self.port), "--workers", str(workers)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait()
        time.sleep(1.0)  # the workers announce themselves after the port opens
        self._outbox_at, self._codes, self._count = 0, {}, 0

    def fresh_pool(self) -> tuple[str, str]:
        from amplify_py.local import LocalEngine

        self._count += 1
        writer = LocalEngine(self.state)
        try:
            ids = writer.deploy(f"bench{self._count}", TEMPLATE).physical_ids
        finally:
            writer.stop()
        return ids[POOL], ids[CLIENT]

    async def code(self, username: str) -> str:
        while username not in self._codes:  # written before SignUp answered; read only what is new
            with open(self.state / "outbox.jsonl", "rb") as fh:
                fh.seek(self._outbox_at)
                chunk = fh.read()
            complete = chunk[:chunk.rfind(b"\n") + 1]
            self._outbox_at += len(complete)
            for line in complete.splitlines():
                message = json.loads(line)
                self._codes[message["recipient"]] = message["code"]
        return self._codes.pop(username)


class Moto(Server):
    def __init__(self) -> None:
        self.name, self.port = "moto", _free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait()

    def fresh_pool(self) -> tuple[str, str]:
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{self.port}/moto-api/reset", method="POST"))

        async def create() -> tuple[str, str]:
            conn = Connection(self.port)
            pool = (await conn.ok("CreateUserPool", {"PoolName": "bench", "UsernameAttributes": ["email"]}))["UserPool"]
            client = await conn.ok("CreateUserPoolClient", {"UserPoolId": pool["Id"], "ClientName": "bench",
                                                            "ExplicitAuthFlows": FLOWS})
            conn.close()
            return pool["Id"], client["UserPoolClient"]["ClientId"]

        return asyncio.run(create())


# --- the loops ------------------------------------------------------------------------------------------------
async def _sign_up(server: Server, conn: Connection, client_id: str, username: str) -> None:
    await conn.ok("SignUp", {"ClientId": client_id, "Username": username, "Password": PASSWORD,
                             "UserAttributes": [{"Name": "email", "Value": username}]})
    await conn.ok("ConfirmSignUp", {"ClientId": client_id, "Username": username,
                                    "ConfirmationCode": await server.code(username)})


async def password_loop(server: Server, conn: Connection, pool_id: str, client_id: str, username: str) -> None:
    await _sign_up(server, conn, client_id, username)
    answer = await conn.ok("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                            "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}})
    assert "AuthenticationResult" in answer, answer


async def srp_sign_in(conn: Connection, pool_id: str, client_id: str, username: str) -> dict:
    srp = SrpClient.create(pool_id.split("_", 1)[1])
    challenge = await conn.ok("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_SRP_AUTH",
                                               "AuthParameters": {"USERNAME": username, "SRP_A": srp.srp_a}})
    responses = srp.password_verifier_responses(challenge["ChallengeParameters"], PASSWORD)
    answer = await conn.ok("RespondToAuthChallenge", {"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
                                                      "ChallengeResponses": responses,
                                                      **({"Session": challenge["Session"]} if "Session" in challenge else {})})
    assert "AuthenticationResult" in answer, answer
    return answer["AuthenticationResult"]


async def srp_loop(server: Server, conn: Connection, pool_id: str, client_id: str, username: str) -> None:
    await _sign_up(server, conn, client_id, username)
    await srp_sign_in(conn, pool_id, client_id, username)


Loop = Callable[[Server, Connection, str, str, str], Awaitable[None]]


def run_loop(server: Server, loop: Loop, concurrency: int, seconds: float) -> tuple[float, float]:
    """(loops per second, load generator CPU ms per loop) on a fresh pool."""
    import uvloop

    pool_id, client_id = server.fresh_pool()
    done, failed = [0], [0]

    async def worker(index: int, deadline: float) -> None:
        conn = Connection(server.port)
        n = 0
        while time.monotonic() < deadline:
            n += 1
            try:
                await loop(server, conn, pool_id, client_id, f"w{index}-{n}@example.com")
            except (RuntimeError, AssertionError, OSError, asyncio.IncompleteReadError, KeyError):
                failed[0] += 1  # a failed loop is not counted (moto answers some SRP sign-ins with a 500)
                conn.close()
                conn = Connection(server.port)
                continue
            done[0] += 1
        conn.close()

    async def main() -> float:
        start = time.monotonic()
        await asyncio.gather(*(worker(i, start + seconds) for i in range(concurrency)))
        return time.monotonic() - start

    cpu = time.process_time()
    elapsed = uvloop.run(main())
    if failed[0]:
        print(f"  ({server.name}: {failed[0]} failed loops, not counted)", flush=True)
    return done[0] / elapsed, (time.process_time() - cpu) * 1000 / max(done[0], 1)


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def compare(ours: Ours, moto: Moto, seconds: float, reps: int) -> None:
    print(f"\n== loops/s, fresh pools, {seconds:.0f} s runs, {reps} interleaved repetitions (median) ==")
    print(f"{'loop':9s} {'c':>3s} {'ours':>8s} {'moto':>8s} {'ratio':>6s}  load-gen CPU ms/loop (ours, moto)  load")
    for name, loop in (("password", password_loop), ("srp", srp_loop)):
        for concurrency in (1, 4, 16):
            results: dict[str, list[tuple[float, float]]] = {ours.name: [], moto.name: []}
            for rep in range(reps):
                for server in ((ours, moto) if rep % 2 == 0 else (moto, ours)):
                    results[server.name].append(run_loop(server, loop, concurrency, seconds))
            a = statistics.median(r[0] for r in results[ours.name])
            b = statistics.median(r[0] for r in results[moto.name])
            print(f"{name:9s} {concurrency:3d} {a:8.1f} {b:8.1f} {a / b:6.2f}  "
                  f"{statistics.median(r[1] for r in results[ours.name]):5.2f}, "
                  f"{statistics.median(r[1] for r in results[moto.name]):5.2f}            {_load()}", flush=True)


def workers_scaling(one: Ours, two: Ours, seconds: float, reps: int) -> None:
    print("\n== our engine, 2 worker processes against 1: password loop, concurrency 16 ==")
    runs: dict[str, list[tuple[float, float]]] = {one.name: [], two.name: []}
    for rep in range(reps):
        for server in ((one, two) if rep % 2 == 0 else (two, one)):
            runs[server.name].append(run_loop(server, password_loop, 16, seconds))
    a, b = (statistics.median(r[0] for r in runs[s.name]) for s in (two, one))
    gen_a, gen_b = (statistics.median(r[1] for r in runs[s.name]) for s in (two, one))
    print(f"2 workers {a:.1f} loops/s, 1 worker {b:.1f} loops/s: {a / b:.2f}x   "
          f"load-gen CPU ms/loop {gen_a:.2f}, {gen_b:.2f}   load {_load()}", flush=True)


def _pct(values: list[float]) -> str:
    ordered = sorted(values)
    return f"p50 {statistics.median(ordered):6.2f} ms  p99 {ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]:6.2f} ms"


def single_operations(servers: list[Server], samples: int) -> None:
    import uvloop

    print(f"\n== single operations over the wire, concurrency 1 ({samples} samples) ==")
    for server in servers:
        pool_id, client_id = server.fresh_pool()

        async def measure() -> dict[str, list[float]]:
            conn = Connection(server.port)
            await _sign_up(server, conn, client_id, "single@example.com")
            out: dict[str, list[float]] = {"USER_PASSWORD_AUTH": [], "GetUser": [], "refresh": []}
            for _ in range(samples):
                t0 = time.perf_counter()
                tokens = (await conn.ok("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                          "AuthParameters": {"USERNAME": "single@example.com", "PASSWORD": PASSWORD}}))["AuthenticationResult"]
                t1 = time.perf_counter()
                await conn.ok("GetUser", {"AccessToken": tokens["AccessToken"]})
                t2 = time.perf_counter()
                await conn.ok("InitiateAuth", {"ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                                               "AuthParameters": {"REFRESH_TOKEN": tokens["RefreshToken"]}})
                t3 = time.perf_counter()
                for key, value in zip(out, (t1 - t0, t2 - t1, t3 - t2)):
                    out[key].append(value * 1000)
            conn.close()
            return out

        for label, values in uvloop.run(measure()).items():
            print(f"{server.name:8s} {label:20s} {_pct(values)}   load {_load()}", flush=True)


# --- inside the engine ----------------------------------------------------------------------------------------
class InProcess:
    """An engine in this process, not serving: operations timed at ``registry.dispatch`` (no HTTP)."""

    def __init__(self) -> None:
        from amplify_py.local import LocalEngine
        from amplify_py.local.operations import registry

        self.engine = LocalEngine(Path(tempfile.mkdtemp(prefix="bench-inside-")))
        self.dispatch = registry.dispatch
        self._codes: dict[str, str] = {}
        self.engine.context.outbox._on_message = lambda m: self._codes.__setitem__(m["recipient"], m["code"])

    def call(self, operation: str, body: dict) -> dict:
        return self.dispatch(self.engine.context, IDP + operation, body)

    def pool(self, name: str) -> tuple[str, str]:
        ids = self.engine.deploy(name, TEMPLATE).physical_ids
        return ids[POOL], ids[CLIENT]

    def user(self, client_id: str, username: str) -> None:
        self.call("SignUp", {"ClientId": client_id, "Username": username, "Password": PASSWORD,
                             "UserAttributes": [{"Name": "email", "Value": username}]})
        self.call("ConfirmSignUp", {"ClientId": client_id, "Username": username,
                                    "ConfirmationCode": self._codes[username]})

    def timed(self, fn: Callable[[], Any], samples: int) -> tuple[list[float], list[float]]:
        wall, cpu = [], []
        for _ in range(samples):
            t0, c0 = time.perf_counter(), time.thread_time()
            fn()
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
        return wall, cpu

    def srp_sign_in(self, pool_id: str, client_id: str, username: str) -> tuple[float, float]:
        """Both round trips inside the engine (wall ms, CPU ms); the client's math is not counted."""
        srp = SrpClient.create(pool_id.split("_", 1)[1])
        t0, c0 = time.perf_counter(), time.thread_time()
        challenge = self.call("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_SRP_AUTH",
                                               "AuthParameters": {"USERNAME": username, "SRP_A": srp.srp_a}})
        wall, cpu = time.perf_counter() - t0, time.thread_time() - c0
        responses = srp.password_verifier_responses(challenge["ChallengeParameters"], PASSWORD)
        t0, c0 = time.perf_counter(), time.thread_time()
        answer = self.call("RespondToAuthChallenge", {"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
                                                      "ChallengeResponses": responses,
                                                      **({"Session": challenge["Session"]} if "Session" in challenge else {})})
        assert "AuthenticationResult" in answer
        return (wall + time.perf_counter() - t0) * 1000, (cpu + time.thread_time() - c0) * 1000

    def seed(self, pool_id: str, count: int) -> float:
        """``count`` users written straight into the store (no password: they only fill the pool)."""
        from amplify_py.local.model.user import UserStatus
        from amplify_py.local.rules import directory

        ctx = self.engine.context
        pool = ctx.pool(pool_id)
        start = time.perf_counter()
        with ctx.store.transaction():
            for n in range(count):
                user = directory.new_user(ctx, f"user{n:06d}@example.com", {
                    "email": f"user{n:06d}@example.com", "email_verified": "true", "given_name": f"name{n % 977}"},
                    UserStatus.CONFIRMED)
                directory.save_user(ctx, pool, user)
        return time.perf_counter() - start


def inside_engine(samples: int, users: int) -> None:
    inside = InProcess()
    pool_id, client_id = inside.pool("srp")
    inside.user(client_id, "srp@example.com")
    results = [inside.srp_sign_in(pool_id, client_id, "srp@example.com") for _ in range(samples)]
    print(f"\n== inside the engine ({samples} samples) ==")
    print(f"SRP sign-in, both round trips: wall {_pct([r[0] for r in results])}   "
          f"CPU {_pct([r[1] for r in results])}   load {_load()}")

    def probe(pool: str, client: str) -> dict[str, tuple[list[float], list[float]]]:
        tokens = inside.call("InitiateAuth", {"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {
            "USERNAME": "probe@example.com", "PASSWORD": PASSWORD}})["AuthenticationResult"]

        def list_two_pages() -> None:
            page = inside.call("ListUsers", {"UserPoolId": pool, "Filter": 'email ^= "user0"', "Limit": 60})
            if page.get("PaginationToken"):
                inside.call("ListUsers", {"UserPoolId": pool, "Filter": 'email ^= "user0"', "Limit": 60,
                                          "PaginationToken": page["PaginationToken"]})

        return {
            "sign-in (USER_PASSWORD_AUTH)": inside.timed(lambda: inside.call("InitiateAuth", {
                "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "probe@example.com", "PASSWORD": PASSWORD}}), samples),
            "GetUser": inside.timed(lambda: inside.call("GetUser", {"AccessToken": tokens["AccessToken"]}), samples),
            "ListUsers email ^= (2 pages of 60)": inside.timed(list_two_pages, samples),
        }

    small_pool, small_client = inside.pool("small")
    inside.user(small_client, "probe@example.com")
    inside.seed(small_pool, 130)  # enough for two pages
    big_pool, big_client = inside.pool("big")
    inside.user(big_client, "probe@example.com")
    took = inside.seed(big_pool, users)
    print(f"seeded {users} users directly in {took:.1f} s")
    small, big = probe(small_pool, small_client), probe(big_pool, big_client)  # alternated below
    small2, big2 = probe(small_pool, small_client), probe(big_pool, big_client)
    for label in small:
        s = [*small[label][1], *small2[label][1]]
        b = [*big[label][1], *big2[label][1]]
        print(f"{label:36s} CPU p50 {statistics.median(s):6.2f} ms (131 users) vs {statistics.median(b):6.2f} ms "
              f"({users + 1} users): {statistics.median(b) / statistics.median(s):.2f}x   load {_load()}")
    inside.engine.stop()


def python_client(server: Ours, samples: int) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "client"))
    from engine_backend import outputs_for

    from amplify_py.auth import confirm_sign_up, sign_in, sign_out, sign_up
    from amplify_py.auth._config import Amplify

    from amplify_py.local import LocalEngine

    writer = LocalEngine(server.state)
    try:
        result = writer.deploy("client", json.loads((ROOT / "tests/data/reference/cases/email_default.template.json").read_text()))
    finally:
        writer.stop()
    Amplify.configure(outputs_for("email_default", result.physical_ids, result.region, f"http://127.0.0.1:{server.port}"))
    sign_up(username="client@example.com", password=PASSWORD, options={"user_attributes": {"email": "client@example.com"}})
    confirm_sign_up(username="client@example.com", confirmation_code=asyncio.run(server.code("client@example.com")))
    wall, cpu = [], []
    for _ in range(samples):
        t0, c0 = time.perf_counter(), time.process_time()
        sign_in(username="client@example.com", password=PASSWORD)
        sign_out()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(f"\n== amplify_py.auth against {server.name} ==\nsign_in (SRP) + sign_out: wall {_pct(wall)}   "
          f"client CPU {_pct(cpu)}   load {_load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--only", choices=["compare", "workers", "single", "inside", "client"], action="append")
    args = parser.parse_args()
    only = set(args.only or ["compare", "workers", "single", "inside", "client"])
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {_load()}")
    servers: list[Server] = []
    try:
        if only & {"compare", "single", "workers", "client"}:
            ours, moto = Ours(2), Moto()
            servers += [ours, moto]
            if "compare" in only:
                compare(ours, moto, args.seconds, args.reps)
            if "workers" in only:  # both on new state: the compare runs above left thousands of users in ours
                one, two = Ours(1), Ours(2)
                servers += [one, two]
                workers_scaling(one, two, args.seconds, args.reps)
            if "single" in only:
                single_operations([ours, moto], args.samples)
            if "client" in only:
                python_client(ours, max(20, args.samples // 4))
        if "inside" in only:
            inside_engine(args.samples, args.users)
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
