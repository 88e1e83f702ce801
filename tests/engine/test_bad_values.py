"""Values of the right JSON type but wrong content get Cognito's 400s; a bug in the engine gets Cognito's 500."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from amplify_py.local.operations import registry
from tests.engine.conftest import Env, make_env, in_process

_PREFIX = "1 validation error detected: Value"


@pytest.fixture(scope="module")
def env(engine_and_clock) -> Env:
    env = make_env(engine_and_clock, "bad-values", "email_default",
                   ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"])
    env.confirmed_user("a@example.com")
    return env



def test_list_users_rejects_a_pagination_token_it_did_not_issue(env: Env, raw: Any) -> None:
    with pytest.raises(ClientError, match=r"\(InvalidParameterException\).*Paging marker x is invalid for request\."):
        raw.list_users(UserPoolId=env.pool_id, PaginationToken="x")


@pytest.mark.parametrize(("limit", "bound"), [(-1, "greater than or equal to 0"), (61, "less than or equal to 60")])
def test_list_users_limit_outside_its_range(env: Env, raw: Any, limit: int, bound: str) -> None:
    with pytest.raises(ClientError, match=rf"\(InvalidParameterException\).*{_PREFIX} '{limit}' at 'limit' "
                                          rf"failed to satisfy constraint: Member must have value {bound}"):
        raw.list_users(UserPoolId=env.pool_id, Limit=limit)


def test_list_user_pool_clients_max_results_zero(env: Env, raw: Any) -> None:
    with pytest.raises(ClientError, match=rf"\(InvalidParameterException\).*{_PREFIX} '0' at 'maxResults' "
                                          r"failed to satisfy constraint: Member must have value greater than or equal to 1"):
        raw.list_user_pool_clients(UserPoolId=env.pool_id, MaxResults=0)


def test_list_users_filter_that_does_not_parse(env: Env) -> None:
    with pytest.raises(ClientError, match=r"\(InvalidParameterException\).*Error while parsing filter\."):
        env.idp.list_users(UserPoolId=env.pool_id, Filter="garbage")


@pytest.mark.parametrize("names", [["no_such_attribute"], ["sub"]])
def test_list_users_attributes_to_get_unknown(env: Env, names: list[str]) -> None:
    with pytest.raises(ClientError, match=r"\(InvalidParameterException\).*One or more requested attributes do not exist\."):
        env.idp.list_users(UserPoolId=env.pool_id, AttributesToGet=names)


def test_list_users_attributes_to_get_returns_those_and_sub(env: Env) -> None:
    users = env.idp.list_users(UserPoolId=env.pool_id, AttributesToGet=["email"])["Users"]
    assert [sorted(a["Name"] for a in u["Attributes"]) for u in users] == [["email", "sub"]]


def test_admin_auth_flow_on_initiate_auth(env: Env, raw: Any) -> None:
    """A flow the model knows but InitiateAuth does not take (an unknown one fails the model's enum first)."""
    with pytest.raises(ClientError, match=r"\(InvalidParameterException\).*Initiate Auth method not supported\."):
        raw.initiate_auth(ClientId=env.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "a@example.com", "PASSWORD": "x"})


def test_missing_auth_parameter(env: Env) -> None:
    with pytest.raises(ClientError, match=r"\(InvalidParameterException\).*Missing required parameter SRP_A"):
        env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "a@example.com"})


@pytest.mark.parametrize("challenge", ["PASSWORD_VERIFIER", "SMS_MFA", "NEW_PASSWORD_REQUIRED"])
def test_bad_session_string_with_empty_responses(env: Env, challenge: str) -> None:
    with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*Invalid session for the user\."):
        env.idp.respond_to_auth_challenge(ClientId=env.client_id, ChallengeName=challenge, Session="x" * 20,
                                          ChallengeResponses={})


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x.y"])
def test_malformed_access_token(env: Env, token: str) -> None:
    with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*Invalid Access Token"):
        env.idp.get_user(AccessToken=token)


def test_malformed_refresh_token(env: Env) -> None:
    with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*Invalid Refresh Token"):
        env.idp.initiate_auth(ClientId=env.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": "garbage"})


def test_malformed_token_to_revoke(env: Env) -> None:
    with pytest.raises(ClientError, match=r"\(InvalidParameterException\).*Invalid token"):
        env.idp.revoke_token(ClientId=env.client_id, Token="garbage")


def test_malformed_software_token_session(env: Env) -> None:
    with pytest.raises(ClientError, match=r"\(NotAuthorizedException\).*Invalid session for the user, session is expired\."):
        env.idp.associate_software_token(Session="x" * 20)


@in_process
def test_a_bug_in_an_operation_is_cognitos_internal_error_and_the_engine_keeps_serving(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(core: Any, body: dict) -> dict:
        return {}["no-such-key"]  # an engine bug: a KeyError nobody meant

    logged: list[tuple[str, str]] = []
    monkeypatch.setitem(registry.USER_POOL_OPERATIONS, "ListGroups", broken)
    monkeypatch.setattr(env.engine.context, "on_log", lambda source, line: logged.append((source, line)))
    response = env.post("ListGroups", {"UserPoolId": env.pool_id})
    assert response.status_code == 500
    assert response.json() == {"__type": "InternalErrorException", "message": "Internal server error."}
    assert response.headers["x-amzn-ErrorType"] == "InternalErrorException:"
    assert "no-such-key" not in response.text  # Python's message stays in the engine's log
    assert [source for source, _ in logged] == ["engine"]
    assert "KeyError: 'no-such-key'" in logged[0][1] and "Traceback" in logged[0][1]

    with pytest.raises(ClientError, match=r"\(InternalErrorException\).*Internal server error\."):
        boto3.client("cognito-idp", endpoint_url=env.engine.endpoint, **env.engine.credentials.boto3_kwargs(),
                     config=Config(retries={"total_max_attempts": 1})).list_groups(UserPoolId=env.pool_id)
    # Still serving.
    assert env.idp.list_users(UserPoolId=env.pool_id, Filter='email = "a@example.com"')["Users"]
