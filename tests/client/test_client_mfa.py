"""Multi-factor sign-in paths of the seed, against the local engine."""

from __future__ import annotations

import time

import pyotp
from engine_backend import Backend, resource

from amplify_py.auth import (
    confirm_sign_in,
    confirm_sign_up,
    fetch_mfa_preference,
    get_current_user,
    set_up_totp,
    sign_in,
    sign_out,
    sign_up,
    update_mfa_preference,
    verify_totp_setup,
)

PASSWORD = "Sup3r-secret!"


def _user(backend: Backend, email: str, **attributes: str) -> None:
    sign_up(username=email, password=PASSWORD, options={"user_attributes": {"email": email, **attributes}})
    confirm_sign_up(username=email, confirmation_code=backend.last_code(email))


def _fresh_totp(secret: str) -> str:
    """A code for the next 30 s window, so it is never the one just used."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_totp_setup_then_sign_in_with_totp(deploy) -> None:
    backend = deploy("mfa_optional_totp_sms")
    _user(backend, "totp@example.com")
    assert sign_in(username="totp@example.com", password=PASSWORD).next_step.sign_in_step == "DONE"
    details = set_up_totp()
    uri = details.get_setup_uri("my_app")
    assert uri.startswith("otpauth://totp/my_app:") and f"secret={details.shared_secret}" in uri
    verify_totp_setup(code=pyotp.TOTP(details.shared_secret).now())
    update_mfa_preference(totp="PREFERRED")
    pref = fetch_mfa_preference()
    assert (pref.preferred, pref.enabled) == ("TOTP", ["TOTP"])
    sign_out()

    result = sign_in(username="totp@example.com", password=PASSWORD)
    assert result.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    done = confirm_sign_in(challenge_response=_fresh_totp(details.shared_secret))
    assert done.is_signed_in and done.next_step.sign_in_step == "DONE"


def test_sms_mfa_code(deploy) -> None:
    backend = deploy("mfa_optional_totp_sms")
    _user(backend, "sms@example.com", phone_number="+15555550100")
    sign_in(username="sms@example.com", password=PASSWORD)
    update_mfa_preference(sms="PREFERRED")
    sign_out()
    result = sign_in(username="sms@example.com", password=PASSWORD)
    assert result.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    details = result.next_step.code_delivery_details
    assert details.delivery_medium == "SMS"
    assert details.destination.endswith("0100")
    assert confirm_sign_in(challenge_response=backend.last_code("+15555550100")).is_signed_in


def test_mfa_selection_between_sms_and_totp(deploy) -> None:
    backend = deploy("mfa_optional_totp_sms")
    _user(backend, "both@example.com", phone_number="+15555550101")
    sign_in(username="both@example.com", password=PASSWORD)
    secret = set_up_totp().shared_secret
    verify_totp_setup(code=pyotp.TOTP(secret).now())
    update_mfa_preference(sms="ENABLED", totp="ENABLED")
    sign_out()
    result = sign_in(username="both@example.com", password=PASSWORD)
    assert result.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_MFA_SELECTION"
    assert sorted(result.next_step.allowed_mfa_types) == ["SMS", "TOTP"]
    chosen = confirm_sign_in(challenge_response="SMS")
    assert chosen.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    assert confirm_sign_in(challenge_response=backend.last_code("+15555550101")).is_signed_in


def _mfa_required(tpl: dict) -> None:
    pool = resource(tpl, "AWS::Cognito::UserPool")
    pool["MfaConfiguration"] = "ON"
    pool["EnabledMfas"] = ["SOFTWARE_TOKEN_MFA"]


def test_required_mfa_sets_up_totp_during_sign_in(deploy) -> None:
    backend = deploy("mfa_optional_totp_sms", _mfa_required)
    _user(backend, "setup@example.com")
    result = sign_in(username="setup@example.com", password=PASSWORD)
    assert result.next_step.sign_in_step == "CONTINUE_SIGN_IN_WITH_TOTP_SETUP"
    details = result.next_step.totp_setup_details
    assert details.get_setup_uri("my_app").startswith("otpauth://totp/my_app:")
    done = confirm_sign_in(challenge_response=pyotp.TOTP(details.shared_secret).now())
    assert done.next_step.sign_in_step == "DONE"
    assert get_current_user().username
    sign_out()
    again = sign_in(username="setup@example.com", password=PASSWORD)
    assert again.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    assert confirm_sign_in(challenge_response=_fresh_totp(details.shared_secret)).is_signed_in
