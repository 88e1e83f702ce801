"""ListUsers: filters on Cognito's searchable attributes and keyset pages (opaque PaginationTokens) that return
every matching user exactly once, whatever the page size; rows saved before the searchable columns existed are
found once the engine has re-indexed them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from amplify_py.local import LocalEngine
from tests.engine.conftest import Env, make_env, template

NAMES = ["amy", "amelia", "bob", "carol", "dave", "amanda", "eve", "ambrose"]


@pytest.fixture(scope="module")
def env(engine_and_clock) -> Env:
    env = make_env(engine_and_clock, "list-users", "custom_attrs")
    for index, given in enumerate(NAMES):
        env.idp.admin_create_user(
            UserPoolId=env.pool_id, Username=f"{given}@example.com", MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{given}@example.com"}, {"Name": "given_name", "Value": given},
                            {"Name": "custom:display_name", "Value": "team-a" if index % 2 else "team-b"}])
    env.idp.admin_disable_user(UserPoolId=env.pool_id, Username="bob@example.com")
    return env


def _all_pages(env: Env, **kwargs: Any) -> tuple[list[str], int]:
    """Every email the listing returns, page after page, and how many pages it took."""
    emails, pages, token = [], 0, None
    while True:
        page = env.idp.list_users(UserPoolId=env.pool_id, **kwargs, **({"PaginationToken": token} if token else {}))
        pages += 1
        emails += [next(a["Value"] for a in u["Attributes"] if a["Name"] == "email") for u in page["Users"]]
        token = page.get("PaginationToken")
        if token is None:
            return emails, pages


@pytest.mark.parametrize("limit", [1, 2, 3, 8, 60])
def test_pages_return_every_user_once(env: Env, limit: int) -> None:
    emails, pages = _all_pages(env, Limit=limit)
    assert sorted(emails) == sorted(f"{n}@example.com" for n in NAMES)
    assert len(emails) == len(set(emails))
    assert pages == -(-len(NAMES) // limit)  # no empty page after the last full one


@pytest.mark.parametrize("limit", [1, 2, 60])
def test_a_prefix_filter_pages_through_its_matches_only(env: Env, limit: int) -> None:
    emails, _pages = _all_pages(env, Filter='given_name ^= "am"', Limit=limit)
    assert sorted(emails) == sorted(f"{n}@example.com" for n in NAMES if n.startswith("am"))


def test_exact_filters_on_attributes_status_and_enabled(env: Env) -> None:
    assert _all_pages(env, Filter='email = "carol@example.com"')[0] == ["carol@example.com"]
    assert _all_pages(env, Filter='status = "Disabled"')[0] == ["bob@example.com"]
    assert len(_all_pages(env, Filter='status = "Enabled"', Limit=3)[0]) == len(NAMES) - 1
    assert len(_all_pages(env, Filter='cognito:user_status = "FORCE_CHANGE_PASSWORD"', Limit=2)[0]) == len(NAMES)
    assert _all_pages(env, Filter='given_name = "zed"')[0] == []


def test_a_filter_on_an_attribute_cognito_does_not_search_still_compares(env: Env) -> None:
    emails, _ = _all_pages(env, Filter='custom:display_name = "team-a"', Limit=2)
    assert sorted(emails) == sorted(f"{n}@example.com" for i, n in enumerate(NAMES) if i % 2)


def test_a_token_from_another_listing_is_refused(env: Env) -> None:
    token = env.idp.list_users(UserPoolId=env.pool_id, Filter='given_name ^= "a"', Limit=1)["PaginationToken"]
    with pytest.raises(ClientError, match=re.escape(f"Paging marker {token} is invalid for request.")):
        env.idp.list_users(UserPoolId=env.pool_id, PaginationToken=token)


def test_rows_saved_before_the_search_columns_are_found_after_a_restart(tmp_path: Path) -> None:
    engine = LocalEngine(tmp_path)
    pool_id = engine.deploy("old", template("email_default")).physical_ids["amplifyAuthUserPool4BA7F805"]
    engine.start()
    idp = boto3.client("cognito-idp", endpoint_url=engine.endpoint, **engine.credentials.boto3_kwargs())
    idp.admin_create_user(UserPoolId=pool_id, Username="old@example.com", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "old@example.com"}])
    store = engine.context.store
    record = store.find_user(pool_id, "email_key", "old@example.com")
    # as an engine from before wrote it: no searchable values, marked for re-indexing
    store.put_user(pool_id, record["username"], record["sub"], record, username_key=record["username"],
                   email_key="old@example.com", phone_key=None)
    assert idp.list_users(UserPoolId=pool_id, Filter='email = "old@example.com"')["Users"] == []
    engine.stop()
    with LocalEngine(tmp_path) as again:
        idp = boto3.client("cognito-idp", endpoint_url=again.endpoint, **again.credentials.boto3_kwargs())
        found = idp.list_users(UserPoolId=pool_id, Filter='email = "old@example.com"')["Users"]
        assert [u["Username"] for u in found] == [record["username"]]
        assert again.context.store.unindexed_users() == []
