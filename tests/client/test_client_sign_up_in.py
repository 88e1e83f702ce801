"""The seed's sign-up and sign-in examples, in Python, against the local engine."""

from __future__ import annotations

import pytest
from engine_backend import Backend, resource

from amplify_py.auth import (
    auto_sign_in,
    confirm_sign_up,
    fetch_auth_session,
    fetch_user_attributes,
    get_current_user,
    resend_sign_up_code,
    sign_in,
    sign_out,
    sign_up,
)
from amplify_py.auth.errors import InvalidParameterException, NotAuthorizedException, UserAlreadyAuthenticatedException

PASSWORD = "Sup3r-secret!"


def _sign_up_and_confirm(backend: Backend, email: str, **attributes: str) -> str:
    out = sign_up(username=email, password=PASSWORD, options={"user_attributes": {"email": email, **attributes}})
    assert out.next_step.sign_up_step == "CONFIRM_SIGN_UP"
    confirm_sign_up(username=email, confirmation_code=backend.last_code(email))
    return out.user_id


def test_sign_up_confirm_and_sign_in_with_srp(deploy) -> None:
    backend = deploy("email_default")
    out = sign_up(
        username="hello@mycompany.com",
        password=PASSWORD,
        options={"user_attributes": {"email": "hello@mycompany.com", "phone_number": "+15555555555"}},
    )
    assert (out.is_sign_up_complete, out.next_step.sign_up_step) == (False, "CONFIRM_SIGN_UP")
    details = out.next_step.code_delivery_details
    assert (details.delivery_medium, details.attribute_name) == ("EMAIL", "email")
    assert details.destination == "h***@m***"
    done = confirm_sign_up(username="hello@mycompany.com", confirmation_code=backend.last_code("hello@mycompany.com"))
    assert (done.is_sign_up_complete, done.next_step.sign_up_step) == (True, "DONE")

    result = sign_in(username="hello@mycompany.com", password=PASSWORD)
    assert result.is_signed_in and result.next_step.sign_in_step == "DONE"
    user = get_current_user()
    assert user.user_id == out.user_id
    assert user.sign_in_details.login_id == "hello@mycompany.com"
    assert fetch_user_attributes()["phone_number"] == "+15555555555"
    with pytest.raises(UserAlreadyAuthenticatedException, match="There is already a signed in user."):
        sign_in(username="hello@mycompany.com", password=PASSWORD)


def test_wrong_password_and_unconfirmed_user(deploy) -> None:
    backend = deploy("email_default")
    sign_up(username="new@example.com", password=PASSWORD, options={"user_attributes": {"email": "new@example.com"}})
    unconfirmed = sign_in(username="new@example.com", password=PASSWORD)
    assert (unconfirmed.is_signed_in, unconfirmed.next_step.sign_in_step) == (False, "CONFIRM_SIGN_UP")
    again = resend_sign_up_code(username="new@example.com")
    assert again.delivery_medium == "EMAIL"
    confirm_sign_up(username="new@example.com", confirmation_code=backend.last_code("new@example.com"))
    with pytest.raises(NotAuthorizedException, match="Incorrect username or password."):
        sign_in(username="new@example.com", password="Wrong-passw0rd!")


def test_password_sign_in_when_the_client_allows_it(deploy) -> None:
    def allow_password(tpl: dict) -> None:
        resource(tpl, "AWS::Cognito::UserPoolClient")["ExplicitAuthFlows"].append("ALLOW_USER_PASSWORD_AUTH")

    backend = deploy("email_default", allow_password)
    _sign_up_and_confirm(backend, "pw@example.com")
    result = sign_in(username="pw@example.com", password=PASSWORD, options={"auth_flow_type": "USER_PASSWORD_AUTH"})
    assert result.next_step.sign_in_step == "DONE"
    assert get_current_user().sign_in_details.auth_flow_type == "USER_PASSWORD_AUTH"


def test_password_auth_refused_by_the_reference_client(deploy) -> None:
    backend = deploy("email_default")
    _sign_up_and_confirm(backend, "nopw@example.com")
    with pytest.raises(InvalidParameterException, match="USER_PASSWORD_AUTH flow not enabled for this client"):
        sign_in(username="nopw@example.com", password=PASSWORD, options={"auth_flow_type": "USER_PASSWORD_AUTH"})


def test_custom_attributes_at_sign_up(deploy) -> None:
    backend = deploy("custom_attrs")
    _sign_up_and_confirm(backend, "john.doe@example.com", **{"custom:display_name": "john_doe123"})
    sign_in(username="john.doe@example.com", password=PASSWORD)
    assert fetch_user_attributes()["custom:display_name"] == "john_doe123"


def test_auto_sign_in_after_confirmation(deploy) -> None:
    backend = deploy("passwordless_email_otp")
    out = sign_up(
        username="hello@example.com",
        password=PASSWORD,
        options={"user_attributes": {"email": "hello@example.com"}, "auto_sign_in": {"auth_flow_type": "USER_AUTH"}},
    )
    assert out.next_step.sign_up_step == "CONFIRM_SIGN_UP"
    confirmed = confirm_sign_up(username="hello@example.com", confirmation_code=backend.last_code("hello@example.com"))
    assert confirmed.next_step.sign_up_step == "COMPLETE_AUTO_SIGN_IN"
    result = auto_sign_in()
    assert result.next_step.sign_in_step == "DONE"
    assert get_current_user().user_id == out.user_id


def test_auto_sign_in_with_srp(deploy) -> None:
    backend = deploy("email_default")
    sign_up(username="auto@example.com", password=PASSWORD, options={"user_attributes": {"email": "auto@example.com"}, "auto_sign_in": True})
    step = confirm_sign_up(username="auto@example.com", confirmation_code=backend.last_code("auto@example.com"))
    assert step.next_step.sign_up_step == "COMPLETE_AUTO_SIGN_IN"
    assert auto_sign_in().is_signed_in
    assert get_current_user().sign_in_details.auth_flow_type == "USER_SRP_AUTH"


def test_sign_out_revokes_the_refresh_token(deploy) -> None:
    backend = deploy("email_default")
    _sign_up_and_confirm(backend, "out@example.com")
    sign_in(username="out@example.com", password=PASSWORD)
    refresh = cognito_refresh_token()
    sign_out()
    assert fetch_auth_session().tokens is None
    _assert_refresh_token_revoked(backend, refresh)


def test_global_sign_out_invalidates_other_sessions(deploy) -> None:
    backend = deploy("email_default")
    _sign_up_and_confirm(backend, "global@example.com")
    sign_in(username="global@example.com", password=PASSWORD)
    other_refresh = cognito_refresh_token()
    from amplify_py.auth import InMemoryStorage, cognito_user_pools_token_provider

    # a second "device": its own storage, its own sign-in
    cognito_user_pools_token_provider.set_key_value_storage(InMemoryStorage())
    sign_in(username="global@example.com", password=PASSWORD)
    sign_out(global_sign_out=True)
    assert fetch_auth_session().tokens is None
    _assert_refresh_token_revoked(backend, other_refresh)


def cognito_refresh_token() -> str:
    from amplify_py.auth import cognito_user_pools_token_provider

    tokens = cognito_user_pools_token_provider.load_tokens()
    assert tokens is not None and tokens.refresh_token
    return tokens.refresh_token


def _assert_refresh_token_revoked(backend: Backend, refresh_token: str) -> None:
    from amplify_py.auth._transport import call_user_pool

    with pytest.raises(NotAuthorizedException, match="[Rr]evoked|[Ii]nvalid"):
        call_user_pool(
            backend.outputs["custom"]["local_engine"]["user_pool_endpoint"],
            "GetTokensFromRefreshToken",
            {"ClientId": backend.outputs["auth"]["user_pool_client_id"], "RefreshToken": refresh_token},
        )
