"""aws-amplify JS against the local engine: group membership reaches the tokens fetchAuthSession returns.

Deploys the reference `groups` template (groups ADMINS and EDITORS, email as username).
"""

from __future__ import annotations

from ._js import AmplifyJs
from .conftest import PASSWORD, LocalBackend, new_email, sign_up_and_confirm

REFERENCE_CASE = "groups"


def test_groups_added_with_boto3_appear_in_id_and_access_tokens(signed_out: AmplifyJs, backend: LocalBackend,
                                                                 cognito) -> None:
    js = signed_out
    email = new_email("grouped")
    sub = sign_up_and_confirm(js, backend.outbox, email)
    out = js.call("signIn", {"username": email, "password": PASSWORD})
    assert out == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}, out
    before = js.call("fetchAuthSession")["tokens"]
    assert "cognito:groups" not in before["idToken"]["payload"]
    assert "cognito:groups" not in before["accessToken"]["payload"]

    for group in ("EDITORS", "ADMINS"):
        cognito.admin_add_user_to_group(UserPoolId=backend.user_pool_id, Username=email, GroupName=group)
    listed = cognito.admin_list_groups_for_user(UserPoolId=backend.user_pool_id, Username=email)["Groups"]
    assert sorted(g["GroupName"] for g in listed) == ["ADMINS", "EDITORS"]

    # Membership changes reach new tokens only: a forced refresh gets them.
    tokens = js.call("fetchAuthSession", {"forceRefresh": True})["tokens"]
    assert js.targets()[0] == "GetTokensFromRefreshToken", js.targets()
    id_claims, access_claims = tokens["idToken"]["payload"], tokens["accessToken"]["payload"]
    assert sorted(id_claims["cognito:groups"]) == ["ADMINS", "EDITORS"], id_claims
    assert sorted(access_claims["cognito:groups"]) == ["ADMINS", "EDITORS"], access_claims
    assert id_claims["sub"] == access_claims["sub"] == sub

    # A fresh sign-in carries them too.
    js.call("signOut")
    js.call("signIn", {"username": email, "password": PASSWORD})
    fresh = js.call("fetchAuthSession")["tokens"]
    assert sorted(fresh["idToken"]["payload"]["cognito:groups"]) == ["ADMINS", "EDITORS"]
