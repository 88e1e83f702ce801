"""Cognito's SRP-6a client side (USER_SRP_AUTH, CUSTOM_WITH_SRP, USER_AUTH with PASSWORD_SRP, and a
remembered device's DEVICE_SRP_AUTH).

Cognito's variant: the 3072-bit group of RFC 5054 with g = 2, SHA-256, k = H(pad(N) | pad(g)),
x = H(pad(salt) | H(poolName | userIdForSrp | ":" | password)), the session key cut to 16
bytes with HKDF-SHA256 (salt = pad(u), info = "Caldera Derived Key" 0x01), and the claim
signature HMAC-SHA256(key, poolName | userIdForSrp | secretBlock | timestamp), base64.
"pad" is the two's-complement-style hex Cognito expects: even length, and a leading 00
when the top bit is set.

A device runs the same SRP with the DeviceGroupKey as poolName, the DeviceKey as userIdForSrp and a
random password only the device keeps (amplify-js' generateHashDevice and handleDeviceSRPAuth).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from amplify_py import _bigint

__all__ = [
    "N",
    "G",
    "K",
    "pad_hex",
    "hex_hash",
    "timestamp",
    "SrpClient",
    "hkdf_key",
    "claim_signature",
    "DeviceSecret",
    "device_secret",
]

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
_INFO = b"Caldera Derived Key\x01"

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def pad_hex(value: int | str) -> str:
    """Hex of a non-negative integer, even length, with 00 prepended when the high bit is set."""
    text = format(value, "x") if isinstance(value, int) else value.lower()
    if len(text) % 2:
        text = "0" + text
    if text[0] in "89abcdef":
        text = "00" + text
    return text


def hex_hash(hex_text: str) -> str:
    """SHA-256 of the bytes a hex string encodes, as 64 hex digits."""
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(hex_hash(pad_hex(N) + pad_hex(G)), 16)

# Every client modexp but the last has base g: A = g^a (a: 128 random bytes) and g^x (x: a SHA-256 value).
# Fixed-base combs (built once per process, on first use) make them about 3x and 4x cheaper than powmod.
_G_POW_A = _bigint.Comb(G, N, bits=1024, teeth=8)
_G_POW_X = _bigint.Comb(G, N, bits=256, teeth=8)


def timestamp(now: datetime | None = None) -> str:
    """Cognito's TIMESTAMP: "EEE MMM d HH:mm:ss UTC yyyy" in UTC, day not zero-padded."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return (
        f"{_WEEKDAYS[now.weekday()]} {_MONTHS[now.month - 1]} {now.day} "
        f"{now.hour:02d}:{now.minute:02d}:{now.second:02d} UTC {now.year}"
    )


def hkdf_key(ikm: bytes, salt: bytes) -> bytes:
    """HKDF-SHA256 with one output block, cut to 16 bytes, as Cognito derives the SRP key."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, _INFO, hashlib.sha256).digest()[:16]


def claim_signature(key: bytes, pool_name: str, user_id_for_srp: str, secret_block: str, now: str) -> str:
    """PASSWORD_CLAIM_SIGNATURE for PASSWORD_VERIFIER."""
    message = (
        pool_name.encode("utf-8")
        + user_id_for_srp.encode("utf-8")
        + base64.b64decode(secret_block + "=" * (-len(secret_block) % 4))
        + now.encode("utf-8")
    )
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")


@dataclass(frozen=True)
class DeviceSecret:
    """What ConfirmDevice registers: the device's random password (kept on the device) and its SRP
    salt and verifier (padded hex; ConfirmDevice sends both as base64 of their bytes)."""

    random_password: str
    salt: str
    verifier: str

    def verifier_config(self) -> dict[str, str]:
        """ConfirmDevice's DeviceSecretVerifierConfig."""
        return {
            "Salt": base64.b64encode(bytes.fromhex(self.salt)).decode("ascii"),
            "PasswordVerifier": base64.b64encode(bytes.fromhex(self.verifier)).decode("ascii"),
        }


def device_secret(device_group_key: str, device_key: str) -> DeviceSecret:
    """A new device secret, as amplify-js' generateHashDevice: 40 random bytes (base64) as the password,
    a 16-byte salt, x = H(pad(salt) | H(groupKey | deviceKey ":" password)) and the verifier g^x."""
    random_password = base64.b64encode(secrets.token_bytes(40)).decode("ascii")
    salt = pad_hex(int.from_bytes(secrets.token_bytes(16), "big"))
    inner = hashlib.sha256(f"{device_group_key}{device_key}:{random_password}".encode("utf-8")).hexdigest()
    x = int(hex_hash(salt + inner), 16)
    return DeviceSecret(random_password=random_password, salt=salt, verifier=pad_hex(_G_POW_X.pow(x)))


@dataclass(frozen=True)
class SrpClient:
    """One SRP exchange: the private ``a`` and the public ``A`` sent as SRP_A."""

    pool_name: str
    a: int
    A: int

    @classmethod
    def create(cls, pool_name: str, a: int | None = None) -> SrpClient:
        # 128 random bytes, as Amplify's generateRandomBigInteger.
        small_a = a if a is not None else int.from_bytes(secrets.token_bytes(128), "big")
        big_a = _G_POW_A.pow(small_a)
        if big_a % N == 0:
            raise ValueError("Illegal parameter. A mod N cannot be 0.")
        return cls(pool_name=pool_name, a=small_a, A=big_a)

    @property
    def srp_a(self) -> str:
        """SRP_A as Amplify sends it: plain lowercase hex, not padded."""
        return format(self.A, "x")

    def password_key(self, user_id_for_srp: str, password: str, srp_b: str, salt: str) -> bytes:
        """The 16-byte HKDF key from the server's B and salt (hex strings)."""
        big_b = int(srp_b, 16)
        if big_b % N == 0:
            raise ValueError("B cannot be zero.")
        u = int(hex_hash(pad_hex(self.A) + pad_hex(big_b)), 16)
        if u == 0:
            raise ValueError("U cannot be zero.")
        inner = hashlib.sha256(f"{self.pool_name}{user_id_for_srp}:{password}".encode("utf-8")).hexdigest()
        x = int(hex_hash(pad_hex(int(salt, 16)) + inner), 16)
        s = _bigint.powmod((big_b - K * _G_POW_X.pow(x)) % N, self.a + u * x, N)
        return hkdf_key(bytes.fromhex(pad_hex(s)), bytes.fromhex(pad_hex(u)))

    def password_verifier_responses(
        self, challenge_parameters: dict[str, str], password: str, now: datetime | None = None
    ) -> dict[str, str]:
        """ChallengeResponses for PASSWORD_VERIFIER, in Amplify's field order."""
        user_id = challenge_parameters["USER_ID_FOR_SRP"]
        key = self.password_key(user_id, password, challenge_parameters["SRP_B"], challenge_parameters["SALT"])
        stamp = timestamp(now)
        return {
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": challenge_parameters["SECRET_BLOCK"],
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SIGNATURE": claim_signature(
                key, self.pool_name, user_id, challenge_parameters["SECRET_BLOCK"], stamp
            ),
        }

    def device_password_verifier_responses(
        self,
        challenge_parameters: dict[str, str],
        username: str,
        device_key: str,
        random_password: str,
        now: datetime | None = None,
    ) -> dict[str, str]:
        """ChallengeResponses for DEVICE_PASSWORD_VERIFIER (this client made with the DeviceGroupKey as pool name)."""
        key = self.password_key(device_key, random_password, challenge_parameters["SRP_B"], challenge_parameters["SALT"])
        stamp = timestamp(now)
        block = challenge_parameters["SECRET_BLOCK"]
        return {
            "USERNAME": challenge_parameters.get("USERNAME") or username,
            "PASSWORD_CLAIM_SECRET_BLOCK": block,
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SIGNATURE": claim_signature(key, self.pool_name, device_key, block, stamp),
            "DEVICE_KEY": device_key,
        }
