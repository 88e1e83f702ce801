"""Our server-side SRP agrees with pycognito's client math; a wrong password never verifies."""

from __future__ import annotations

from pycognito.aws_srp import AWSSRP

from amplify_py.local import srp

POOL_ID = "us-east-1_AbCdEf123"
USER_ID = "0b8c6a4e-user"


_VERIFIER = srp.make_verifier(POOL_ID, USER_ID, "Correct-Horse1!")


def _run(password: str) -> bool:
    client = AWSSRP(username=USER_ID, password=password, pool_id=POOL_ID, client_id="c", client=object())
    challenge = srp.start(client.get_auth_params()["SRP_A"], _VERIFIER[1])
    response = client.process_challenge(
        {"USER_ID_FOR_SRP": USER_ID, "SALT": _VERIFIER[0], "SRP_B": challenge.srp_b_hex,
         "SECRET_BLOCK": challenge.secret_block, "USERNAME": USER_ID},
        {"USERNAME": USER_ID},
    )
    return srp.verify_proof(challenge, _VERIFIER[1], POOL_ID, USER_ID, response["PASSWORD_CLAIM_SECRET_BLOCK"],
                            response["TIMESTAMP"], response["PASSWORD_CLAIM_SIGNATURE"])


def test_pycognito_client_proof_verifies() -> None:
    assert all(_run("Correct-Horse1!") for _ in range(3))


def test_wrong_password_fails() -> None:
    assert not _run("Correct-Horse1?")


def test_tampered_timestamp_fails() -> None:
    client = AWSSRP(username=USER_ID, password="Correct-Horse1!", pool_id=POOL_ID, client_id="c", client=object())
    challenge = srp.start(client.get_auth_params()["SRP_A"], _VERIFIER[1])
    response = client.process_challenge(
        {"USER_ID_FOR_SRP": USER_ID, "SALT": _VERIFIER[0], "SRP_B": challenge.srp_b_hex,
         "SECRET_BLOCK": challenge.secret_block, "USERNAME": USER_ID}, {"USERNAME": USER_ID})
    assert not srp.verify_proof(challenge, _VERIFIER[1], POOL_ID, USER_ID, response["PASSWORD_CLAIM_SECRET_BLOCK"],
                                response["TIMESTAMP"] + " ", response["PASSWORD_CLAIM_SIGNATURE"])


def test_zero_a_is_rejected() -> None:
    import pytest

    with pytest.raises(ValueError, match="SRP_A is 0 mod N"):
        srp.start(format(srp.N, "x"), _VERIFIER[1])


def test_pad_hex_matches_cognito_clients() -> None:
    assert srp.pad_hex(0x0F) == "0f"
    assert srp.pad_hex(0x80) == "0080"
    assert srp.pad_hex(0x7F) == "7f"
