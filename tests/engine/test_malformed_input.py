"""The bad requests that used to crash the engine (issue: "The engine under hostile input"), each with
Cognito's 400: bodies no strict JSON parser reads are ``SerializationException: Malformed request body.``;
``null`` inside a list or map breaks the model's "Member must not be null" (InvalidParameterException)."""

from __future__ import annotations

import json

import httpx
import pytest

from amplify_py.local.http.request_body import MAX_DEPTH
from tests._signing import sign_exactly
from tests.engine.conftest import PASSWORD, Env, make_env

_MALFORMED = {"__type": "SerializationException", "message": "Malformed request body."}


@pytest.fixture(scope="module")
def env(engine_and_clock) -> Env:
    env = make_env(engine_and_clock, "malformed", "email_default",
                   ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    env.confirmed_user("a@example.com")
    return env


@pytest.fixture(scope="module")
def access_token(env: Env) -> str:
    return env.password_sign_in("a@example.com")["AuthenticationResult"]["AccessToken"]


_HTTP = httpx.Client()  # one connection pool for the module (a client per call costs an SSL context each)


def _post(env: Env, operation: str, body: bytes | dict) -> httpx.Response:
    """Signed with the engine's credentials (the admin operations need it), over the bytes as given."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
               "Content-Type": "application/x-amz-json-1.1"}
    return _HTTP.post(env.engine.endpoint, content=content,
                      headers=sign_exactly(env.engine.credentials, env.engine.endpoint + "/", content, headers))


def _error(response: httpx.Response) -> tuple[int, dict]:
    return response.status_code, response.json()


# --- bodies a strict JSON parser does not read ----------------------------------------------------------
@pytest.mark.parametrize("body", [
    b'{"ClientId": "\\ud800", "Username": "u"}',
    b'{"ClientId": "x", "Username": "a\\udfffb"}',
    b'{"ClientId": "x", "Username": "u", "ClientMetadata": {"\\udc00": "key with a lone low surrogate"}}',
    b'{"ClientId": "x", "Username": "u", "UserAttributes": [{"Name": "name", "Value": "\\ud83d"}]}',
    b'{"ClientId": "x", "Unknown": ["\\ud800"]}',  # even where nobody reads it
    b'{"ClientId": "\xed\xa0\x80"}',  # the same code point as raw (CESU-8) bytes
    b'{"ClientId": "\xff"}',  # not UTF-8 at all
], ids=["ClientId", "Username", "map-key", "nested-value", "unknown-member", "cesu-bytes", "invalid-utf8"])
def test_a_lone_surrogate_anywhere_is_a_malformed_body(env: Env, body: bytes) -> None:
    assert _error(_post(env, "SignUp", body)) == (400, _MALFORMED)


def test_a_surrogate_pair_is_one_character_and_reads_fine(env: Env) -> None:
    body = b'{"UserPoolId": "' + env.pool_id.encode() + b'", "Username": "\\ud83d\\ude00@example.com"}'
    assert _error(_post(env, "AdminGetUser", body)) == (400, {"__type": "UserNotFoundException",
                                                             "message": "User does not exist."})


@pytest.mark.parametrize("body", [
    b'{"a": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    b'{"a": ' * 1001 + b"1" + b"}" * 1001,
    b"[" * 100_000 + b"]" * 100_000,
    b"[" * 100_000,  # never closed
], ids=["array-1000", "object-1001", "array-100000", "unclosed-100000"])
def test_a_body_nested_past_the_limit_is_malformed(env: Env, body: bytes) -> None:
    assert _error(_post(env, "SignUp", body)) == (400, _MALFORMED)


def test_nesting_up_to_the_limit_is_read_and_the_unknown_member_ignored(env: Env) -> None:
    inner = MAX_DEPTH - 1  # the body object is level 1
    deep = b'{"ClientId": "nope", "Username": "u", "Extra": ' + b"[" * (inner - 1) + b"1" + b"]" * (inner - 1) + b"}"
    assert _error(_post(env, "SignUp", deep)) == (400, {"__type": "ResourceNotFoundException",
                                                        "message": "User pool client nope does not exist."})
    deeper = b'{"ClientId": "nope", "Username": "u", "Extra": ' + b"[" * inner + b"1" + b"]" * inner + b"}"
    assert _error(_post(env, "SignUp", deeper)) == (400, _MALFORMED)


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1" + b"0" * 5000])
def test_numbers_json_does_not_have_are_malformed(env: Env, literal: bytes) -> None:
    assert _error(_post(env, "ListUsers", b'{"UserPoolId": "x", "Limit": ' + literal + b"}")) == (400, _MALFORMED)


def test_a_huge_exponent_is_a_number_but_not_an_integer(env: Env) -> None:
    response = _post(env, "ListUsers", b'{"UserPoolId": "x", "Limit": 1e400}')
    assert _error(response) == (400, {"__type": "SerializationException", "message": "Value at 'Limit' must be an integer."})


# --- null where the model wants a member ----------------------------------------------------------------------
def _null_attribute(index: int) -> str:
    return (f"1 validation error detected: Value null at 'userAttributes.{index}.member' failed to satisfy "
            "constraint: Member must not be null")


def test_sign_up_with_a_null_attribute(env: Env) -> None:
    response = _post(env, "SignUp", {"ClientId": env.client_id, "Username": "n@example.com", "Password": PASSWORD,
                                     "UserAttributes": [None]})
    assert _error(response) == (400, {"__type": "InvalidParameterException", "message": _null_attribute(1)})


def test_admin_create_user_with_a_null_attribute_after_a_good_one(env: Env) -> None:
    response = _post(env, "AdminCreateUser", {"UserPoolId": env.pool_id, "Username": "n2@example.com",
                                              "UserAttributes": [{"Name": "email", "Value": "n2@example.com"}, None]})
    assert _error(response) == (400, {"__type": "InvalidParameterException", "message": _null_attribute(2)})


def test_update_user_attributes_with_a_null_attribute(env: Env, access_token: str) -> None:
    response = _post(env, "UpdateUserAttributes", {"AccessToken": access_token, "UserAttributes": [None]})
    assert _error(response) == (400, {"__type": "InvalidParameterException", "message": _null_attribute(1)})


def test_admin_update_user_attributes_with_a_null_attribute(env: Env) -> None:
    response = _post(env, "AdminUpdateUserAttributes", {"UserPoolId": env.pool_id, "Username": "a@example.com",
                                                        "UserAttributes": [None, None]})
    message = ("2 validation errors detected: Value null at 'userAttributes.1.member' failed to satisfy constraint: "
               "Member must not be null; Value null at 'userAttributes.2.member' failed to satisfy constraint: "
               "Member must not be null")
    assert _error(response) == (400, {"__type": "InvalidParameterException", "message": message})


def test_a_null_in_a_list_of_strings(env: Env) -> None:
    response = _post(env, "ListUsers", {"UserPoolId": env.pool_id, "AttributesToGet": ["email", None]})
    message = ("1 validation error detected: Value null at 'attributesToGet.2.member' failed to satisfy constraint: "
               "Member must not be null")
    assert _error(response) == (400, {"__type": "InvalidParameterException", "message": message})


def test_a_null_map_value(env: Env) -> None:
    response = _post(env, "ForgotPassword", {"ClientId": env.client_id, "Username": "a@example.com",
                                             "ClientMetadata": {"source": None}})
    message = ("1 validation error detected: Value '{source=null}' at 'clientMetadata' failed to satisfy constraint: "
               "Map value must satisfy constraint: [Member must not be null]")
    assert _error(response) == (400, {"__type": "InvalidParameterException", "message": message})


# --- values read by the operation -------------------------------------------------------------------------------
def test_list_users_with_a_5000_digit_pagination_token(env: Env) -> None:
    token = "9" * 5000
    response = _post(env, "ListUsers", {"UserPoolId": env.pool_id, "PaginationToken": token})
    assert _error(response) == (400, {"__type": "InvalidParameterException",
                                      "message": f"Paging marker {token} is invalid for request."})


def test_list_users_pages_with_the_tokens_it_issues(env: Env) -> None:
    for n in range(3):
        env.idp.admin_create_user(UserPoolId=env.pool_id, Username=f"page{n}@example.com", MessageAction="SUPPRESS")
    first = env.idp.list_users(UserPoolId=env.pool_id, Limit=2)
    second = env.idp.list_users(UserPoolId=env.pool_id, Limit=2, PaginationToken=first["PaginationToken"])
    names = [u["Username"] for u in first["Users"] + second["Users"]]
    assert len(names) == len(set(names)) == 4
