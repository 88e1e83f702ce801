"""What a custom sender costs on the local engine (prints numbers): the engine's encryption of one code (an
Encryption SDK message with an ECDSA P-384 signature), and a whole sign-up whose code the documented Python
sender (tests/data/functions/custom_sender) decrypts through the engine's KMS face, warm."""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path

import boto3

from amplify_py import define_auth, define_backend
from amplify_py.backend.function import define_function
from amplify_py.local import LocalEngine
from amplify_py.local.rules import kms

SENDER = Path(__file__).resolve().parent.parent / "tests" / "data" / "functions" / "custom_sender" / "custom_email_sender.py"
POOL, CLIENT = "amplifyAuthUserPool4BA7F805", "amplifyAuthUserPoolAppClient2626C6F8"


def _median_ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.2f} ms"


def main() -> None:
    sender = define_function(entry=SENDER)
    backend = define_backend(auth=define_auth(login_with={"email": True}, senders={"email": {"handler": sender}}))
    outdir = Path(tempfile.mkdtemp())
    backend.configure(stack_name="SenderBench", outdir=outdir)
    sender.resolve_function(backend.stack).add_environment(
        "KEY_ARN", backend.stack.node.find_child("CustomSenderKey").key_arn)
    template = backend.synth()
    sent: list[str] = []
    engine = LocalEngine(Path(tempfile.mkdtemp()), on_log=lambda name, line: sent.append(line)).start()
    try:
        ids = engine.deploy("bench", template, assembly_dir=outdir).physical_ids
        pool = engine.context.pool(ids[POOL])
        encrypt = []
        for _ in range(200):
            started = time.perf_counter()
            with engine.context.store.lock:
                kms.encrypt_sender_code(engine.context, pool, "123456")
            encrypt.append(time.perf_counter() - started)
        idp = boto3.client("cognito-idp", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs())
        sign_ups = []
        for n in range(41):
            started = time.perf_counter()
            idp.sign_up(ClientId=ids[CLIENT], Username=f"u{n}@example.com", Password="Sup3r-secret!",
                        UserAttributes=[{"Name": "email", "Value": f"u{n}@example.com"}])
            sign_ups.append(time.perf_counter() - started)
        assert sum(1 for line in sent if re.search(r"confirmation code is \d{6}$", line)) == 41
        print(f"engine encrypts one code for a sender: {_median_ms(encrypt)}")
        print(f"first sign-up through the sender (worker start, SDK import): {sign_ups[0] * 1000:.0f} ms")
        print(f"warm sign-up, code decrypted by the sender through the KMS face: {_median_ms(sign_ups[1:])}")
    finally:
        engine.stop()


if __name__ == "__main__":
    main()
