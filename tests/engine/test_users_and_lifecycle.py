"""Attributes, admin operations and groups, identity pool credentials, redeploy/restart/delete."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from amplify_py.local import LocalEngine
from tests.engine.conftest import PASSWORD, Env, ManualClock, make_env, template


def _error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def _attrs(items: list[dict]) -> dict:
    return {a["Name"]: a["Value"] for a in items}


@pytest.fixture(scope="module")
def custom(engine_and_clock) -> Env:
    return make_env(engine_and_clock, "custom", "custom_attrs",
                    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


@pytest.fixture(scope="module")
def groups(engine_and_clock) -> Env:
    return make_env(engine_and_clock, "groups", "groups",
                    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


def test_email_change_keeps_old_address_until_verified(custom: Env) -> None:
    custom.confirmed_user("old@example.com")
    tokens = custom.password_sign_in("old@example.com")["AuthenticationResult"]
    out = custom.idp.update_user_attributes(AccessToken=tokens["AccessToken"],
                                            UserAttributes=[{"Name": "email", "Value": "new@example.com"}])
    assert out["CodeDeliveryDetailsList"][0]["Destination"] == "n***@e***"
    attrs = _attrs(custom.idp.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"])
    assert attrs["email"] == "old@example.com" and attrs["email_verified"] == "true"
    custom.idp.verify_user_attribute(AccessToken=tokens["AccessToken"], AttributeName="email",
                                     Code=custom.code("new@example.com"))
    attrs = _attrs(custom.idp.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"])
    assert attrs["email"] == "new@example.com" and attrs["email_verified"] == "true"
    assert custom.password_sign_in("new@example.com")["AuthenticationResult"]


def test_custom_attributes_are_checked_against_the_schema(custom: Env) -> None:
    custom.confirmed_user("attrs@example.com")
    token = custom.password_sign_in("attrs@example.com")["AuthenticationResult"]["AccessToken"]
    custom.idp.update_user_attributes(AccessToken=token, UserAttributes=[
        {"Name": "custom:display_name", "Value": "Ada"}, {"Name": "custom:favorite_number", "Value": "42"}])
    assert _attrs(custom.idp.get_user(AccessToken=token)["UserAttributes"])["custom:display_name"] == "Ada"
    cases = [
        ({"Name": "custom:unknown", "Value": "x"},
         "Attributes did not conform to the schema: Type for attribute {custom:unknown} could not be determined"),
        ({"Name": "custom:display_name", "Value": "x" * 17},
         "Attributes did not conform to the schema: custom:display_name: String must be no longer than 16 characters"),
        ({"Name": "custom:favorite_number", "Value": "101"},
         "Attributes did not conform to the schema: custom:favorite_number: Number must be no greater than 100"),
    ]
    for attribute, message in cases:
        with pytest.raises(ClientError, match=re.escape(message)) as exc:
            custom.idp.update_user_attributes(AccessToken=token, UserAttributes=[attribute])
        assert _error(exc) == ("InvalidParameterException", message)
    custom.idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["custom:display_name"])
    assert "custom:display_name" not in _attrs(custom.idp.get_user(AccessToken=token)["UserAttributes"])
    claims_token = custom.password_sign_in("attrs@example.com")["AuthenticationResult"]["IdToken"]
    import jwt

    assert jwt.decode(claims_token, options={"verify_signature": False})["custom:favorite_number"] == "42"


def test_admin_create_user_and_new_password(groups: Env) -> None:
    created = groups.idp.admin_create_user(UserPoolId=groups.pool_id, Username="admin@example.com",
                                           UserAttributes=[{"Name": "email", "Value": "admin@example.com"},
                                                           {"Name": "email_verified", "Value": "true"}],
                                           DesiredDeliveryMediums=["EMAIL"])
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    invite = groups.last_message("admin@example.com")
    assert invite["kind"] == "INVITATION" and invite["subject"] == "Your temporary password"
    challenge = groups.password_sign_in("admin@example.com", invite["code"])
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = groups.idp.respond_to_auth_challenge(ClientId=groups.client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                                Session=challenge["Session"], ChallengeResponses={
                                                    "USERNAME": "admin@example.com", "NEW_PASSWORD": "Fresh-Passw0rd!"})
    assert done["AuthenticationResult"]["AccessToken"]
    groups.idp.admin_add_user_to_group(UserPoolId=groups.pool_id, Username="admin@example.com", GroupName="EDITORS")
    groups.idp.admin_add_user_to_group(UserPoolId=groups.pool_id, Username="admin@example.com", GroupName="ADMINS")
    with pytest.raises(ClientError, match=re.escape("Group not found.")) as exc:
        groups.idp.admin_add_user_to_group(UserPoolId=groups.pool_id, Username="admin@example.com", GroupName="NOPE")
    assert _error(exc) == ("ResourceNotFoundException", "Group not found.")
    listed = groups.idp.admin_list_groups_for_user(UserPoolId=groups.pool_id, Username="admin@example.com")
    assert [g["GroupName"] for g in listed["Groups"]] == ["ADMINS", "EDITORS"]
    in_group = groups.idp.list_users_in_group(UserPoolId=groups.pool_id, GroupName="ADMINS")["Users"]
    assert [u["Username"] for u in in_group] == [created["User"]["Username"]]
    import jwt

    id_token = groups.password_sign_in("admin@example.com", "Fresh-Passw0rd!")["AuthenticationResult"]["IdToken"]
    claims = jwt.decode(id_token, options={"verify_signature": False})
    assert claims["cognito:groups"] == ["ADMINS", "EDITORS"]
    assert claims["cognito:preferred_role"].startswith("arn:aws:iam::000000000000:role/")
    groups.idp.admin_remove_user_from_group(UserPoolId=groups.pool_id, Username="admin@example.com", GroupName="ADMINS")
    found = groups.idp.list_users(UserPoolId=groups.pool_id, Filter='email = "admin@example.com"')["Users"]
    assert len(found) == 1
    groups.idp.admin_delete_user(UserPoolId=groups.pool_id, Username="admin@example.com")
    with pytest.raises(ClientError, match=re.escape("User does not exist.")) as exc:
        groups.idp.admin_get_user(UserPoolId=groups.pool_id, Username="admin@example.com")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")


def test_describe_pool_and_client(groups: Env) -> None:
    pool = groups.idp.describe_user_pool(UserPoolId=groups.pool_id)["UserPool"]
    assert pool["Id"] == groups.pool_id and pool["UsernameAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    client = groups.idp.describe_user_pool_client(UserPoolId=groups.pool_id, ClientId=groups.client_id)["UserPoolClient"]
    assert client["ClientId"] == groups.client_id and client["PreventUserExistenceErrors"] == "ENABLED"


def test_identity_pool_credentials(groups: Env) -> None:
    guest = groups.identity.get_id(IdentityPoolId=groups.identity_pool_id)["IdentityId"]
    creds = groups.identity.get_credentials_for_identity(IdentityId=guest)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIALOCAL") and len(creds["AccessKeyId"]) == 20
    groups.confirmed_user("idp@example.com")
    id_token = groups.password_sign_in("idp@example.com")["AuthenticationResult"]["IdToken"]
    logins = {f"cognito-idp.us-east-1.amazonaws.com/{groups.pool_id}": id_token}
    identity_id = groups.identity.get_id(IdentityPoolId=groups.identity_pool_id, Logins=logins)["IdentityId"]
    assert groups.identity.get_id(IdentityPoolId=groups.identity_pool_id, Logins=logins)["IdentityId"] == identity_id
    authed = groups.identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    assert authed["IdentityId"] == identity_id and authed["Credentials"]["SessionToken"].startswith("local-session.")
    with pytest.raises(ClientError, match=re.escape("Logins don't match. Please include at least one valid login")) as exc:
        groups.identity.get_credentials_for_identity(IdentityId=identity_id)
    assert exc.value.response["Error"]["Code"] == "NotAuthorizedException"
    # aws-amplify builds the logins key from the token's iss (the engine's own host)
    own = {f"{groups.engine.endpoint.split('://')[1]}/{groups.pool_id}": id_token}
    assert groups.identity.get_id(IdentityPoolId=groups.identity_pool_id, Logins=own)["IdentityId"] == identity_id
    assert groups.identity.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"].count(".") == 2


def test_unauthenticated_identities_can_be_disallowed(engine_and_clock) -> None:
    tpl = template("email_default")
    tpl["Resources"]["amplifyAuthIdentityPool3FDE84CC"]["Properties"]["AllowUnauthenticatedIdentities"] = False
    env = Env(*engine_and_clock, "no-guests", tpl)
    with pytest.raises(ClientError, match=re.escape("Unauthenticated access is not supported for this identity pool.")) as exc:
        env.identity.get_id(IdentityPoolId=env.identity_pool_id)
    assert _error(exc) == ("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")


def test_redeploy_keeps_users_unless_replaced(engine_and_clock) -> None:
    env = make_env(engine_and_clock, "redeploy", "email_default")
    env.confirmed_user("stay@example.com")
    changed = template("email_default")
    changed["Resources"]["amplifyAuthUserPool4BA7F805"]["Properties"]["Policies"]["PasswordPolicy"]["MinimumLength"] = 12
    changed["Resources"]["amplifyAuthUserPool4BA7F805"]["Properties"]["Schema"].append(
        {"AttributeDataType": "String", "Mutable": True, "Name": "team"})
    again = env.engine.deploy("redeploy", changed)
    assert again.physical_ids == env.result.physical_ids and again.replaced == []
    assert env.srp_sign_in("stay@example.com")["AuthenticationResult"]
    with pytest.raises(ClientError, match="Password did not conform with policy: Password not long enough"):
        env.sign_up("short@example.com", "Passw0rd!xy")
    changed["Resources"]["amplifyAuthUserPool4BA7F805"]["Properties"]["UsernameAttributes"] = ["phone_number"]
    replaced = env.engine.deploy("redeploy", changed, allow_replacement=True)  # it holds a user: asked first
    assert replaced.physical_ids["amplifyAuthUserPool4BA7F805"] != env.pool_id
    assert "amplifyAuthUserPool4BA7F805" in replaced.replaced
    with pytest.raises(ClientError, match=re.escape(f"User pool {env.pool_id} does not exist.")) as exc:
        env.idp.list_users(UserPoolId=env.pool_id)
    assert _error(exc) == ("ResourceNotFoundException", f"User pool {env.pool_id} does not exist.")


def test_restart_keeps_users_and_delete_removes_them(tmp_path) -> None:
    clock = ManualClock()
    first = LocalEngine(tmp_path, clock=clock).start()
    env = Env(first, clock, "restart", template("email_default"))
    env.confirmed_user("durable@example.com")
    old_jwks = first.context.signer.jwks(env.pool_id, now=clock())
    first.stop()
    second = LocalEngine(tmp_path, clock=clock).start()
    try:
        again = Env(second, clock, "restart", template("email_default"))
        assert again.pool_id == env.pool_id and second.context.signer.jwks(env.pool_id, now=clock()) == old_jwks
        assert again.srp_sign_in("durable@example.com")["AuthenticationResult"]
        second.delete("restart")
        with pytest.raises(ClientError, match=f"User pool {env.pool_id} does not exist."):
            again.idp.admin_get_user(UserPoolId=env.pool_id, Username="durable@example.com")
        assert second.context.store.list_users(env.pool_id) == []
    finally:
        second.stop()
