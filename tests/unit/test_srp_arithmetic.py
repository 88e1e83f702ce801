"""SRP's big-integer arithmetic: GMP (gmpy2) and the built-in ``pow`` give the same numbers.

Every test that takes ``backend`` runs twice, once per back-end of ``amplify_py._bigint``; the
"builtin" run also hides gmpy2, as on an install without it. Vectors: RFC 5054 Appendix B (the
published SRP-6a vector: 1024-bit group, SHA-1) for the arithmetic itself, and a Cognito-style one
(3072-bit group, SHA-256, Cognito's x, u and HKDF) where pycognito 2024.5.1, an independent
implementation, plays the other side of both our server and our client.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import importlib.util
import json
import random
import sys
from datetime import datetime, timezone
from types import SimpleNamespace

import gmpy2
import pytest
from pycognito import aws_srp

from amplify_py import _bigint
from amplify_py.auth import _srp as client_srp
from amplify_py.local import srp as server_srp


@pytest.fixture(params=["gmpy2", "builtin"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(_bigint, "BACKEND", request.param)
    if request.param == "builtin":
        monkeypatch.setattr(_bigint, "_gmpy2", None)  # any use of gmpy2 would now fail
    return request.param


def test_gmpy2_is_the_default_back_end() -> None:
    assert _bigint.AVAILABLE == ("gmpy2", "builtin")
    assert _bigint.BACKEND == "gmpy2"
    assert type(_bigint.powmod(2, 10, 1000)) is int


def test_without_gmpy2_the_module_falls_back_to_builtin_pow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gmpy2", None)  # makes `import gmpy2` raise ImportError
    spec = importlib.util.spec_from_file_location("_bigint_without_gmpy2", _bigint.__file__)
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    assert (fresh.AVAILABLE, fresh.BACKEND) == (("builtin",), "builtin")
    assert fresh.powmod(3, 200, server_srp.N) == pow(3, 200, server_srp.N)
    assert fresh.FixedBase(2, server_srp.N, 256).pow(12345) == pow(2, 12345, server_srp.N)
    assert fresh.Comb(2, server_srp.N, 256).pow(12345) == pow(2, 12345, server_srp.N)


_RNG = random.Random(5054)
_N = server_srp.N
POWMOD_CASES = [
    (2, 0, _N),
    (2, 1, _N),
    (0, 5, _N),
    (3, 0, 1),
    (-5, 3, 7),  # negative base: the client's (B - k*g^x) can be negative before reduction
    (_N - 1, 2, _N),
    (_N + 5, 3, _N),  # base above the modulus
    (_RNG.getrandbits(6144), _RNG.getrandbits(256), _N),
    (_RNG.getrandbits(3072), _RNG.getrandbits(1024), _N),
    (_RNG.getrandbits(3072), _RNG.getrandbits(3072), _N),
]


@pytest.mark.parametrize(("base", "exponent", "modulus"), POWMOD_CASES)
def test_powmod_equals_builtin_pow_and_returns_int(backend: str, base: int, exponent: int, modulus: int) -> None:
    result = _bigint.powmod(base, exponent, modulus)
    assert result == pow(base, exponent, modulus)
    assert type(result) is int


@pytest.mark.parametrize(
    "exponent",
    [0, 1, 15, 16, 17, 2**255, 2**256 - 1, _RNG.getrandbits(256), 2**256, _RNG.getrandbits(1024), -1],
)
@pytest.mark.parametrize("window", [4, 8])
def test_fixed_base_equals_builtin_pow_and_returns_int(backend: str, exponent: int, window: int) -> None:
    table = _bigint.FixedBase(2, _N, max_bits=256, window=window)  # 2**256 and larger, and -1: powmod
    result = table.pow(exponent)
    assert result == pow(2, exponent, _N)
    assert type(result) is int
    assert table.pow(exponent) == result  # the second call reuses the table built by the first


def test_fixed_base_keeps_one_table_per_back_end(monkeypatch: pytest.MonkeyPatch) -> None:
    table = _bigint.FixedBase(5, 1009, max_bits=16)
    for name in ("gmpy2", "builtin"):
        monkeypatch.setattr(_bigint, "BACKEND", name)
        assert [table.pow(e) for e in range(300)] == [pow(5, e, 1009) for e in range(300)]
    assert sorted(table._tables) == ["builtin", "gmpy2"]
    assert type(table._tables["gmpy2"][1][1][3]) is type(gmpy2.mpz(0))
    assert type(table._tables["builtin"][1][1][3]) is int


@pytest.mark.parametrize(("bits", "teeth"), [(256, 8), (256, 4), (1024, 8), (16, 3), (10, 4)])
def test_comb_equals_builtin_pow_and_returns_int(backend: str, bits: int, teeth: int) -> None:
    base = _RNG.getrandbits(3072)
    comb = _bigint.Comb(base, _N, bits=bits, teeth=teeth)  # 10 bits in 4 teeth: the last row is short
    exponents = [0, 1, 2**bits - 1, 2 ** (bits - 1), *(_RNG.getrandbits(bits) for _ in range(8 if bits <= 256 else 2)), 2**bits, -1]
    for exponent in exponents:  # 2**bits and -1 take the powmod path
        result = comb.pow(exponent)
        assert result == pow(base, exponent, _N)
        assert type(result) is int


def test_comb_keeps_one_table_per_back_end(monkeypatch: pytest.MonkeyPatch) -> None:
    comb = _bigint.Comb(5, 1009, bits=16, teeth=4)
    for name in ("gmpy2", "builtin"):
        monkeypatch.setattr(_bigint, "BACKEND", name)
        assert [comb.pow(e) for e in range(300)] == [pow(5, e, 1009) for e in range(300)]
    assert sorted(comb._tables) == ["builtin", "gmpy2"]
    assert len(comb._tables["gmpy2"][1]) == 16  # 2 ** teeth products
    assert type(comb._tables["gmpy2"][1][3]) is type(gmpy2.mpz(0))
    assert type(comb._tables["builtin"][1][3]) is int


def test_server_keeps_a_comb_per_recent_verifier_and_rebuilds_it_with_more_teeth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_srp, "_combs", type(server_srp._combs)())
    monkeypatch.setattr(server_srp, "_VERIFIER_COMBS", 2)
    verifiers = [_RNG.getrandbits(3072) % _N for _ in range(3)]
    u = _RNG.getrandbits(256)
    for use in range(1, server_srp._REBUILD_AT + 1):
        assert server_srp._verifier_pow(verifiers[0], u) == pow(verifiers[0], u, _N)
        assert server_srp._combs[verifiers[0]][0] == use
    assert server_srp._combs[verifiers[0]][1].teeth == 8  # rebuilt at the fourth use
    for v in verifiers[1:]:
        assert server_srp._verifier_pow(v, u) == pow(v, u, _N)
    assert list(server_srp._combs) == verifiers[1:]  # the least recently used one was let go
    assert server_srp._combs[verifiers[2]][1].teeth == 4


def test_a_password_check_is_remembered_within_one_request_only(monkeypatch: pytest.MonkeyPatch) -> None:
    modexps: list[int] = []
    real_pow = server_srp._G_POW.pow
    monkeypatch.setattr(server_srp._G_POW, "pow", lambda e: modexps.append(e) or real_pow(e))
    salt, verifier = server_srp.make_verifier("us-east-1_pool", "user", "Passw0rd!")
    modexps.clear()
    with server_srp.remembering_checks():
        assert server_srp.password_matches("us-east-1_pool", "user", "Passw0rd!", salt, verifier)
        assert server_srp.password_matches("us-east-1_pool", "user", "Passw0rd!", salt, verifier)
        assert not server_srp.password_matches("us-east-1_pool", "user", "wrong", salt, verifier)
        assert len(modexps) == 2  # the repeated check was not computed again
        new_salt, new_verifier = server_srp.make_verifier("us-east-1_pool", "user", "N3w-password")
        modexps.clear()
        assert not server_srp.password_matches("us-east-1_pool", "user", "Passw0rd!", new_salt, new_verifier)
        assert len(modexps) == 1  # a changed password is checked against its own verifier
    modexps.clear()
    assert server_srp.password_matches("us-east-1_pool", "user", "Passw0rd!", salt, verifier)
    assert len(modexps) == 1  # outside a request nothing is remembered
    with server_srp.remembering_checks():
        assert server_srp.password_matches("us-east-1_pool", "user", "Passw0rd!", salt, verifier)
    assert len(modexps) == 2  # nor from an earlier request


# RFC 5054 Appendix B: I = "alice", P = "password123", the 1024-bit group of Appendix A, g = 2, SHA-1.
def _rfc(text: str) -> int:
    return int("".join(text.split()), 16)


RFC_N = _rfc("""
    EEAF0AB9 ADB38DD6 9C33F80A FA8FC5E8 60726187 75FF3C0B 9EA2314C 9C256576 D674DF74 96EA81D3 383B4813 D692C6E0
    E0D5D8E2 50B98BE4 8E495C1D 6089DAD1 5DC7D7B4 6154D6B6 CE8EF4AD 69B15D49 82559B29 7BCF1885 C529F566 660E57EC
    68EDBC3C 05726CC0 2FD4CBF4 976EAA9A FD5138FE 8376435B 9FC61D2F C0EB06E3""")
RFC_SALT = _rfc("BEB25379 D1A8581E B5A72767 3A2441EE")
RFC_K = _rfc("7556AA04 5AEF2CDD 07ABAF0F 665C3E81 8913186F")
RFC_X = _rfc("94B7555A ABE9127C C58CCF49 93DB6CF8 4D16C124")
RFC_V = _rfc("""
    7E273DE8 696FFC4F 4E337D05 B4B375BE B0DDE156 9E8FA00A 9886D812 9BADA1F1 822223CA 1A605B53 0E379BA4 729FDC59
    F105B478 7E5186F5 C671085A 1447B52A 48CF1970 B4FB6F84 00BBF4CE BFBB1681 52E08AB5 EA53D15C 1AFF87B2 B9DA6E04
    E058AD51 CC72BFC9 033B564E 26480D78 E955A5E2 9E7AB245 DB2BE315 E2099AFB""")
RFC_A_PRIVATE = _rfc("60975527 035CF2AD 1989806F 0407210B C81EDC04 E2762A56 AFD529DD DA2D4393")
RFC_B_PRIVATE = _rfc("E487CB59 D31AC550 471E81F0 0F6928E0 1DDA08E9 74A004F4 9E61F5D1 05284D20")
RFC_A = _rfc("""
    61D5E490 F6F1B795 47B0704C 436F523D D0E560F0 C64115BB 72557EC4 4352E890 3211C046 92272D8B 2D1A5358 A2CF1B6E
    0BFCF99F 921530EC 8E393561 79EAE45E 42BA92AE ACED8251 71E1E8B9 AF6D9C03 E1327F44 BE087EF0 6530E69F 66615261
    EEF54073 CA11CF58 58F0EDFD FE15EFEA B349EF5D 76988A36 72FAC47B 0769447B""")
RFC_B = _rfc("""
    BD0C6151 2C692C0C B6D041FA 01BB152D 4916A1E7 7AF46AE1 05393011 BAF38964 DC46A067 0DD125B9 5A981652 236F99D9
    B681CBF8 7837EC99 6C6DA044 53728610 D0C6DDB5 8B318885 D7D82C7F 8DEB75CE 7BD4FBAA 37089E6F 9C6059F3 88838E7A
    00030B33 1EB76840 910440B1 B27AAEAE EB4012B7 D7665238 A8E3FB00 4B117B58""")
RFC_U = _rfc("CE38B959 3487DA98 554ED47D 70A7AE5F 462EF019")
RFC_PREMASTER = _rfc("""
    B0DC82BA BCF30674 AE450C02 87745E79 90A3381F 63B387AA F271A10D 233861E3 59B48220 F7C4693C 9AE12B0A 6F67809F
    0876E2D0 13800D6C 41BB59B6 D5979B5C 00A172B4 A2A5903A 0BDCAF8A 709585EB 2AFAFA8F 3499B200 210DCC1F 10EB3394
    3CD67FC8 8A2F39A4 BE5BEC4E C0A3212D C346D7E4 74B29EDE 8A469FFE CA686E5A""")


def _sha1_int(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha1(b"".join(parts)).digest(), "big")


def _pad(value: int) -> bytes:
    return value.to_bytes(128, "big")  # RFC 5054's PAD: to the length of N


@pytest.mark.parametrize("fixed_base", ["powmod", "fixed-base", "comb"])
def test_rfc5054_appendix_b_vector(backend: str, fixed_base: str) -> None:
    g_pow = {"powmod": lambda e: _bigint.powmod(2, e, RFC_N), "fixed-base": _bigint.FixedBase(2, RFC_N, max_bits=256).pow,
             "comb": _bigint.Comb(2, RFC_N, bits=256).pow}[fixed_base]
    k = _sha1_int(_pad(RFC_N), _pad(2))
    x = _sha1_int(RFC_SALT.to_bytes(16, "big"), hashlib.sha1(b"alice:password123").digest())
    assert (k, x) == (RFC_K, RFC_X)
    assert g_pow(x) == RFC_V
    assert g_pow(RFC_A_PRIVATE) == RFC_A
    big_b = (k * RFC_V + g_pow(RFC_B_PRIVATE)) % RFC_N
    assert big_b == RFC_B
    u = _sha1_int(_pad(RFC_A), _pad(RFC_B))
    assert u == RFC_U
    client_s = _bigint.powmod((RFC_B - k * g_pow(x)) % RFC_N, RFC_A_PRIVATE + u * x, RFC_N)
    server_s = _bigint.powmod(RFC_A * _bigint.powmod(RFC_V, u, RFC_N) % RFC_N, RFC_B_PRIVATE, RFC_N)
    assert client_s == server_s == RFC_PREMASTER
    assert all(type(value) is int for value in (big_b, client_s, server_s))


# A Cognito-style vector: fixed randoms (the RFC's salt, a and b), 3072-bit group, SHA-256.
POOL_ID = "us-east-1_Vector123"
USER_ID = "c0ffee00-user"
PASSWORD = "Correct-Horse1!"
SALT = RFC_SALT  # top bit set, so its canonical hex gains a leading 00
A_PRIVATE = RFC_A_PRIVATE
B_PRIVATE = RFC_B_PRIVATE
SECRET_BLOCK_BYTES = bytes(range(96))
SECRET_BLOCK = base64.b64encode(SECRET_BLOCK_BYTES).decode()
WHEN = datetime(2024, 3, 5, 7, 8, 9, tzinfo=timezone.utc)

# Computed once with pycognito 2024.5.1 (AWSSRP.process_challenge over the inputs above, B from
# pycognito's helpers and the built-in pow); the tests below also recompute it with pycognito.
PINNED_SIGNATURE = "TY0gpfd7k+woF4v6+09RDzzYJU72jbpXUL/mKpfr8DQ="


def _reference_verifier_and_b() -> tuple[str, str, str]:
    """(canonical salt, v, B) in hex from pycognito's helpers and the built-in pow, not from our code."""
    n = aws_srp.hex_to_long(aws_srp.N_HEX)
    k = aws_srp.hex_to_long(aws_srp.hex_hash("00" + aws_srp.N_HEX + "0" + aws_srp.G_HEX))
    salt_hex = aws_srp.pad_hex(SALT)
    inner = aws_srp.hash_sha256(f"{POOL_ID.split('_')[1]}{USER_ID}:{PASSWORD}".encode())
    v = pow(2, aws_srp.hex_to_long(aws_srp.hex_hash(salt_hex + inner)), n)
    return salt_hex, aws_srp.long_to_hex(v), aws_srp.long_to_hex((k * v + pow(2, B_PRIVATE, n)) % n)


def _pycognito_client() -> aws_srp.AWSSRP:
    client = aws_srp.AWSSRP(USER_ID, PASSWORD, POOL_ID, "client-id", client=object())
    client.small_a_value = A_PRIVATE
    client.large_a_value = client.calculate_a()
    client.get_cognito_formatted_timestamp = lambda _now: aws_srp.AWSSRP.get_cognito_formatted_timestamp(WHEN)
    return client


def _fixed_server_randoms(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's randoms, fixed: the salt (128 bits), b (256 bits) and the secret block (96 bytes)."""
    randbits = {128: SALT, 256: B_PRIVATE}
    monkeypatch.setattr(server_srp, "secrets", SimpleNamespace(
        randbits=lambda bits: randbits[bits], token_bytes=lambda size: SECRET_BLOCK_BYTES[:size]))


def test_our_server_accepts_pycognitos_proof(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _fixed_server_randoms(monkeypatch)
    salt_hex, v_hex, b_hex = _reference_verifier_and_b()
    assert server_srp.make_verifier(POOL_ID, USER_ID, PASSWORD) == (salt_hex, v_hex)
    assert server_srp.password_matches(POOL_ID, USER_ID, PASSWORD, salt_hex, v_hex)
    assert not server_srp.password_matches(POOL_ID, USER_ID, PASSWORD + "?", salt_hex, v_hex)

    client = _pycognito_client()
    challenge = server_srp.start(client.get_auth_params()["SRP_A"], v_hex)
    assert (challenge.b, challenge.srp_b_hex, challenge.secret_block) == (B_PRIVATE, b_hex, SECRET_BLOCK)
    response = client.process_challenge(
        {"USER_ID_FOR_SRP": USER_ID, "SALT": salt_hex, "SRP_B": challenge.srp_b_hex, "SECRET_BLOCK": SECRET_BLOCK},
        {"USERNAME": USER_ID},
    )
    assert response["PASSWORD_CLAIM_SIGNATURE"] == PINNED_SIGNATURE
    assert server_srp.verify_proof(challenge, v_hex, POOL_ID, USER_ID, SECRET_BLOCK, response["TIMESTAMP"],
                                   PINNED_SIGNATURE)
    forged = base64.b64encode(bytes([base64.b64decode(PINNED_SIGNATURE)[0] ^ 1]) +
                              base64.b64decode(PINNED_SIGNATURE)[1:]).decode()
    assert not server_srp.verify_proof(challenge, v_hex, POOL_ID, USER_ID, SECRET_BLOCK, response["TIMESTAMP"], forged)


def test_our_client_produces_pycognitos_proof(backend: str) -> None:
    salt_hex, _v_hex, b_hex = _reference_verifier_and_b()
    ours = client_srp.SrpClient.create(POOL_ID.split("_")[1], a=A_PRIVATE)
    theirs = _pycognito_client()
    assert ours.srp_a == theirs.get_auth_params()["SRP_A"]
    params = {"USER_ID_FOR_SRP": USER_ID, "SALT": salt_hex, "SRP_B": b_hex, "SECRET_BLOCK": SECRET_BLOCK}
    responses = ours.password_verifier_responses(params, PASSWORD, WHEN)
    assert responses["PASSWORD_CLAIM_SIGNATURE"] == PINNED_SIGNATURE
    assert responses == {**theirs.process_challenge(dict(params), {"USERNAME": USER_ID}), "USERNAME": USER_ID}


def test_values_leave_as_plain_ints_and_hex_strings(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _fixed_server_randoms(monkeypatch)
    salt_hex, v_hex = server_srp.make_verifier(POOL_ID, USER_ID, PASSWORD)
    assert (type(salt_hex), type(v_hex)) == (str, str)
    client = client_srp.SrpClient.create(POOL_ID.split("_")[1], a=A_PRIVATE)
    challenge = server_srp.start(client.srp_a, v_hex)
    for value in (challenge.b, challenge.big_b, challenge.a, client.a, client.A):
        assert type(value) is int
        assert hex(value) == "0x" + format(value, "x")
    # What the engine keeps between the two round trips, and what the client sends, must be JSON.
    assert json.loads(json.dumps(dataclasses.asdict(challenge))) == dataclasses.asdict(challenge)
    assert json.loads(json.dumps(dataclasses.asdict(client))) == dataclasses.asdict(client)
    # Hex on the wire: lowercase, no 0x, SRP_A not padded; pad_hex adds 00 when the top bit is set (A starts fa..).
    assert client.srp_a == format(client.A, "x") and client.srp_a.startswith("fa")
    padded = "00" + client.srp_a
    assert client_srp.pad_hex(client.A) == server_srp.pad_hex(client.A) == aws_srp.pad_hex(client.A) == padded
    assert server_srp.canonical_salt(salt_hex) == salt_hex == "00" + format(SALT, "x")
    assert challenge.srp_b_hex == format(challenge.big_b, "x") == _reference_verifier_and_b()[2]


def test_zero_mod_n_values_are_still_rejected(backend: str) -> None:
    _salt, v_hex = server_srp.make_verifier(POOL_ID, USER_ID, PASSWORD)
    for multiple in (0, server_srp.N, 2 * server_srp.N):
        with pytest.raises(ValueError, match="SRP_A is 0 mod N"):
            server_srp.start(format(multiple, "x"), v_hex)
        with pytest.raises(ValueError, match="B cannot be zero"):
            client_srp.SrpClient.create("Vector123", a=A_PRIVATE).password_key(USER_ID, PASSWORD, format(multiple, "x"),
                                                                               "00")
