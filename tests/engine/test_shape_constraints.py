"""The service model's constraints, checked before any operation runs, answered with Cognito's one message.

Phrasings follow real Cognito answers quoted in public issues, e.g. "4 validation errors detected: Value at
'password' ...; Value at 'username' ..." (sensitive members unquoted, ordered by member path), "Value null at
'sub' ... Member must not be null", "Value 'phone_number_verified' at 'schema.1.member.name' ...".
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from amplify_py.local import shapes
from amplify_py.local.errors import CognitoError
from tests.engine.conftest import Env, make_env

_FLOWS = ("USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, "
          "ADMIN_USER_PASSWORD_AUTH, USER_AUTH")


@pytest.fixture(scope="module")
def env(engine_and_clock) -> Env:
    env = make_env(engine_and_clock, "shape-constraints", "email_default",
                   ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"])
    env.confirmed_user("a@example.com")
    return env



def _post(env: Env, operation: str, body: dict) -> httpx.Response:
    return env.post(operation, body)


def test_missing_required_members_are_null_and_counted(env: Env) -> None:
    reply = _post(env, "SignUp", {"Password": "Passw0rd!"})
    assert reply.status_code == 400
    assert reply.headers["x-amzn-ErrorType"] == "InvalidParameterException:"
    assert reply.json() == {"__type": "InvalidParameterException", "message":
                            "2 validation errors detected: "
                            "Value null at 'clientId' failed to satisfy constraint: Member must not be null; "
                            "Value null at 'username' failed to satisfy constraint: Member must not be null"}


def test_json_null_is_a_missing_member(env: Env) -> None:
    reply = _post(env, "GetUser", {"AccessToken": None})
    assert reply.json()["message"] == ("1 validation error detected: Value null at 'accessToken' failed to satisfy "
                                       "constraint: Member must not be null")


def test_lengths_of_sensitive_members_never_echo_the_value(env: Env) -> None:
    username, password = "u" * 129, "p" * 257
    reply = _post(env, "SignUp", {"ClientId": env.client_id, "Username": username, "Password": password})
    message = reply.json()["message"]
    assert message == (
        "2 validation errors detected: "
        "Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256; "
        "Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128")
    assert username not in message and password not in message


def test_empty_username_is_shorter_than_its_minimum(env: Env, raw: Any) -> None:
    message = ("1 validation error detected: Value at 'username' failed to satisfy constraint: "
               "Member must have length greater than or equal to 1")
    with pytest.raises(ClientError, match=rf"\(InvalidParameterException\).*{re.escape(message)}$"):
        raw.forgot_password(ClientId=env.client_id, Username="")


def test_length_counts_utf16_code_units_as_cognito_does(env: Env, raw: Any) -> None:
    # 64 emoji are 128 UTF-16 code units (fits); 65 are 130 (too long) though only 65 characters.
    raw.admin_get_user(UserPoolId=env.pool_id, Username="a@example.com")
    with pytest.raises(ClientError, match=r"\(UserNotFoundException\)"):
        raw.admin_get_user(UserPoolId=env.pool_id, Username="\U0001F600" * 64)
    with pytest.raises(ClientError, match=r"Value at 'username' failed to satisfy constraint: "
                                          r"Member must have length less than or equal to 128"):
        raw.admin_get_user(UserPoolId=env.pool_id, Username="\U0001F600" * 65)


def test_non_sensitive_values_are_quoted(env: Env, raw: Any) -> None:
    pool_id = "x" * 56
    with pytest.raises(ClientError, match=rf"\(InvalidParameterException\).*1 validation error detected: Value "
                                          rf"'{pool_id}' at 'userPoolId' failed to satisfy constraint: Member must "
                                          rf"have length less than or equal to 55$"):
        raw.list_users(UserPoolId=pool_id)


def test_enum_value_outside_the_set(env: Env, raw: Any) -> None:
    message = (f"1 validation error detected: Value 'BOGUS' at 'authFlow' failed to satisfy constraint: "
               f"Member must satisfy enum value set: [{_FLOWS}]")
    with pytest.raises(ClientError, match=rf"\(InvalidParameterException\).*{re.escape(message)}$"):
        raw.initiate_auth(ClientId=env.client_id, AuthFlow="BOGUS", AuthParameters={"USERNAME": "a@example.com"})


def test_nested_members_of_list_items_are_one_based(env: Env) -> None:
    reply = _post(env, "AdminCreateUser", {"UserPoolId": env.pool_id, "Username": "b@example.com",
                                           "UserAttributes": [{"Name": "email", "Value": "b@example.com"},
                                                              {"Value": "x"}, {"Name": "n" * 33}]})
    assert reply.json()["message"] == (
        "2 validation errors detected: "
        "Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member must not be null; "
        "Value 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn' at 'userAttributes.3.member.name' failed to satisfy constraint: "
        "Member must have length less than or equal to 32")
    assert env.idp.list_users(UserPoolId=env.pool_id, Filter='email = "b@example.com"')["Users"] == []


def test_list_of_strings_names_the_list_with_its_members_constraints(env: Env, raw: Any) -> None:
    message = ("1 validation error detected: Value '[email, ]' at 'attributesToGet' failed to satisfy constraint: "
               "Member must satisfy constraint: [Member must have length less than or equal to 32, Member must have "
               "length greater than or equal to 1, Member must satisfy regular expression pattern: "
               "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+]")
    with pytest.raises(ClientError, match=rf"\(InvalidParameterException\).*{re.escape(message)}$"):
        raw.list_users(UserPoolId=env.pool_id, AttributesToGet=["email", ""])


def test_errors_of_several_kinds_aggregate_in_member_order(env: Env, raw: Any) -> None:
    with pytest.raises(ClientError) as exc:
        raw.list_users(UserPoolId="", Limit=61, Filter="f" * 257)
    assert exc.value.response["Error"]["Message"] == (
        "3 validation errors detected: "
        f"Value '{'f' * 257}' at 'filter' failed to satisfy constraint: Member must have length less than or equal to 256; "
        "Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60; "
        "Value '' at 'userPoolId' failed to satisfy constraint: Member must have length greater than or equal to 1")


def test_wrong_json_type_is_a_serialization_error_before_constraints(env: Env) -> None:
    reply = _post(env, "SignUp", {"Username": 5})
    assert reply.status_code == 400
    assert reply.json() == {"__type": "SerializationException", "message": "Value at 'Username' must be a string."}


def test_what_real_clients_send_passes(env: Env) -> None:
    tokens = env.srp_sign_in("a@example.com")
    assert env.idp.get_user(AccessToken=tokens["AuthenticationResult"]["AccessToken"])["Username"]


# --- the model's other shapes, through the same check (operations the engine does not serve) -----------------
def test_list_of_enums_as_cognito_quotes_it_for_explicit_auth_flows() -> None:
    with pytest.raises(CognitoError) as exc:
        shapes.check_request("cognito-idp", "UpdateUserPoolClient",
                             {"UserPoolId": "us-east-1_abc", "ClientId": "c", "ExplicitAuthFlows": ["ALLOW_BOGUS"]})
    assert exc.value.name == "InvalidParameterException"
    assert re.fullmatch(r"1 validation error detected: Value '\[ALLOW_BOGUS\]' at 'explicitAuthFlows' failed to "
                        r"satisfy constraint: Member must satisfy constraint: \[Member must satisfy enum value set: "
                        r"\[ADMIN_NO_SRP_AUTH, [A-Z_, ]+\]\]", exc.value.message)


def test_list_length_and_nested_schema_name() -> None:
    schema = [{"Name": "phone_number_verified"}] + [{"Name": f"a{i}"} for i in range(50)]
    with pytest.raises(CognitoError) as exc:
        shapes.check_request("cognito-idp", "CreateUserPool", {"PoolName": "p", "Schema": schema})
    assert exc.value.message == (
        "2 validation errors detected: "
        "Value '[{Name=phone_number_verified}, " + ", ".join(f"{{Name=a{i}}}" for i in range(50)) + "]' at 'schema' "
        "failed to satisfy constraint: Member must have length less than or equal to 50; "
        "Value 'phone_number_verified' at 'schema.1.member.name' failed to satisfy constraint: "
        "Member must have length less than or equal to 20")
