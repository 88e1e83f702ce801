"""A redeploy never deletes users silently: the engine plans what a template replaces and refuses data loss.

What replaces a resource follows CloudFormation's createOnlyProperties (clients: GenerateSecret, UserPoolId)
and, for the user pool, the settings Cognito cannot change after creation (sign-in attributes, a removed or
changed schema attribute, a new required one).
"""

from __future__ import annotations

import copy
import re

import pytest
from botocore.exceptions import ClientError

from amplify_py.local import ReplacementRefused
from tests.engine.conftest import CLIENT, IDENTITY_POOL, POOL, Env, template


def _custom_attrs_without(name: str) -> dict:
    tpl = template("custom_attrs")
    schema = tpl["Resources"][POOL]["Properties"]["Schema"]
    tpl["Resources"][POOL]["Properties"]["Schema"] = [a for a in schema if a["Name"] != name]
    return tpl


def test_removing_a_custom_attribute_is_refused_with_the_users_it_would_delete(engine_and_clock) -> None:
    env = Env(*engine_and_clock, "remove-attr", template("custom_attrs"))
    for email in ("ada@example.com", "bob@example.com", "cy@example.com"):
        env.confirmed_user(email)
    changed = _custom_attrs_without("display_name")

    plan = env.engine.plan("remove-attr", changed)
    pool_change = next(c for c in plan.changes if c.logical_id == POOL)
    assert pool_change.action == "replace" and pool_change.physical_id == env.pool_id and pool_change.users == 3
    assert [p.name for p in pool_change.properties] == ["Schema attribute custom:display_name"]
    assert pool_change.properties[0].new is None and pool_change.properties[0].old["AttributeDataType"] == "String"
    client_change = next(c for c in plan.changes if c.logical_id == CLIENT)  # it belongs to the replaced pool
    assert client_change.properties[0].name == "UserPoolId" and client_change.users == 0
    assert plan.data_loss == (pool_change,)
    assert plan.summary() == "would replace 1 resource, deleting 3 users"

    with pytest.raises(ReplacementRefused, match=re.escape(
            f"Deploying remove-attr would replace 1 resource, deleting 3 users:\n"
            f"  - replace {POOL} (AWS::Cognito::UserPool {env.pool_id}): Schema attribute custom:display_name "
            'removed (was {"AttributeDataType": "String", "Mutable": true, "StringAttributeConstraints": '
            '{"MaxLength": "16", "MinLength": "1"}}); it holds 3 users')) as refused:
        env.engine.deploy("remove-attr", changed)
    assert refused.value.plan == plan
    # nothing changed: same pool, same users, the attribute still there
    assert env.engine.plan("remove-attr", template("custom_attrs")).changes == ()
    assert env.srp_sign_in("ada@example.com")["AuthenticationResult"]
    assert len(env.idp.list_users(UserPoolId=env.pool_id)["Users"]) == 3

    replaced = env.engine.deploy("remove-attr", changed, allow_replacement=True)
    new_pool = replaced.physical_ids[POOL]
    assert new_pool != env.pool_id and replaced.replaced == [POOL, CLIENT]
    assert replaced.changes[0].users == 3 and replaced.changes[0].new_physical_id == new_pool
    assert env.idp.list_users(UserPoolId=new_pool)["Users"] == []
    with pytest.raises(ClientError, match=re.escape(f"User pool {env.pool_id} does not exist.")):
        env.idp.list_users(UserPoolId=env.pool_id)


def test_changing_a_custom_attribute_is_a_replacement_and_adding_one_is_in_place(engine_and_clock) -> None:
    env = Env(*engine_and_clock, "change-attr", template("custom_attrs"))
    env.confirmed_user("kept@example.com")
    added = template("custom_attrs")
    added["Resources"][POOL]["Properties"]["Schema"].append(
        {"AttributeDataType": "String", "Mutable": True, "Name": "team"})
    assert env.engine.plan("change-attr", added).changes == ()
    again = env.engine.deploy("change-attr", added)
    assert again.physical_ids == env.result.physical_ids and again.changes == ()
    assert env.srp_sign_in("kept@example.com")["AuthenticationResult"]

    changed = copy.deepcopy(added)
    team = changed["Resources"][POOL]["Properties"]["Schema"][-1]
    team["StringAttributeConstraints"] = {"MaxLength": "8"}
    with pytest.raises(ReplacementRefused, match=re.escape(
            'Schema attribute custom:team changed from {"AttributeDataType": "String", "Mutable": true} to '
            '{"AttributeDataType": "String", "Mutable": true, "StringAttributeConstraints": {"MaxLength": "8"}}; '
            "it holds 1 user")):
        env.engine.deploy("change-attr", changed)

    required = copy.deepcopy(added)
    required["Resources"][POOL]["Properties"]["Schema"].append({"Mutable": True, "Name": "given_name", "Required": True})
    (pool_change,) = env.engine.plan("change-attr", required).data_loss
    assert pool_change.properties[0].name == "Schema attribute given_name (required)"
    assert pool_change.properties[0].old is None


def test_an_empty_pool_is_replaced_without_asking(engine_and_clock) -> None:
    env = Env(*engine_and_clock, "empty", template("email_default"))
    changed = template("email_default")
    changed["Resources"][POOL]["Properties"]["UsernameAttributes"] = ["phone_number"]
    plan = env.engine.plan("empty", changed)
    assert [c.logical_id for c in plan.changes][:2] == [POOL, CLIENT] and plan.data_loss == ()
    assert plan.changes[0].properties[0].describe() == 'UsernameAttributes changed from ["email"] to ["phone_number"]'
    assert plan.changes[0].new_physical_id == "(a new id)"

    result = env.engine.deploy("empty", changed)  # no users in it: nothing to ask
    assert result.physical_ids[POOL] != env.pool_id and result.replaced[:2] == [POOL, CLIENT]
    assert result.changes[0].lost() == "no users" and not result.changes[0].loses_data
    # the identity pool follows the new pool in place: its id stays
    assert result.physical_ids[IDENTITY_POOL] == env.identity_pool_id


def test_a_reordered_sign_in_list_is_the_same_setting(engine_and_clock) -> None:
    tpl = template("email_default")
    tpl["Resources"][POOL]["Properties"]["UsernameAttributes"] = ["email", "phone_number"]
    env = Env(*engine_and_clock, "reordered", tpl)
    reordered = copy.deepcopy(tpl)
    reordered["Resources"][POOL]["Properties"]["UsernameAttributes"] = ["phone_number", "email"]
    assert env.engine.plan("reordered", reordered).changes == ()


def test_a_client_secret_change_replaces_the_client_and_keeps_the_users(engine_and_clock) -> None:
    env = Env(*engine_and_clock, "secret", template("email_default"))
    env.confirmed_user("still@example.com")
    changed = template("email_default", GenerateSecret=True)
    result = env.engine.deploy("secret", changed)
    assert result.replaced == [CLIENT] and result.physical_ids[POOL] == env.pool_id
    assert result.changes[0].properties[0].describe() == "GenerateSecret changed from false to true"
    assert [u["Username"] for u in env.idp.list_users(UserPoolId=env.pool_id)["Users"]]


def test_removing_the_pools_from_the_template_is_refused_while_they_hold_users(engine_and_clock) -> None:
    env = Env(*engine_and_clock, "removed", template("email_default"))
    env.confirmed_user("gone@example.com")
    env.identity.get_id(IdentityPoolId=env.identity_pool_id)  # a guest identity
    without_auth = {"Resources": {}}
    plan = env.engine.plan("removed", without_auth)
    assert {c.logical_id: (c.action, c.users, c.identities) for c in plan.data_loss} == {
        POOL: ("delete", 1, 0), IDENTITY_POOL: ("delete", 0, 1)}
    assert plan.summary() == "would remove 2 resources, deleting 1 user and 1 identity"
    with pytest.raises(ReplacementRefused, match=re.escape(
            f"  - delete {IDENTITY_POOL} (AWS::Cognito::IdentityPool {env.identity_pool_id}) is no longer in the "
            "template; it holds 1 identity")):
        env.engine.deploy("removed", without_auth)
    assert env.srp_sign_in("gone@example.com")["AuthenticationResult"]
    result = env.engine.deploy("removed", without_auth, allow_replacement=True)
    assert result.physical_ids == {} and {c.action for c in result.changes} == {"delete"}
    with pytest.raises(ClientError, match=re.escape(f"User pool {env.pool_id} does not exist.")):
        env.idp.list_users(UserPoolId=env.pool_id)
