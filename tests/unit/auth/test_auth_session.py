"""Token storage, refresh with GetTokensFromRefreshToken, identity pool credentials, restart survival."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest
from fake_cognito import CLIENT_ID, OUTPUTS, FakeCognito, auth_result, make_jwt

from amplify_py.auth import (
    FileStorage,
    InMemoryStorage,
    confirm_sign_in,
    cognito_user_pools_token_provider,
    fetch_auth_session,
    get_current_user,
    sign_in,
    sign_out,
)
from amplify_py.auth._config import Amplify
from amplify_py.auth.errors import AuthError, UserUnAuthenticatedException

IDENTITY_POOL = OUTPUTS["auth"]["identity_pool_id"]


def _password_sign_in(fake: FakeCognito, **result_kwargs) -> None:
    fake.reply("InitiateAuth", {"AuthenticationResult": auth_result(**result_kwargs)})
    sign_in(username="u", password="pw", options={"auth_flow_type": "USER_PASSWORD_AUTH"})


def test_file_storage_is_private_and_atomic(tmp_path: Path) -> None:
    path = tmp_path / "state" / "tokens.json"
    store = FileStorage(path)
    assert store.get_item("k") is None
    store.set_item("k", "v")
    store.set_item("other", "w")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text()) == {"k": "v", "other": "w"}
    assert [p.name for p in path.parent.iterdir()] == ["tokens.json"]  # no temp files left behind
    store.remove_item("k")
    assert FileStorage(path).get_item("k") is None and FileStorage(path).get_item("other") == "w"
    store.clear()
    assert json.loads(path.read_text()) == {}


def test_file_storage_reports_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{not json")
    with pytest.raises(AuthError, match="is not valid JSON") as info:
        FileStorage(path).get_item("k")
    assert info.value.name == "InvalidTokenStorage"


def test_custom_storage_protocol(fake: FakeCognito) -> None:
    class MyCustomStorage:
        def __init__(self) -> None:
            self.storage_object: dict[str, str] = {}

        def set_item(self, key: str, value: str) -> None:
            self.storage_object[key] = value

        def get_item(self, key: str) -> str | None:
            return self.storage_object.get(key)

        def remove_item(self, key: str) -> None:
            self.storage_object.pop(key, None)

        def clear(self) -> None:
            self.storage_object = {}

    custom = MyCustomStorage()
    cognito_user_pools_token_provider.set_key_value_storage(custom)
    _password_sign_in(fake)
    prefix = f"CognitoIdentityServiceProvider.{CLIENT_ID}"
    assert set(custom.storage_object) == {
        f"{prefix}.LastAuthUser",
        f"{prefix}.u.accessToken",  # USER_PASSWORD_AUTH without a challenge: the username as typed, as Amplify
        f"{prefix}.u.idToken",
        f"{prefix}.u.refreshToken",
        f"{prefix}.u.clockDrift",
        f"{prefix}.u.signInDetails",
    }
    with pytest.raises(AuthError, match="does not implement remove_item, clear"):
        cognito_user_pools_token_provider.set_key_value_storage(type("Half", (), {"set_item": print, "get_item": print})())


def test_tokens_and_sign_in_state_survive_a_restart(fake: FakeCognito, tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    cognito_user_pools_token_provider.set_key_value_storage(FileStorage(path))
    fake.reply("InitiateAuth", {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "s1", "ChallengeParameters": {"USERNAME": "sub-1"}})
    sign_in(username="u", password="pw", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    # "restart": fresh configuration and a fresh storage object on the same file
    Amplify.configure(json.loads(json.dumps(OUTPUTS)))
    cognito_user_pools_token_provider.set_key_value_storage(FileStorage(path))
    fake.reply("RespondToAuthChallenge", {"AuthenticationResult": auth_result()})
    assert confirm_sign_in(challenge_response="123456").is_signed_in
    assert fake.body("RespondToAuthChallenge")["Session"] == "s1"
    cognito_user_pools_token_provider.set_key_value_storage(FileStorage(path))
    assert get_current_user().user_id == "sub-1"


def test_expired_sign_in_state_is_dropped(fake: FakeCognito) -> None:
    fake.reply("InitiateAuth", {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "s1", "ChallengeParameters": {}})
    sign_in(username="u", password="pw", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    cognito_user_pools_token_provider.storage.set_item("CognitoSignInState.expiry", str(int(time.time() * 1000) - 1))
    with pytest.raises(AuthError, match="session has expired"):
        confirm_sign_in(challenge_response="123456")


def test_fetch_auth_session_decodes_tokens_and_gets_credentials(fake: FakeCognito) -> None:
    _password_sign_in(fake)
    fake.reply("GetId", {"IdentityId": "us-east-1:id-1"})
    fake.reply(
        "GetCredentialsForIdentity",
        {"IdentityId": "us-east-1:id-1", "Credentials": {"AccessKeyId": "AK", "SecretKey": "SK", "SessionToken": "ST", "Expiration": 1.7e9}},
    )
    session = fetch_auth_session()
    assert session.tokens.access_token.payload["token_use"] == "access"
    assert session.tokens.id_token.payload["email"] == "a@b.co"
    assert session.user_sub == "sub-1"
    assert session.identity_id == "us-east-1:id-1"
    assert (session.credentials.access_key_id, session.credentials.secret_access_key) == ("AK", "SK")
    id_token = str(session.tokens.id_token)
    provider = f"cognito-idp.us-east-1.amazonaws.com/{OUTPUTS['auth']['user_pool_id']}"
    assert fake.body("GetId") == {"IdentityPoolId": IDENTITY_POOL, "Logins": {provider: id_token}}
    assert fake.body("GetCredentialsForIdentity") == {"IdentityId": "us-east-1:id-1", "Logins": {provider: id_token}}
    assert fake.headers[-1]["x-amz-target"] == "AWSCognitoIdentityService.GetCredentialsForIdentity"
    assert fake.urls[-1] == "https://cognito-identity.us-east-1.amazonaws.com/"
    # cached: a second call makes no request
    calls = len(fake.requests)
    assert fetch_auth_session().credentials.session_token == "ST"
    assert len(fake.requests) == calls


def test_guest_credentials_when_signed_out(fake: FakeCognito) -> None:
    fake.reply("GetId", {"IdentityId": "us-east-1:guest"})
    fake.reply("GetCredentialsForIdentity", {"Credentials": {"AccessKeyId": "GA", "SecretKey": "GS"}})
    session = fetch_auth_session()
    assert session.tokens is None and session.user_sub is None
    assert session.identity_id == "us-east-1:guest"
    assert fake.body("GetId") == {"IdentityPoolId": IDENTITY_POOL, "Logins": {}}
    assert fake.body("GetCredentialsForIdentity") == {"IdentityId": "us-east-1:guest"}
    assert cognito_user_pools_token_provider.storage.get_item(f"com.amplify.Cognito.{IDENTITY_POOL}.identityId") == "us-east-1:guest"


def test_no_guest_access_no_credentials(fake: FakeCognito) -> None:
    outputs = json.loads(json.dumps(OUTPUTS))
    outputs["auth"]["unauthenticated_identities_enabled"] = False
    Amplify.configure(outputs)
    assert fetch_auth_session().credentials is None
    assert fake.requests == []


def test_forced_refresh_uses_get_tokens_from_refresh_token(fake: FakeCognito) -> None:
    _password_sign_in(fake)
    fresh = auth_result()
    del fresh["RefreshToken"]
    fake.reply("GetTokensFromRefreshToken", {"AuthenticationResult": fresh})
    fake.reply("GetId", {"IdentityId": "us-east-1:id-1"})
    fake.reply("GetCredentialsForIdentity", {"Credentials": {"AccessKeyId": "AK", "SecretKey": "SK"}})
    session = fetch_auth_session(force_refresh=True)
    assert fake.body("GetTokensFromRefreshToken") == {"ClientId": CLIENT_ID, "RefreshToken": "refresh-1"}
    assert str(session.tokens.access_token) == fresh["AccessToken"]
    storage = cognito_user_pools_token_provider.storage
    assert storage.get_item(f"CognitoIdentityServiceProvider.{CLIENT_ID}.u.refreshToken") == "refresh-1"


def test_expired_tokens_refresh_automatically(fake: FakeCognito) -> None:
    now = int(time.time())
    old = auth_result()
    # expiry is judged on the server's clock (drift from iat), 5 s early: 3 s of life is expired
    old["AccessToken"] = make_jwt(sub="sub-1", username="sub-1", token_use="access", iat=now, exp=now + 3)
    fake.reply("InitiateAuth", {"AuthenticationResult": old})
    sign_in(username="u", password="pw", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    fake.reply("GetTokensFromRefreshToken", {"AuthenticationResult": auth_result()})
    assert get_current_user().username == "sub-1"
    assert fake.ops()[-1] == "GetTokensFromRefreshToken"


def test_rejected_refresh_token_signs_out_locally(fake: FakeCognito) -> None:
    _password_sign_in(fake)
    fake.fail("GetTokensFromRefreshToken", "NotAuthorizedException", "Refresh Token has been revoked")
    fake.reply("GetId", {"IdentityId": "us-east-1:guest"})
    fake.reply("GetCredentialsForIdentity", {"Credentials": {"AccessKeyId": "GA", "SecretKey": "GS"}})
    assert fetch_auth_session(force_refresh=True).tokens is None
    with pytest.raises(UserUnAuthenticatedException, match="User needs to be authenticated to call this API."):
        get_current_user()


def test_transient_refresh_error_keeps_tokens(fake: FakeCognito) -> None:
    _password_sign_in(fake)
    fake.fail("GetTokensFromRefreshToken", "InternalErrorException", "boom", status=500)
    with pytest.raises(AuthError, match="boom"):
        fetch_auth_session(force_refresh=True)
    assert cognito_user_pools_token_provider.get_tokens() is not None


def test_sign_out_clears_identity(fake: FakeCognito) -> None:
    fake.reply("GetId", {"IdentityId": "us-east-1:guest"})
    fake.reply("GetCredentialsForIdentity", {"Credentials": {"AccessKeyId": "GA", "SecretKey": "GS"}})
    fetch_auth_session()
    sign_out()  # nobody signed in: no service call, identity forgotten
    assert cognito_user_pools_token_provider.storage.get_item(f"com.amplify.Cognito.{IDENTITY_POOL}.identityId") is None
    assert fake.ops() == ["GetId", "GetCredentialsForIdentity"]


def test_local_engine_endpoints_from_outputs(fake: FakeCognito) -> None:
    outputs = json.loads(json.dumps(OUTPUTS))
    outputs["custom"] = {"local_engine": {"user_pool_endpoint": "http://127.0.0.1:9999/", "identity_pool_endpoint": "http://127.0.0.1:9999/identity"}}
    Amplify.configure(outputs)
    fake.reply("InitiateAuth", {"AuthenticationResult": auth_result()})
    sign_in(username="u", password="pw", options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    assert fake.urls[-1] == "http://127.0.0.1:9999/"


def test_configure_from_a_path_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "amplify_outputs.json"
    path.write_text(json.dumps(OUTPUTS))
    Amplify.configure(path)
    assert Amplify.get_config().user_pool_client_id == CLIENT_ID
    with pytest.raises(AuthError, match="does not exist"):
        Amplify.configure(tmp_path / "missing.json")
    with pytest.raises(AuthError, match="Auth UserPool not configured."):
        Amplify.configure({"version": "1.5"})
    Amplify._auth = None
    with pytest.raises(AuthError, match="Auth UserPool not configured."):
        get_current_user()
    cognito_user_pools_token_provider.set_key_value_storage(InMemoryStorage())
