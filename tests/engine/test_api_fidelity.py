"""Request validation, response shapes and token claims checked against Cognito's API reference."""

from __future__ import annotations

import re

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.engine.conftest import CLIENT, POOL, Env, template


def _error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def custom(engine_and_clock) -> Env:
    """custom_attrs plus a Boolean custom attribute whose name ends in ``_verified``."""
    engine, clock = engine_and_clock
    tpl = template("custom_attrs", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    tpl["Resources"][POOL]["Properties"]["Schema"].append(
        {"AttributeDataType": "Boolean", "Mutable": True, "Name": "id_verified"})
    assert CLIENT in tpl["Resources"]
    return Env(engine, clock, "api-fidelity-custom", tpl)


def test_custom_attributes_are_strings_in_the_id_token(custom: Env) -> None:
    # API_SchemaAttributeType: "A custom attribute value in your user's ID token is always a string".
    custom.confirmed_user("claims@example.com")
    token = custom.password_sign_in("claims@example.com")["AuthenticationResult"]["AccessToken"]
    custom.idp.update_user_attributes(AccessToken=token, UserAttributes=[
        {"Name": "custom:id_verified", "Value": "true"}, {"Name": "custom:is_beta_user", "Value": "false"}])
    id_token = custom.password_sign_in("claims@example.com")["AuthenticationResult"]["IdToken"]
    claims = jwt.decode(id_token, options={"verify_signature": False})
    assert claims["custom:id_verified"] == "true" and claims["custom:is_beta_user"] == "false"
    assert claims["email_verified"] is True
    assert "cognito:groups" not in claims


def test_username_over_128_characters_fails_the_request_shape(custom: Env) -> None:
    # API_SignUp / API_ForgotPassword / API_AdminCreateUser: Username, length 1..128.
    message = ("1 validation error detected: Value at 'username' failed to satisfy constraint: "
               "Member must have length less than or equal to 128")
    long_name = "a" * 120 + "@example.com"
    calls = [
        lambda: custom.sign_up(long_name),
        lambda: custom.idp.forgot_password(ClientId=custom.client_id, Username=long_name),
        lambda: custom.idp.admin_create_user(UserPoolId=custom.pool_id, Username=long_name),
    ]
    for call in calls:
        with pytest.raises(ClientError, match=re.escape(message)) as exc:
            call()
        assert _error(exc) == ("InvalidParameterException", message)
    assert custom.idp.list_users(UserPoolId=custom.pool_id, Filter=f'email = "{long_name}"')["Users"] == []


def test_a_missing_username_is_a_null_member(custom: Env) -> None:
    # boto3 refuses to send this; a hand-written client can, and Cognito answers with its validation message.
    import httpx

    reply = httpx.post(custom.engine.endpoint, json={"ClientId": custom.client_id, "ConfirmationCode": "123456"},
                       headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.ConfirmSignUp",
                                "Content-Type": "application/x-amz-json-1.1"})
    assert reply.status_code == 400
    assert reply.json() == {"__type": "InvalidParameterException", "message":
                            "1 validation error detected: Value null at 'username' failed to satisfy constraint: "
                            "Member must not be null"}
