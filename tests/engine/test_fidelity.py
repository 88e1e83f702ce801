"""Cognito behaviours checked against its documentation: one password secret, TOTP reuse, lockout, masking."""

from __future__ import annotations

import re

import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from amplify_py.local import srp
from tests.engine.conftest import PASSWORD, Env, make_env, in_process


@pytest.fixture(scope="module")
def env(engine_and_clock) -> Env:
    return make_env(engine_and_clock, "fidelity", "email_default",
                    ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


@pytest.fixture(scope="module")
def mfa(engine_and_clock) -> Env:
    return make_env(engine_and_clock, "fidelity-mfa", "mfa_optional_totp_sms",
                    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


def _error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def _stored(env: Env, username: str) -> dict:
    """The user's stored record, as the store keeps it (JSON)."""
    return env.engine.context.store.find_user(env.pool_id, "email_key", username)


def _put(env: Env, user: dict) -> None:
    """Write a record exactly as given (an earlier engine's row, say), keyed as the directory keys it."""
    from amplify_py.local.rules.directory import username_key

    pool = env.engine.context.pool(env.pool_id)
    email = user["attributes"].get("email")
    env.engine.context.store.put_user(pool.id, user["username"], user["sub"], user,
                                      username_key=username_key(pool, user["username"]),
                                      email_key=email.lower() if email else None,
                                      phone_key=user["attributes"].get("phone_number"))


# --- one password secret ----------------------------------------------------------
def test_password_flows_use_the_srp_verifier_only(env: Env) -> None:
    env.confirmed_user("one@example.com")
    user = _stored(env, "one@example.com")
    assert user["srp_verifier"] and "pw_hash" not in user and "pw_salt" not in user
    assert "AuthenticationResult" in env.password_sign_in("one@example.com")
    with pytest.raises(ClientError, match=re.escape("Incorrect username or password.")) as exc:
        env.password_sign_in("one@example.com", "Passw0rd?")
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    tokens = env.srp_sign_in("one@example.com")["AuthenticationResult"]
    with pytest.raises(ClientError, match=re.escape("Incorrect username or password.")) as exc:
        env.idp.change_password(AccessToken=tokens["AccessToken"], PreviousPassword="Passw0rd?",
                                ProposedPassword="N3w-Passw0rd!")
    assert _error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    env.idp.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword="N3w-Passw0rd!")
    assert "AuthenticationResult" in env.password_sign_in("one@example.com", "N3w-Passw0rd!")
    assert "AuthenticationResult" in env.srp_sign_in("one@example.com", "N3w-Passw0rd!")


def test_rows_from_before_keep_working_and_shed_the_old_hash(env: Env) -> None:
    """Rows written with a scrypt hash beside the verifier (every earlier row had both) still sign in."""
    env.confirmed_user("old@example.com")
    user = _stored(env, "old@example.com")
    user["pw_salt"], user["pw_hash"] = "00" * 16, "ab" * 64  # what the earlier engine stored next to the verifier
    _put(env, user)
    assert "AuthenticationResult" in env.password_sign_in("old@example.com")
    tokens = env.srp_sign_in("old@example.com")["AuthenticationResult"]
    env.idp.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword="N3w-Passw0rd!")
    assert "pw_hash" not in _stored(env, "old@example.com")


def test_a_non_canonical_stored_salt_still_signs_in_with_pycognito(env: Env) -> None:
    """A salt such as 00 6a… (as earlier rows could hold) is sent canonical, so every client hashes what we hash."""
    out = env.confirmed_user("salt@example.com")
    user = _stored(env, "salt@example.com")
    user["srp_salt"] = "006a4be7051cb8355d816f01079b064d"
    pool_id, sub = env.pool_id, out["UserSub"]
    user["srp_verifier"] = format(pow(srp.G, srp._x(pool_id.split("_", 1)[1], sub, PASSWORD, user["srp_salt"]), srp.N), "x")
    _put(env, user)
    start = env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="USER_SRP_AUTH",
                                  AuthParameters={"USERNAME": "salt@example.com", "SRP_A": "ab" * 16})
    assert start["ChallengeParameters"]["SALT"] == "6a4be7051cb8355d816f01079b064d"
    assert "AuthenticationResult" in AWSSRP(username="salt@example.com", password=PASSWORD, pool_id=pool_id,
                                            client_id=env.client_id, client=env.idp).authenticate_user()
    assert "AuthenticationResult" in env.password_sign_in("salt@example.com")


# --- TOTP: a code is good once (RFC 6238 §5.2) -------------------------------------
def _totp_user(env: Env, email: str) -> pyotp.TOTP:
    env.confirmed_user(email)
    tokens = env.password_sign_in(email)["AuthenticationResult"]
    secret = env.idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    env.idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=pyotp.TOTP(secret).at(env.clock()))
    env.idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"],
                                    SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return pyotp.TOTP(secret)


def _answer(env: Env, email: str, session: str, code: str) -> dict:
    return env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                                             ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code})


def test_a_totp_code_is_accepted_once(mfa: Env) -> None:
    totp = _totp_user(mfa, "reuse@example.com")
    first = mfa.password_sign_in("reuse@example.com")
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    # The code VerifySoftwareToken just consumed can't complete a sign-in in the same step.
    with pytest.raises(ClientError, match=re.escape("Your software token has already been used once.")) as exc:
        _answer(mfa, "reuse@example.com", first["Session"], totp.at(mfa.clock()))
    assert _error(exc) == ("ExpiredCodeException", "Your software token has already been used once.")
    mfa.clock.advance(30)
    code = totp.at(mfa.clock())
    assert _answer(mfa, "reuse@example.com", first["Session"], code)["AuthenticationResult"]["AccessToken"]
    # A second sign-in inside the same 30 s, or with the previous step's code (still within drift), is refused.
    for stale in (code, totp.at(mfa.clock() - 30)):
        again = mfa.password_sign_in("reuse@example.com")
        with pytest.raises(ClientError, match=re.escape("Your software token has already been used once.")) as exc:
            _answer(mfa, "reuse@example.com", again["Session"], stale)
        assert _error(exc) == ("ExpiredCodeException", "Your software token has already been used once.")
    mfa.clock.advance(30)
    again = mfa.password_sign_in("reuse@example.com")
    assert _answer(mfa, "reuse@example.com", again["Session"], totp.at(mfa.clock()))["AuthenticationResult"]


# --- lockout (Cognito developer guide, "Lockout behavior for failed sign-in attempts") --
def _fail(env: Env, email: str, expected: str = "Incorrect username or password.") -> None:
    with pytest.raises(ClientError, match=re.escape(expected)) as exc:
        env.password_sign_in(email, "Wr0ng-password")
    assert _error(exc) == ("NotAuthorizedException", expected)


def test_lockout_doubles_and_ignores_attempts_while_locked(env: Env) -> None:
    env.confirmed_user("double@example.com")
    for _ in range(5):
        _fail(env, "double@example.com")
    _fail(env, "double@example.com", "Password attempts exceeded")  # locked for 2^0 s; not counted
    env.clock.advance(1)
    _fail(env, "double@example.com")  # n = 6: locked for 2 s
    env.clock.advance(1)
    _fail(env, "double@example.com", "Password attempts exceeded")
    env.clock.advance(1)
    assert "AuthenticationResult" in env.password_sign_in("double@example.com")  # success resets n
    _fail(env, "double@example.com")
    assert "AuthenticationResult" in env.password_sign_in("double@example.com")


def test_fifteen_idle_minutes_reset_the_lockout(env: Env) -> None:
    env.confirmed_user("idle@example.com")
    for _ in range(12):
        env.clock.advance(300)  # keep each failure outside the previous lockout so every one counts
        _fail(env, "idle@example.com")
    _fail(env, "idle@example.com", "Password attempts exceeded")  # locked for 2^7 s
    env.clock.advance(100)
    _fail(env, "idle@example.com", "Password attempts exceeded")  # an attempt restarts the 15 minutes
    env.clock.advance(899)
    _fail(env, "idle@example.com")  # n = 13 now: without the reset this locks for the maximum
    _fail(env, "idle@example.com", "Password attempts exceeded")
    env.clock.advance(900)
    for _ in range(5):  # back at n = 0: five failures before the first lockout
        _fail(env, "idle@example.com")
    _fail(env, "idle@example.com", "Password attempts exceeded")


def test_wrong_mfa_codes_count_toward_the_lockout(mfa: Env) -> None:
    totp = _totp_user(mfa, "mfalock@example.com")
    mfa.clock.advance(30)
    for _ in range(5):
        step = mfa.password_sign_in("mfalock@example.com")
        with pytest.raises(ClientError, match=re.escape("Invalid code received for user")) as exc:
            _answer(mfa, "mfalock@example.com", step["Session"], "000000")
        assert _error(exc) == ("CodeMismatchException", "Invalid code received for user")
    with pytest.raises(ClientError, match=re.escape("Password attempts exceeded")) as exc:
        mfa.password_sign_in("mfalock@example.com")
    assert _error(exc) == ("NotAuthorizedException", "Password attempts exceeded")
    mfa.clock.advance(1)
    step = mfa.password_sign_in("mfalock@example.com")
    assert _answer(mfa, "mfalock@example.com", step["Session"], totp.at(mfa.clock()))["AuthenticationResult"]


# --- masked destinations ---------------------------------------------------------
def test_masked_destinations_have_cognitos_shape() -> None:
    from amplify_py.local.rules.messages import mask_email, mask_phone

    assert mask_email("alice@example.com") == "a***@e***"  # the AWS CLI's get-user-attribute-verification-code example
    assert mask_phone("+12065551234") == "+*******1234"  # every digit but the last four masked, length kept
    assert mask_phone("+447700900123") == "+********0123"


# --- serving ------------------------------------------------------------------------
@in_process
def test_accepted_connections_have_tcp_nodelay_so_responses_go_out_without_nagle(env: Env) -> None:
    """Without TCP_NODELAY each response sat ~40 ms behind the client's delayed ACK (benchmarks/engine.py
    measures the effect). uvloop sets it on every TCP connection it accepts: the server's own socket for this
    client's connection (found among this process's file descriptors, the engine serves in a thread) says so."""
    import http.client
    import os
    import socket

    conn = http.client.HTTPConnection("127.0.0.1", env.engine.port, timeout=5)
    try:
        conn.request("GET", "/")
        assert conn.getresponse().read()
        client_end = conn.sock.getsockname()
        server_ends = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                sock = socket.socket(fileno=os.dup(int(fd)))
            except OSError:
                continue
            with sock:
                try:
                    if sock.type == socket.SOCK_STREAM and sock.getpeername() == client_end:
                        server_ends.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                except OSError:
                    continue
        assert server_ends and all(server_ends), server_ends
    finally:
        conn.close()