"""The SRP math of a sign-up and of a password sign-in runs while the database's writers' lock is free, so the
workers of a multi-process engine do not wait through each other's modexps; and doing it early changes no
answer: a password changed between the early check and the sign-in is checked again."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from amplify_py.local import LocalEngine, srp
from amplify_py.local.errors import CognitoError
from amplify_py.local.operations import registry
from tests._flock import writers_lock_held
from tests.engine.conftest import CLIENT, PASSWORD, POOL, template

IDP = "AWSCognitoIdentityProviderService."


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[LocalEngine]:
    engine = LocalEngine(tmp_path)  # not serving: operations are called as the HTTP face calls them
    yield engine
    engine.stop()


def _call(engine: LocalEngine, operation: str, body: dict) -> dict:
    return registry.dispatch(engine.context, IDP + operation, body)


def _deploy(engine: LocalEngine) -> tuple[str, str]:
    ids = engine.deploy("locks", template("email_default", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])).physical_ids
    return ids[POOL], ids[CLIENT]


def _writers_lock_held(engine: LocalEngine) -> bool:
    return writers_lock_held(engine.state_dir / "engine.sqlite3-writer")


def _modexps_with_the_lock(engine: LocalEngine, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each g^e the engine computes from now on: was the writers' flock held (by anyone) at the time?"""
    held: list[bool] = []
    real_pow = srp._G_POW.pow

    def pow_noting_the_lock(exponent: int) -> int:
        held.append(_writers_lock_held(engine))
        return real_pow(exponent)

    monkeypatch.setattr(srp._G_POW, "pow", pow_noting_the_lock)
    return held


def test_sign_up_and_password_sign_in_compute_outside_the_writers_lock(engine: LocalEngine,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    pool_id, client_id = _deploy(engine)
    assert (engine.state_dir / "engine.sqlite3-writer").exists()
    held = _modexps_with_the_lock(engine, monkeypatch)
    _call(engine, "SignUp", {"ClientId": client_id, "Username": "ada@example.com", "Password": PASSWORD,
                             "UserAttributes": [{"Name": "email", "Value": "ada@example.com"}]})
    assert held == [False]  # the verifier
    _call(engine, "AdminConfirmSignUp", {"UserPoolId": pool_id, "Username": "ada@example.com"})
    held.clear()
    answer = _call(engine, "InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                            "AuthParameters": {"USERNAME": "ada@example.com", "PASSWORD": PASSWORD}})
    assert "AccessToken" in answer["AuthenticationResult"]
    assert held == [False]  # one check, before the write transaction; the sign-in found it done
    held.clear()
    with pytest.raises(CognitoError, match="^NotAuthorizedException: Incorrect username or password.$"):
        _call(engine, "AdminInitiateAuth", {"UserPoolId": pool_id, "ClientId": client_id,
                                            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                                            "AuthParameters": {"USERNAME": "ada@example.com", "PASSWORD": "Wr0ng-pass"}})
    assert held == [False]
    user = engine.context.store.one("SELECT data FROM users WHERE pool_id = ? AND email_key = ?",
                                    (pool_id, "ada@example.com"))
    assert '"failed": 1' in user[0]  # the failure was still counted, under the lock


def test_a_password_changed_after_the_early_check_is_checked_again(engine: LocalEngine,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pool_id, client_id = _deploy(engine)
    _call(engine, "AdminCreateUser", {"UserPoolId": pool_id, "Username": "bo@example.com", "MessageAction": "SUPPRESS",
                                      "UserAttributes": [{"Name": "email", "Value": "bo@example.com"}]})
    _call(engine, "AdminSetUserPassword", {"UserPoolId": pool_id, "Username": "bo@example.com", "Password": PASSWORD,
                                           "Permanent": True})
    early = registry.CHECKED_EARLY["InitiateAuth"]

    def early_then_a_new_password(ctx, body):  # another request changes it between the two
        early(ctx, body)
        _call(engine, "AdminSetUserPassword", {"UserPoolId": pool_id, "Username": "bo@example.com",
                                               "Password": "N3w-Passw0rd!", "Permanent": True})

    monkeypatch.setitem(registry.CHECKED_EARLY, "InitiateAuth", early_then_a_new_password)
    with pytest.raises(CognitoError, match="^NotAuthorizedException: Incorrect username or password.$"):
        _call(engine, "InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                       "AuthParameters": {"USERNAME": "bo@example.com", "PASSWORD": PASSWORD}})
    answer = _call(engine, "InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                            "AuthParameters": {"USERNAME": "bo@example.com", "PASSWORD": "N3w-Passw0rd!"}})
    assert "AccessToken" in answer["AuthenticationResult"]


def test_an_srp_proof_is_checked_outside_the_writers_lock(engine: LocalEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    from amplify_py import _bigint
    from amplify_py.auth._srp import SrpClient

    pool_id, client_id = _deploy(engine)
    engine.deploy("locks", template("email_default", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH",
                                                                        "ALLOW_REFRESH_TOKEN_AUTH"]))
    _call(engine, "AdminCreateUser", {"UserPoolId": pool_id, "Username": "cy@example.com", "MessageAction": "SUPPRESS",
                                      "UserAttributes": [{"Name": "email", "Value": "cy@example.com"}]})
    _call(engine, "AdminSetUserPassword", {"UserPoolId": pool_id, "Username": "cy@example.com", "Password": PASSWORD,
                                           "Permanent": True})
    proofs: list[bool] = []  # the proof's (A * v^u)^b: was the writers' flock held?
    real_powmod = _bigint.powmod

    def powmod_noting_the_lock(base: int, exponent: int, modulus: int) -> int:
        if modulus == srp.N and exponent.bit_length() <= 256:  # the server's b: 256 bits
            proofs.append(_writers_lock_held(engine))
        return real_powmod(base, exponent, modulus)

    for wrong in (False, True):
        client = SrpClient.create(pool_id.split("_", 1)[1])
        challenge = _call(engine, "InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_SRP_AUTH",
                                                   "AuthParameters": {"USERNAME": "cy@example.com", "SRP_A": client.srp_a}})
        responses = client.password_verifier_responses(challenge["ChallengeParameters"],
                                                       "Wr0ng-pass" if wrong else PASSWORD)
        monkeypatch.setattr(_bigint, "powmod", powmod_noting_the_lock)
        body = {"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses}
        if wrong:
            with pytest.raises(CognitoError, match="^NotAuthorizedException: Incorrect username or password.$"):
                _call(engine, "RespondToAuthChallenge", body)
        else:
            assert "AccessToken" in _call(engine, "RespondToAuthChallenge", body)["AuthenticationResult"]
        monkeypatch.setattr(_bigint, "powmod", real_powmod)
        assert proofs == [False], proofs  # once, early; the sign-in under the lock found the answer
        proofs.clear()
