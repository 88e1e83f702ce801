"""PreventUserExistenceErrors ENABLED: a name nobody has answers as a user's does, by the answer, the limits, the
lockout and the work (Cognito's "Managing user existence error responses"; the limits and lockout of unknown
names are the engine's choice where the docs are silent: anything else would tell who exists).
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from amplify_py.local.rules.codes import HOURLY_ATTEMPTS
from tests.engine.conftest import Env, in_process, make_env

_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
_LIMIT = r"\(LimitExceededException\) when calling the {} operation.*: Attempt limit exceeded, please try after some time\."
_INCORRECT = "Incorrect username or password."
_LOCKED = "Password attempts exceeded"
_WRONG = "Wr0ng-password!"


def _no_retries(env: Env) -> Env:
    # boto3 retries LimitExceededException as throttling; one attempt each here, so the counts are exact
    env.idp = boto3.client("cognito-idp", endpoint_url=env.engine.endpoint, **env.engine.credentials.boto3_kwargs(),
                           config=Config(retries={"total_max_attempts": 1}))
    return env


@pytest.fixture(scope="module")
def env(engine_and_clock) -> Env:
    return _no_retries(make_env(engine_and_clock, "prevent", "email_default", ExplicitAuthFlows=_FLOWS))


@pytest.fixture(scope="module")
def legacy(engine_and_clock) -> Env:
    return _no_retries(make_env(engine_and_clock, "legacy", "email_default", ExplicitAuthFlows=_FLOWS,
                                PreventUserExistenceErrors="LEGACY"))


def _email_details(destination: str) -> dict[str, str]:
    return {"Destination": destination, "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def _sent_to(env: Env, recipient: str) -> int:
    return len([m for m in env.engine.messages() if m["recipient"] == recipient and m["pool_id"] == env.pool_id])


def _unverified_user(env: Env, email: str) -> None:
    env.idp.admin_create_user(UserPoolId=env.pool_id, Username=email, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email}])
    env.idp.admin_set_user_password(UserPoolId=env.pool_id, Username=email, Password="Passw0rd!", Permanent=True)


# --- the answers --------------------------------------------------------------------------------------------------
def test_forgot_password_answers_a_simulated_delivery_for_unknown_disabled_and_unreachable_users(env: Env) -> None:
    env.confirmed_user("kim@example.com")
    assert env.idp.forgot_password(ClientId=env.client_id, Username="kim@example.com")["CodeDeliveryDetails"] == \
        _email_details("k***@e***")
    env.confirmed_user("dee@example.com")
    env.idp.admin_disable_user(UserPoolId=env.pool_id, Username="dee@example.com")
    _unverified_user(env, "una@example.com")
    for name, masked in (("nobody@example.com", "n***@e***"), ("dee@example.com", "d***@e***"),
                         ("una@example.com", "u***@e***")):
        before = _sent_to(env, name)
        answer = env.idp.forgot_password(ClientId=env.client_id, Username=name)
        assert answer["CodeDeliveryDetails"] == _email_details(masked)
        assert _sent_to(env, name) == before  # nothing sent
        assert env.engine.context.store.get_code(env.pool_id, name, "FORGOT_PASSWORD") is None  # nothing stored


def test_without_prevention_those_users_get_their_errors(legacy: Env) -> None:
    legacy.confirmed_user("dee@example.com")
    legacy.idp.admin_disable_user(UserPoolId=legacy.pool_id, Username="dee@example.com")
    _unverified_user(legacy, "una@example.com")
    with pytest.raises(ClientError, match=r"\(UserNotFoundException\).*Username/client id combination not found\."):
        legacy.idp.forgot_password(ClientId=legacy.client_id, Username="nobody@example.com")
    with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*User is disabled\."):
        legacy.idp.forgot_password(ClientId=legacy.client_id, Username="dee@example.com")
    with pytest.raises(ClientError, match=r"\(InvalidParameterException\).*Cannot reset password for the user as "
                                          r"there is no registered/verified email or phone_number"):
        legacy.idp.forgot_password(ClientId=legacy.client_id, Username="una@example.com")
    with pytest.raises(ClientError, match=r"\(UserNotFoundException\).*Username/client id combination not found\."):
        legacy.idp.resend_confirmation_code(ClientId=legacy.client_id, Username="nobody@example.com")


def test_resend_confirmation_code_answers_a_simulated_delivery_for_unknown_and_disabled_users(env: Env) -> None:
    env.sign_up("pat@example.com")
    assert env.idp.resend_confirmation_code(ClientId=env.client_id, Username="pat@example.com")[
        "CodeDeliveryDetails"] == _email_details("p***@e***")
    env.sign_up("off@example.com")
    env.idp.admin_disable_user(UserPoolId=env.pool_id, Username="off@example.com")
    for name, masked in (("ghost@example.com", "g***@e***"), ("off@example.com", "o***@e***"),
                         ("plainname", "u***@e***")):
        before = _sent_to(env, name)
        assert env.idp.resend_confirmation_code(ClientId=env.client_id, Username=name)["CodeDeliveryDetails"] == \
            _email_details(masked)
        assert _sent_to(env, name) == before


def test_confirm_forgot_password_of_a_disabled_user_is_a_code_mismatch(env: Env) -> None:
    env.confirmed_user("was-on@example.com")
    env.idp.forgot_password(ClientId=env.client_id, Username="was-on@example.com")
    code = env.code("was-on@example.com")
    env.idp.admin_disable_user(UserPoolId=env.pool_id, Username="was-on@example.com")
    with pytest.raises(ClientError, match=r"\(CodeMismatchException\).*Invalid verification code provided"):
        env.idp.confirm_forgot_password(ClientId=env.client_id, Username="was-on@example.com", ConfirmationCode=code,
                                        Password="N3w-password!")


# --- the limits ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("operation", "call"), [
    ("ForgotPassword", lambda env, name: env.idp.forgot_password(ClientId=env.client_id, Username=name)),
    ("ResendConfirmationCode",
     lambda env, name: env.idp.resend_confirmation_code(ClientId=env.client_id, Username=name)),
])
def test_an_unknown_name_reaches_the_hourly_code_limit_as_a_user_does(env: Env, operation: str, call) -> None:
    known = f"limited-{operation.lower()}@example.com"
    if operation == "ForgotPassword":
        env.confirmed_user(known)
    else:
        env.sign_up(known)
    unknown = f"unknown-{operation.lower()}@example.com"
    for name in (known, unknown):
        for _ in range(HOURLY_ATTEMPTS):
            call(env, name)
        with pytest.raises(ClientError, match=_LIMIT.format(operation)):
            call(env, name)
    env.clock.advance(3600)
    assert call(env, unknown)["CodeDeliveryDetails"] == call(env, unknown)["CodeDeliveryDetails"]


_MISMATCH = r"\(CodeMismatchException\).*Invalid verification code provided, please try again\."


def _outcomes(calls) -> list[str]:
    """What each call answered: "sent", or the error's name and message."""
    out = []
    for call in calls:
        try:
            call()
            out.append("sent")
        except ClientError as error:
            out.append(f"{error.response['Error']['Code']}: {error.response['Error']['Message']}")
    return out


def test_reset_codes_entered_for_an_unknown_name_meet_the_limits_a_user_does(env: Env) -> None:
    env.confirmed_user("enters@example.com")
    answers = {}
    for name in ("enters@example.com", "nobody-enters@example.com"):
        def request(name: str = name) -> None:
            env.idp.forgot_password(ClientId=env.client_id, Username=name)

        def enter(name: str = name) -> None:
            env.idp.confirm_forgot_password(ClientId=env.client_id, Username=name, ConfirmationCode="000000",
                                            Password="N3w-password!")
        answers[name] = _outcomes([request, *[enter] * 6] * 3 + [request])
    mismatch = "CodeMismatchException: Invalid verification code provided, please try again."
    limit = "LimitExceededException: Attempt limit exceeded, please try after some time."
    # five guesses per code, then the code's limit; 20 requests and entries in the hour, then the hourly one
    assert answers["enters@example.com"] == ["sent", *[mismatch] * 5, limit] * 2 + ["sent", *[mismatch] * 5, limit,
                                                                                   limit]
    assert answers["nobody-enters@example.com"] == answers["enters@example.com"]


def test_sign_up_codes_entered_for_an_unknown_name_meet_the_limits_an_unconfirmed_user_does(env: Env) -> None:
    env.sign_up("enters-pending@example.com")
    answers = {}
    for name in ("enters-pending@example.com", "nobody-pending@example.com"):
        def enter(name: str = name) -> None:
            env.idp.confirm_sign_up(ClientId=env.client_id, Username=name, ConfirmationCode="000000")
        answers[name] = _outcomes([enter] * 7)
    mismatch = "CodeMismatchException: Invalid verification code provided, please try again."
    limit = "LimitExceededException: Attempt limit exceeded, please try after some time."
    assert answers["enters-pending@example.com"] == [*[mismatch] * 5, limit, limit]
    assert answers["nobody-pending@example.com"] == answers["enters-pending@example.com"]


# --- the lockout --------------------------------------------------------------------------------------------------
def _password_answers(env: Env, name: str, attempts: int) -> list[str]:
    answers = []
    for _ in range(attempts):
        with pytest.raises(ClientError, match=r"\(NotAuthorizedException\)") as caught:
            env.password_sign_in(name, _WRONG)
        answers.append(caught.value.response["Error"]["Message"])
    return answers


def test_an_unknown_name_is_locked_out_after_five_wrong_passwords_as_a_user_is(env: Env) -> None:
    env.confirmed_user("locked@example.com")
    expected = [_INCORRECT] * 5 + [_LOCKED] * 2  # Cognito: 2^(n-5) s after the fifth failure
    assert _password_answers(env, "locked@example.com", 7) == expected
    assert _password_answers(env, "nobody-locked@example.com", 7) == expected
    env.clock.advance(1)  # the first lockout (1 s) is over; the next failure locks for 2 s
    assert _password_answers(env, "locked@example.com", 2) == [_INCORRECT, _LOCKED]
    assert _password_answers(env, "nobody-locked@example.com", 2) == [_INCORRECT, _LOCKED]
    with pytest.raises(ClientError, match=rf"\(NotAuthorizedException\).*{_LOCKED}"):  # SRP too: the same name
        AWSSRP(username="nobody-locked@example.com", password=_WRONG, pool_id=env.pool_id, client_id=env.client_id,
               client=env.idp).authenticate_user()
    env.clock.advance(15 * 60)  # 15 minutes without an attempt reset the count
    assert _password_answers(env, "nobody-locked@example.com", 1) == [_INCORRECT]
    assert env.password_sign_in("locked@example.com", "Passw0rd!")["AuthenticationResult"]


def test_an_unknown_name_is_locked_out_through_srp_too(env: Env) -> None:
    answers = []
    for _ in range(6):
        with pytest.raises(ClientError, match=r"\(NotAuthorizedException\)") as caught:
            AWSSRP(username="nobody-srp@example.com", password=_WRONG, pool_id=env.pool_id, client_id=env.client_id,
                   client=env.idp).authenticate_user()
        answers.append(caught.value.response["Error"]["Message"])
    assert answers == [_INCORRECT] * 5 + [_LOCKED]


def test_what_is_kept_for_an_unknown_name_is_no_user(env: Env) -> None:
    for _ in range(6):
        with pytest.raises(ClientError, match=r"\(NotAuthorizedException\)"):
            env.password_sign_in("later@example.com", _WRONG)
    env.idp.forgot_password(ClientId=env.client_id, Username="later@example.com")
    listed = env.idp.list_users(UserPoolId=env.pool_id, Filter='email = "later@example.com"')["Users"]
    assert listed == []
    with pytest.raises(ClientError, match=r"\(UserNotFoundException\).*User does not exist\."):
        env.idp.admin_get_user(UserPoolId=env.pool_id, Username="later@example.com")
    env.confirmed_user("later@example.com")  # the name signs up; its user starts with a clean slate
    assert env.password_sign_in("later@example.com", "Passw0rd!")["AuthenticationResult"]


# --- the work -----------------------------------------------------------------------------------------------------
@in_process
def test_a_code_request_for_an_unknown_name_does_the_work_of_a_real_one(env: Env,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from amplify_py.local.model.code import OneTimeCode
    from amplify_py.local.model.pool import Pool
    from amplify_py.local.store import Store

    calls: list[str] = []
    real_put_user = Store.put_user
    monkeypatch.setattr(Store, "put_user", lambda self, pool_id, *a, **k: calls.append(
        "put_user" if pool_id == env.pool_id else f"put_user({pool_id.removeprefix(env.pool_id)})"
    ) or real_put_user(self, pool_id, *a, **k))
    for owner, name in ((Store, "put_code"), (Pool, "verification_message")):
        real = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    real_issue = OneTimeCode.issue.__func__
    monkeypatch.setattr(OneTimeCode, "issue", classmethod(lambda cls, *a: calls.append("code") or real_issue(cls, *a)))
    env.confirmed_user("worker@example.com")
    work = {}
    for name in ("worker@example.com", "idler@example.com"):
        calls.clear()
        env.idp.forgot_password(ClientId=env.client_id, Username=name)
        work[name] = list(calls)
    assert work["worker@example.com"] == ["put_user", "code", "put_code", "verification_message"]
    # the same row written (under an id no pool has), a code drawn and its message rendered; no code stored
    assert work["idler@example.com"] == ["put_user(#unknown-names)", "code", "verification_message"]
