"""Passwordless, first-factor selection, passwords, attributes, sessions and a second SRP implementation."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from engine_backend import Backend
from pycognito.aws_srp import AWSSRP

from amplify_py.auth import (
    FileStorage,
    cognito_user_pools_token_provider,
    confirm_reset_password,
    confirm_sign_in,
    confirm_sign_up,
    confirm_user_attribute,
    delete_user,
    delete_user_attributes,
    fetch_auth_session,
    fetch_user_attributes,
    get_current_user,
    reset_password,
    send_user_attribute_verification_code,
    sign_in,
    sign_out,
    sign_up,
    update_password,
    update_user_attribute,
    update_user_attributes,
)
from amplify_py.auth._config import Amplify
from amplify_py.auth.types import JWT
from amplify_py.auth.errors import (
    CodeMismatchException,
    NotAuthorizedException,
    UserNotFoundException,
    UserUnAuthenticatedException,
)

PASSWORD = "Sup3r-secret!"


def _user(backend: Backend, email: str, password: str | None = PASSWORD, **attributes: str) -> str:
    out = sign_up(username=email, password=password, options={"user_attributes": {"email": email, **attributes}})
    confirm_sign_up(username=email, confirmation_code=backend.last_code(email))
    return out.user_id


def test_email_otp_sign_in(deploy) -> None:
    backend = deploy("passwordless_email_otp")
    _user(backend, "otp@example.com")
    result = sign_in(username="otp@example.com", options={"auth_flow_type": "USER_AUTH", "preferred_challenge": "EMAIL_OTP"})
    assert result.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    assert result.next_step.code_delivery_details.delivery_medium == "EMAIL"
    done = confirm_sign_in(challenge_response=backend.last_code("otp@example.com"))
    assert done.next_step.sign_in_step == "DONE"
    assert get_current_user().sign_in_details.auth_flow_type == "USER_AUTH"


def test_first_factor_selection(deploy) -> None:
    backend = deploy("passwordless_email_otp")
    _user(backend, "choose@example.com")
    result = sign_in(username="choose@example.com", options={"auth_flow_type": "USER_AUTH"})
    assert result.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    assert set(result.next_step.available_challenges) >= {"PASSWORD", "EMAIL_OTP"}
    assert confirm_sign_in(challenge_response="PASSWORD").next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_PASSWORD"
    assert confirm_sign_in(challenge_response=PASSWORD).is_signed_in
    sign_out()
    sign_in(username="choose@example.com", options={"auth_flow_type": "USER_AUTH"})
    assert confirm_sign_in(challenge_response="EMAIL_OTP").next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    assert confirm_sign_in(challenge_response=backend.last_code("choose@example.com")).is_signed_in


def test_user_auth_with_password_srp(deploy) -> None:
    backend = deploy("passwordless_email_otp")
    _user(backend, "srp@example.com")
    result = sign_in(
        username="srp@example.com", password=PASSWORD, options={"auth_flow_type": "USER_AUTH", "preferred_challenge": "PASSWORD_SRP"}
    )
    assert result.next_step.sign_in_step == "DONE"


def test_reset_password(deploy) -> None:
    backend = deploy("email_default")
    _user(backend, "forgot@example.com")
    out = reset_password(username="forgot@example.com")
    assert out.next_step.reset_password_step == "CONFIRM_RESET_PASSWORD_WITH_CODE"
    assert out.next_step.code_delivery_details.destination == "f***@e***"
    with pytest.raises(CodeMismatchException, match="Invalid verification code provided"):
        confirm_reset_password(username="forgot@example.com", confirmation_code="000000", new_password="N3w-secret!")
    confirm_reset_password(
        username="forgot@example.com", confirmation_code=backend.last_code("forgot@example.com"), new_password="N3w-secret!"
    )
    with pytest.raises(NotAuthorizedException, match="Incorrect username or password."):
        sign_in(username="forgot@example.com", password=PASSWORD)
    assert sign_in(username="forgot@example.com", password="N3w-secret!").is_signed_in
    update_password(old_password="N3w-secret!", new_password="Th1rd-secret!")
    sign_out()
    assert sign_in(username="forgot@example.com", password="Th1rd-secret!").is_signed_in


def test_update_attributes_with_confirmation_code(deploy) -> None:
    backend = deploy("all_standard_attrs")
    _user(backend, "attrs@example.com", address="1 Main St")
    sign_in(username="attrs@example.com", password=PASSWORD)
    single = update_user_attribute(user_attribute={"attribute_key": "nickname", "value": "Jane"})
    assert (single.is_updated, single.next_step.update_attribute_step) == (True, "DONE")
    out = update_user_attributes({"email": "me@domain.com", "name": "Jon Doe"})
    assert out["name"].next_step.update_attribute_step == "DONE"
    assert out["email"].next_step.update_attribute_step == "CONFIRM_ATTRIBUTE_WITH_CODE"
    assert out["email"].next_step.code_delivery_details.delivery_medium == "EMAIL"
    confirm_user_attribute(user_attribute_key="email", confirmation_code=backend.last_code("me@domain.com"))
    attributes = fetch_user_attributes()
    assert (attributes["email"], attributes["email_verified"], attributes["name"], attributes["nickname"]) == (
        "me@domain.com",
        "true",
        "Jon Doe",
        "Jane",
    )
    details = send_user_attribute_verification_code(user_attribute_key="email")
    assert details.attribute_name == "email"
    delete_user_attributes(user_attribute_keys=["nickname", "name"])
    assert "nickname" not in fetch_user_attributes() and "name" not in fetch_user_attributes()


def test_sessions_refresh_and_credentials(deploy) -> None:
    backend = deploy("email_default")
    guest = fetch_auth_session()
    assert guest.tokens is None
    assert guest.identity_id and guest.credentials.access_key_id
    user_id = _user(backend, "session@example.com")
    sign_in(username="session@example.com", password=PASSWORD)
    session = fetch_auth_session()
    assert session.tokens.id_token.payload["email"] == "session@example.com"
    assert session.tokens.access_token.payload["token_use"] == "access"
    assert session.user_sub == user_id
    assert session.identity_id and session.credentials.secret_access_key
    refreshed = fetch_auth_session(force_refresh=True)
    assert str(refreshed.tokens.access_token) != str(session.tokens.access_token)
    assert refreshed.tokens.access_token.payload["sub"] == user_id
    assert refreshed.identity_id == session.identity_id


def test_delete_user(deploy) -> None:
    backend = deploy("email_default")
    _user(backend, "bye@example.com")
    sign_in(username="bye@example.com", password=PASSWORD)
    delete_user()
    with pytest.raises(UserUnAuthenticatedException, match="User needs to be authenticated"):
        get_current_user()
    with pytest.raises((UserNotFoundException, NotAuthorizedException), match="not exist|Incorrect username"):
        sign_in(username="bye@example.com", password=PASSWORD)


def test_confirm_sign_in_from_a_second_process_with_file_storage(deploy, tmp_path) -> None:
    backend = deploy("passwordless_email_otp")
    _user(backend, "restart@example.com")
    path = tmp_path / "tokens.json"
    cognito_user_pools_token_provider.set_key_value_storage(FileStorage(path))
    sign_in(username="restart@example.com", options={"auth_flow_type": "USER_AUTH", "preferred_challenge": "EMAIL_OTP"})
    # what a second run of the program does: configure again, open the same file
    Amplify.configure(backend.outputs)
    cognito_user_pools_token_provider.set_key_value_storage(FileStorage(path))
    assert confirm_sign_in(challenge_response=backend.last_code("restart@example.com")).is_signed_in
    cognito_user_pools_token_provider.set_key_value_storage(FileStorage(path))
    assert get_current_user().sign_in_details.login_id == "restart@example.com"


def test_srp_agrees_with_pycognito(deploy) -> None:
    backend = deploy("email_default")
    user_id = _user(backend, "pyc@example.com")
    auth = backend.outputs["auth"]
    endpoint = backend.outputs["custom"]["local_engine"]["user_pool_endpoint"]
    client = boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        **backend.engine.credentials.boto3_kwargs(),
        config=Config(retries={"max_attempts": 1}),
    )
    theirs = AWSSRP("pyc@example.com", PASSWORD, auth["user_pool_id"], auth["user_pool_client_id"], client=client)
    tokens = theirs.authenticate_user()["AuthenticationResult"]
    assert JWT.decode(tokens["AccessToken"]).payload["sub"] == user_id
    ours = sign_in(username="pyc@example.com", password=PASSWORD)
    assert ours.is_signed_in
    assert get_current_user().user_id == user_id
    with pytest.raises(NotAuthorizedException, match="Incorrect username or password."):
        sign_out()
        sign_in(username="pyc@example.com", password=PASSWORD + "x")
