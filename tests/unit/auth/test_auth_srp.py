"""The client's SRP math against pycognito (a second implementation) and a pinned vector."""

from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest
from pycognito import aws_srp

from amplify_py.auth._srp import G, K, N, SrpClient, pad_hex, timestamp

A_PRIVATE = int("a1" * 128, 16)
B_SERVER = pow(G, int("5b" * 64, 16), N)
SALT = "8f2ca3d6e1b04f7a9c3e5d7b1a2f4e6c"
SECRET_BLOCK = base64.b64encode(bytes(range(1, 65))).decode()
WHEN = datetime(2024, 3, 5, 7, 8, 9, tzinfo=timezone.utc)
PARAMS = {"USER_ID_FOR_SRP": "user-123", "SRP_B": format(B_SERVER, "x"), "SALT": SALT, "SECRET_BLOCK": SECRET_BLOCK}

# Computed once with pycognito 2024.5.1 (AWSSRP.process_challenge with the inputs above);
# test_matches_pycognito recomputes it, so the pin is checked against an independent implementation.
PINNED_SIGNATURE = "pH9dsk546Z69/9/3mFrGD7IzdwSzWdc/Dxw8AUgM4l0="
PINNED_KEY = "300d270bd5cc465be0aec86e709564a0"


def _pycognito(password: str) -> dict[str, str]:
    srp = aws_srp.AWSSRP("user", password, "us-east-1_TestPool1", "client", client=object())
    srp.small_a_value = A_PRIVATE
    srp.large_a_value = srp.calculate_a()
    srp.get_cognito_formatted_timestamp = lambda _now: aws_srp.AWSSRP.get_cognito_formatted_timestamp(WHEN)
    return srp.process_challenge(dict(PARAMS), {"USERNAME": "user-123"})


def test_group_constants_match_pycognito() -> None:
    assert N == aws_srp.hex_to_long(aws_srp.N_HEX)
    assert N.bit_length() == 3072
    assert K == aws_srp.hex_to_long(aws_srp.hex_hash("00" + aws_srp.N_HEX + "0" + aws_srp.G_HEX))


def test_public_a_is_g_to_the_a_in_plain_hex() -> None:
    client = SrpClient.create("TestPool1", a=A_PRIVATE)
    assert client.A == pow(2, A_PRIVATE, N)
    assert client.srp_a == format(client.A, "x")


def test_matches_pycognito() -> None:
    ours = SrpClient.create("TestPool1", a=A_PRIVATE).password_verifier_responses(PARAMS, "Passw0rd!", WHEN)
    theirs = _pycognito("Passw0rd!")
    assert ours == {
        "USERNAME": "user-123",
        "PASSWORD_CLAIM_SECRET_BLOCK": SECRET_BLOCK,
        "TIMESTAMP": "Tue Mar 5 07:08:09 UTC 2024",
        "PASSWORD_CLAIM_SIGNATURE": theirs["PASSWORD_CLAIM_SIGNATURE"],
    }
    assert theirs["TIMESTAMP"] == ours["TIMESTAMP"]


def test_pinned_vector() -> None:
    client = SrpClient.create("TestPool1", a=A_PRIVATE)
    assert client.password_key("user-123", "Passw0rd!", PARAMS["SRP_B"], SALT).hex() == PINNED_KEY
    assert client.password_verifier_responses(PARAMS, "Passw0rd!", WHEN)["PASSWORD_CLAIM_SIGNATURE"] == PINNED_SIGNATURE
    assert _pycognito("Passw0rd!")["PASSWORD_CLAIM_SIGNATURE"] == PINNED_SIGNATURE


def test_wrong_password_gives_another_signature() -> None:
    client = SrpClient.create("TestPool1", a=A_PRIVATE)
    assert client.password_verifier_responses(PARAMS, "wrong", WHEN)["PASSWORD_CLAIM_SIGNATURE"] != PINNED_SIGNATURE


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0x1, "01"), (0xF, "0f"), (0x7F, "7f"), (0x80, "0080"), (0xABC, "0abc"), (0x8ABC, "008abc"), ("0a", "0a")],
)
def test_pad_hex(value: int | str, expected: str) -> None:
    assert pad_hex(value) == expected
    if isinstance(value, int):
        assert pad_hex(value) == aws_srp.pad_hex(value)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (datetime(2024, 3, 5, 7, 8, 9, tzinfo=timezone.utc), "Tue Mar 5 07:08:09 UTC 2024"),
        (datetime(2023, 12, 31, 23, 59, 0, tzinfo=timezone.utc), "Sun Dec 31 23:59:00 UTC 2023"),
        (datetime(2025, 1, 10, 0, 0, 5, tzinfo=timezone.utc), "Fri Jan 10 00:00:05 UTC 2025"),
    ],
)
def test_timestamp_format(when: datetime, expected: str) -> None:
    assert timestamp(when) == expected == aws_srp.AWSSRP.get_cognito_formatted_timestamp(when)


def test_b_multiple_of_n_is_rejected() -> None:
    client = SrpClient.create("TestPool1", a=A_PRIVATE)
    with pytest.raises(ValueError, match="B cannot be zero"):
        client.password_key("user-123", "pw", format(N, "x"), SALT)
