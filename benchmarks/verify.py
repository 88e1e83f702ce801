"""How long amplify_py.verify takes on tokens from the local engine.

Run from the repo root: python benchmarks/verify.py [--aws-jwt-verify [DIR]]  (prints time per call).
Measures the first verify (which downloads the JWKS from the engine), then verify and
verify_async with the key cached, next to PyJWT's own jwt.decode on the same token
(signature and exp only), and a refused token (an ID token sent where an access token is
expected). With --aws-jwt-verify, aws-jwt-verify 5.2.1 is npm-installed into a temporary
folder (or DIR, reused if it has node_modules) and verifies the same token with the same
checks (JwtVerifier + validateCognitoJwtFields; it only downloads JWKS over https, so the
engine's JWKS is handed to it with cacheJwks): its verifySync and verify, key cached.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "client"))

import jwt  # noqa: E402
from engine_backend import outputs_for, template  # noqa: E402

from amplify_py._node import bundled_node  # noqa: E402
from amplify_py.auth import confirm_sign_up, fetch_auth_session, sign_in, sign_up  # noqa: E402
from amplify_py.auth._config import Amplify  # noqa: E402
from amplify_py.local import LocalEngine  # noqa: E402
from amplify_py.verify import CognitoJwtInvalidTokenUseError, CognitoJwtVerifier  # noqa: E402


def report(label: str, samples: list[float]) -> None:
    micro = [s * 1e6 for s in samples]
    print(f"{label:50s} median {statistics.median(micro):8.1f} us   p99 {sorted(micro)[int(len(micro) * 0.99)]:8.1f} us"
          f"   ({len(micro)} runs)")


AWS_JWT_VERIFY = "aws-jwt-verify@5.2.1"
NODE_SCRIPT = r"""
const { JwtVerifier } = require("aws-jwt-verify");
const { validateCognitoJwtFields } = require("aws-jwt-verify/cognito-verifier");
const [issuer, clientId, token, jwks, runs] = process.argv.slice(2);
const verifier = JwtVerifier.create({
  issuer, jwksUri: issuer + "/.well-known/jwks.json", audience: null,
  customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: "access", clientId }),
});
verifier.cacheJwks(JSON.parse(jwks));
const stats = (s) => { s.sort((a, b) => a - b); return [s[s.length >> 1], s[Math.floor(s.length * 0.99)]]; };
(async () => {
  const sync = [], asyncSamples = [];
  for (let i = 0; i < Number(runs); i++) {
    const t = process.hrtime.bigint(); verifier.verifySync(token); sync.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  for (let i = 0; i < Number(runs); i++) {
    const t = process.hrtime.bigint(); await verifier.verify(token); asyncSamples.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  console.log(JSON.stringify({ sync: stats(sync), async: stats(asyncSamples), runs: Number(runs) }));
})();
"""


def aws_jwt_verify(folder: Path, issuer: str, client_id: str, token: str, jwks: dict, runs: int) -> None:
    node = str(bundled_node()) if bundled_node() else shutil.which("node")  # the virtualenv's Node 22, as synth.py
    npm = shutil.which("npm")
    if not node or not npm:
        raise SystemExit("--aws-jwt-verify needs node and npm")
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "node_modules" / "aws-jwt-verify").is_dir():
        subprocess.run([npm, "init", "-y"], cwd=folder, check=True, capture_output=True)
        subprocess.run([npm, "install", "-s", AWS_JWT_VERIFY], cwd=folder, check=True)
    (folder / "bench.js").write_text(NODE_SCRIPT)
    out = subprocess.run([node, "bench.js", issuer, client_id, token, json.dumps(jwks), str(runs)], cwd=folder,
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    for name, label in (("sync", "verifySync"), ("async", "verify")):
        median, p99 = result[name]
        print(f"{'aws-jwt-verify ' + label + ', key cached (node ' + version + ')':50s} median {median:8.1f} us   "
              f"p99 {p99:8.1f} us   ({result['runs']} runs)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--aws-jwt-verify", nargs="?", const="", default=None, metavar="DIR",
                        help="also time aws-jwt-verify (npm-installed into DIR or a temporary folder)")
    args = parser.parse_args()
    engine = LocalEngine(Path(tempfile.mkdtemp()), port=0).start()
    try:
        result = engine.deploy("bench", template("email_default"))
        outputs = outputs_for("email_default", result.physical_ids, result.region, engine.endpoint)
        Amplify.configure(outputs)
        sign_up(username="bench@example.com", password="Sup3r-secret!",
                options={"user_attributes": {"email": "bench@example.com"}})
        code = [m["code"] for m in engine.messages() if m["recipient"] == "bench@example.com"][-1]
        confirm_sign_up(username="bench@example.com", confirmation_code=code)
        sign_in(username="bench@example.com", password="Sup3r-secret!")
        tokens = fetch_auth_session().tokens
        access, id_token = str(tokens.access_token), str(tokens.id_token)

        cold = []
        for _ in range(20):
            verifier = CognitoJwtVerifier.from_outputs(outputs, token_use="access")
            start = time.perf_counter()
            verifier.verify(access)
            cold.append(time.perf_counter() - start)
        report("first verify (downloads the engine's JWKS)", cold)

        runs = 3000
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            verifier.verify(access)
            samples.append(time.perf_counter() - start)
        report("verify, key cached", samples)

        async def timed_async() -> list[float]:
            out = []
            for _ in range(runs):
                start = time.perf_counter()
                await verifier.verify_async(access)
                out.append(time.perf_counter() - start)
            return out

        report("verify_async, key cached", asyncio.run(timed_async()))

        key = jwt.PyJWK(verifier.jwks_cache.cached_jwks(verifier.jwks_uri)["keys"][0])
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            jwt.decode(access, key, algorithms=["RS256"], options={"verify_aud": False})
            samples.append(time.perf_counter() - start)
        report("PyJWT jwt.decode (signature + exp only)", samples)

        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            try:
                verifier.verify(id_token)
            except CognitoJwtInvalidTokenUseError:
                pass
            samples.append(time.perf_counter() - start)
        report("refused: ID token to an access verifier", samples)

        if args.aws_jwt_verify is not None:
            folder = Path(args.aws_jwt_verify) if args.aws_jwt_verify else Path(tempfile.mkdtemp()) / "ajv"
            aws_jwt_verify(folder, verifier.issuer, outputs["auth"]["user_pool_client_id"], access,
                           verifier.jwks_cache.cached_jwks(verifier.jwks_uri), runs)
    finally:
        engine.stop()


if __name__ == "__main__":
    main()
