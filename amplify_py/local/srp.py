"""Server side of Cognito's SRP-6a variant (what USER_SRP_AUTH clients speak).

Cognito's flavour: the 3072-bit RFC 5054 group with g = 2, SHA-256, hex
padding so a value never reads as negative, x = H(salt | H(pool | user ":" pw))
where ``pool`` is the pool id without its region, a 16-byte key from HKDF
("Caldera Derived Key") over S with u as salt, and a client proof
M1 = HMAC(key, pool | user | secret_block | timestamp). The server stores only
the salt and the verifier v = g^x mod N, never the password.

The verifier is also the engine's only password secret: a plain password
(USER_PASSWORD_AUTH, PASSWORD, ChangePassword) is checked by recomputing
g^x and comparing it with v. A slow hash beside it would add nothing, since
anyone holding (salt, v) can already test a guess with one modexp.

Salts are kept in canonical form (``pad_hex`` of their value): amplify-js
hashes padHex(BigInteger(salt)), pycognito hashes the SALT string as sent,
and the two agree only when the string is already canonical.

The modexps go through ``amplify_py._bigint`` (GMP via gmpy2, the built-in ``pow`` if it is
missing); every value kept or sent stays a plain ``int`` or hex string.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from amplify_py import _bigint

__all__ = ["N", "G", "K", "make_verifier", "password_matches", "remembering_checks", "load_tables",
           "canonical_salt", "ServerChallenge", "start", "verify_proof", "verify_device_proof", "pad_hex"]

_N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B"
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31"
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(_N_HEX, 16)
G = 2
_INFO = b"Caldera Derived Key\x01"


def pad_hex(value: int | str) -> str:
    """Hex of a non-negative number, with a leading 00 when the top bit is set (as Cognito clients do)."""
    text = value if isinstance(value, str) else format(value, "x")
    if len(text) % 2 == 1:
        return "0" + text
    if text[0] in "89ABCDEFabcdef":
        return "00" + text
    return text


def _hash_hex(hex_text: str) -> int:
    return int(hashlib.sha256(bytes.fromhex(hex_text)).hexdigest(), 16)


K = _hash_hex("00" + _N_HEX + "02")

# g^b (in start) and g^x (x is a SHA-256 value: verifiers and password checks) always have base g
# and a 256-bit exponent, so a fixed-base table (8-bit digits: 32 multiplications, 3 MB per process, built
# on first use in about 25 ms) makes them ~5x cheaper than a plain modexp.
_G_POW = _bigint.FixedBase(G, N, max_bits=256, window=8)

# v^u (u is a SHA-256 value) at every PASSWORD_VERIFIER has the user's verifier as its base. A comb of v is
# public data (powers of v), kept per process for the most recently used verifiers: with 4 teeth it costs
# about one modexp to build and use the first time, then a third of one; from a verifier's fourth use on
# it is rebuilt with 8 teeth (a fifth). At most _VERIFIER_COMBS verifiers, about 100 KB each.
_VERIFIER_COMBS = 64
_REBUILD_AT = 4
_combs: OrderedDict[int, list] = OrderedDict()  # verifier -> [uses, Comb]
_combs_lock = threading.Lock()


def _verifier_pow(v: int, u: int) -> int:
    """``v ** u % N`` through the verifier's comb (see above)."""
    with _combs_lock:
        entry = _combs.get(v)
        if entry is None:
            entry = _combs[v] = [0, _bigint.Comb(v, N, bits=256, teeth=4)]
            if len(_combs) > _VERIFIER_COMBS:
                _combs.popitem(last=False)
        else:
            _combs.move_to_end(v)
        entry[0] += 1
        if entry[0] == _REBUILD_AT:
            entry[1] = _bigint.Comb(v, N, bits=256, teeth=8)
        comb = entry[1]
    return comb.pow(u)  # the table is built outside the lock; two threads building it at once both get it right


def _x(pool_name: str, user_id: str, password: str, salt_hex: str) -> int:
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return _hash_hex(pad_hex(int(salt_hex, 16)) + inner)


def canonical_salt(salt_hex: str) -> str:
    """The salt as every client hashes it (see the module docstring); what SALT must carry."""
    return pad_hex(int(salt_hex, 16))


def make_verifier(pool_id: str, user_id: str, password: str) -> tuple[str, str]:
    """(salt_hex, verifier_hex) for a new password; ``pool_id`` is the full id (region_XXXX)."""
    salt = pad_hex(secrets.randbits(128))
    x = _x(pool_id.split("_", 1)[1], user_id, password, salt)
    return salt, format(_G_POW.pow(x), "x")


def password_matches(pool_id: str, user_id: str, password: str, salt_hex: str, verifier_hex: str) -> bool:
    """Does ``password`` produce the stored verifier? Constant-time compare of the fixed-width values.

    Inside ``remembering_checks``, the same check asked twice is computed once."""
    def compute() -> bool:
        x = _x(pool_id.split("_", 1)[1], user_id, password, salt_hex)
        width = len(_N_HEX)
        given = format(_G_POW.pow(x), "x").zfill(width).encode()
        stored = format(int(verifier_hex, 16), "x").zfill(width).encode()
        return hmac.compare_digest(given, stored)

    return _remembered(("password", pool_id, user_id, password, salt_hex, verifier_hex), compute)


def _remembered(key: tuple, compute: Callable[[], bool]) -> bool:
    checked = _checked.get()
    if checked is None:
        return compute()
    if key not in checked:
        checked[key] = compute()
    return checked[key]


_checked: ContextVar[dict[tuple, bool] | None] = ContextVar("srp_checked", default=None)


@contextmanager
def remembering_checks() -> Iterator[None]:
    """One request's scope for ``password_matches`` and the proof checks: the engine checks a sign-in's password
    or SRP proof before it takes the database's write lock, and the sign-in, under the lock, finds the answer
    (for the same salt, verifier and challenge: a password changed in between is checked again). Nothing
    outlives the request."""
    token = _checked.set({})
    try:
        yield
    finally:
        _checked.reset(token)


def load_tables() -> None:
    """Build the g^e table now (about 25 ms) rather than in the first sign-up or sign-in (a worker's warm-up)."""
    _G_POW.pow(1)


@dataclass(frozen=True)
class ServerChallenge:
    """What the server keeps between InitiateAuth and PASSWORD_VERIFIER (never sent: b)."""

    b: int
    big_b: int
    a: int
    secret_block: str

    @property
    def srp_b_hex(self) -> str:
        return format(self.big_b, "x")


def start(srp_a_hex: str, verifier_hex: str) -> ServerChallenge:
    """Pick b, compute B = k*v + g^b; reject an A that is 0 mod N (a known attack)."""
    a = int(srp_a_hex, 16)
    if a % N == 0:
        raise ValueError("SRP_A is 0 mod N")
    v = int(verifier_hex, 16)
    while True:
        b = secrets.randbits(256)
        big_b = (K * v + _G_POW.pow(b)) % N
        if big_b % N != 0:
            break
    block = base64.b64encode(secrets.token_bytes(96)).decode()
    return ServerChallenge(b=b, big_b=big_b, a=a, secret_block=block)


def _hkdf(ikm: bytes, salt: bytes) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, _INFO, hashlib.sha256).digest()[:16]


def verify_proof(
    challenge: ServerChallenge,
    verifier_hex: str,
    pool_id: str,
    user_id: str,
    secret_block: str,
    timestamp: str,
    signature_b64: str,
) -> bool:
    """Recompute the client's M1 from the server side and compare in constant time."""
    return _proof_matches(challenge, verifier_hex, pool_id.split("_", 1)[1], user_id, secret_block, timestamp,
                          signature_b64)


def verify_device_proof(challenge: ServerChallenge, verifier_hex: str, device_group_key: str, device_key: str,
                        secret_block: str, timestamp: str, signature_b64: str) -> bool:
    """DEVICE_PASSWORD_VERIFIER: the same proof, with the DeviceGroupKey in the pool name's place and the
    DeviceKey in the user's (the device's verifier came from x = H(salt | H(group | key ":" secret)))."""
    return _proof_matches(challenge, verifier_hex, device_group_key, device_key, secret_block, timestamp,
                          signature_b64)


def _proof_matches(challenge: ServerChallenge, verifier_hex: str, pool_name: str, user_id: str, secret_block: str,
                   timestamp: str, signature_b64: str) -> bool:
    """Inside ``remembering_checks``, the same proof asked twice is computed once."""
    return _remembered(("proof", challenge.a, challenge.b, challenge.big_b, verifier_hex, pool_name, user_id,
                        secret_block, timestamp, signature_b64),
                       lambda: _compute_proof_matches(challenge, verifier_hex, pool_name, user_id, secret_block,
                                                      timestamp, signature_b64))


def _compute_proof_matches(challenge: ServerChallenge, verifier_hex: str, pool_name: str, user_id: str,
                           secret_block: str, timestamp: str, signature_b64: str) -> bool:
    v = int(verifier_hex, 16)
    u = _hash_hex(pad_hex(challenge.a) + pad_hex(challenge.big_b))
    if u == 0:
        return False
    s = _bigint.powmod(challenge.a * _verifier_pow(v, u) % N, challenge.b, N)
    key = _hkdf(bytes.fromhex(pad_hex(s)), bytes.fromhex(pad_hex(u)))
    try:
        block = base64.b64decode(secret_block)
        given = base64.b64decode(signature_b64)
    except (ValueError, TypeError):
        return False
    msg = pool_name.encode() + user_id.encode() + block + timestamp.encode()
    expected = hmac.new(key, msg, hashlib.sha256).digest()
    return hmac.compare_digest(expected, given)
