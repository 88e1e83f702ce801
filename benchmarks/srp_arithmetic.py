"""SRP's big-integer arithmetic per back-end: one 3072-bit modexp, and each SRP step on both sides.

Run: PYTHONPATH=. python benchmarks/srp_arithmetic.py [runs]

For each back-end of ``amplify_py._bigint`` (gmpy2's GMP, then the built-in ``pow``) prints the median
CPU time (this thread's, so other load on the machine inflates it less than wall time would) of: a modexp mod the 3072-bit N for the exponent sizes SRP uses (256 bits: b, u and x; 1024
bits: the client's a; 3072 bits for reference), g^e through a fixed-base table, building and using a comb
(``_bigint.Comb``: the engine's g and verifiers, the client's g), the
engine's make_verifier / password_matches / start / verify_proof (start + verify_proof is the SRP
math of one sign-in), and the client's SrpClient.create + password_verifier_responses.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable

from amplify_py import _bigint
from amplify_py.auth._srp import SrpClient
from amplify_py.local import srp

POOL_ID = "us-east-1_Bench1234"
USER_ID = "bench-user"
PASSWORD = "Passw0rd!"


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up: builds the fixed-base table for this back-end
    samples = []
    for _ in range(runs):
        start = time.thread_time()
        fn()
        samples.append((time.thread_time() - start) * 1000)
    return statistics.median(samples)


def _report(backend: str, runs: int) -> dict[str, float]:
    _bigint.BACKEND = backend
    rng = random.Random(3072)
    base = rng.getrandbits(3072) % srp.N
    results: dict[str, float] = {}
    for bits in (256, 1024, 3072):
        exponent = rng.getrandbits(bits) | (1 << (bits - 1))
        results[f"modexp, {bits}-bit exponent"] = _median_ms(lambda e=exponent: _bigint.powmod(base, e, srp.N), runs)
    exponent = rng.getrandbits(256) | (1 << 255)
    table = _bigint.FixedBase(srp.G, srp.N, max_bits=256)
    results["g^e fixed-base table, 256-bit e"] = _median_ms(lambda: table.pow(exponent), runs)
    for bits, teeth in ((256, 4), (256, 8), (1024, 8)):
        comb = _bigint.Comb(base, srp.N, bits=bits, teeth=teeth)
        exponent = rng.getrandbits(bits) | (1 << (bits - 1))
        results[f"comb build, {bits} bits, {teeth} teeth"] = _median_ms(
            lambda c=comb: _bigint.Comb(c.base, srp.N, bits=c.bits, teeth=c.teeth)._table(), max(3, runs // 10))
        results[f"comb use, {bits}-bit e, {teeth} teeth"] = _median_ms(lambda c=comb, e=exponent: c.pow(e), runs)

    salt, verifier = srp.make_verifier(POOL_ID, USER_ID, PASSWORD)
    client = SrpClient.create(POOL_ID.split("_")[1])
    challenge = srp.start(client.srp_a, verifier)
    params = {"USER_ID_FOR_SRP": USER_ID, "SRP_B": challenge.srp_b_hex, "SALT": srp.canonical_salt(salt),
              "SECRET_BLOCK": challenge.secret_block}
    answer = client.password_verifier_responses(params, PASSWORD)

    def verify() -> bool:
        return srp.verify_proof(challenge, verifier, POOL_ID, USER_ID, answer["PASSWORD_CLAIM_SECRET_BLOCK"],
                                answer["TIMESTAMP"], answer["PASSWORD_CLAIM_SIGNATURE"])

    assert verify()
    results["engine make_verifier"] = _median_ms(lambda: srp.make_verifier(POOL_ID, USER_ID, PASSWORD), runs)
    results["engine password_matches"] = _median_ms(
        lambda: srp.password_matches(POOL_ID, USER_ID, PASSWORD, salt, verifier), runs)
    results["engine start (B)"] = _median_ms(lambda: srp.start(client.srp_a, verifier), runs)
    results["engine verify_proof (S, M1)"] = _median_ms(verify, runs)
    results["client create (A)"] = _median_ms(lambda: SrpClient.create(POOL_ID.split("_")[1]), runs)
    results["client password_verifier_responses"] = _median_ms(
        lambda: client.password_verifier_responses(params, PASSWORD), runs)
    return results


def main(runs: int = 50) -> None:
    default = _bigint.BACKEND
    table = {backend: _report(backend, runs) for backend in _bigint.AVAILABLE}
    _bigint.BACKEND = default
    names = list(_bigint.AVAILABLE)
    print(f"{'median CPU ms (' + str(runs) + ' runs)':40s}" + "".join(f"{name:>10s}" for name in names)
          + ("     ratio" if len(names) == 2 else ""))
    for label in table[names[0]]:
        row = [table[name][label] for name in names]
        ratio = f"{row[1] / row[0]:9.1f}x" if len(row) == 2 else ""
        print(f"{label:40s}" + "".join(f"{value:10.3f}" for value in row) + ratio)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
