"""The stored form of a user: ``User.to_record`` is written out by hand for speed; it must stay what
``dataclasses.asdict`` gives, and loading it back must give the same user."""

from __future__ import annotations

from dataclasses import asdict

from amplify_py.local.model.user import MfaSettings, User, UserStatus


def _full_user() -> User:
    user = User.new("alice", {"email": "a@example.com", "email_verified": "true"}, UserStatus.CONFIRMED, 1700000000.0)
    user.mfa = MfaSettings(sms=True, totp=False, email=True, preferred="EMAIL_OTP")
    user.pending = {"email": "new@example.com"}
    user.code_attempts = {"FORGOT_PASSWORD": [1.0, 2.5]}
    user.srp_salt, user.srp_verifier, user.totp_secret, user.failed = "00ab", "cd", "SECRET", 2
    return user


def test_to_record_is_what_asdict_gives_with_the_status_as_text() -> None:
    user = _full_user()
    expected = asdict(user)
    expected["status"] = "CONFIRMED"
    record = user.to_record()
    assert record == expected
    assert type(record["status"]) is str and list(record) == list(expected)


def test_to_record_copies_what_it_holds_and_loads_back_equal() -> None:
    user = _full_user()
    record = user.to_record()
    record["attributes"]["email"] = "changed@example.com"
    record["code_attempts"]["FORGOT_PASSWORD"].append(9.0)
    record["mfa"]["sms"] = False
    assert user.attributes["email"] == "a@example.com"
    assert user.code_attempts == {"FORGOT_PASSWORD": [1.0, 2.5]} and user.mfa.sms is True
    assert User.from_record(user.to_record()) == user
    assert User.from_record({**user.to_record(), "scrypt": "old"}) == user  # keys no longer used are dropped


def test_a_subclass_keeps_its_own_fields() -> None:
    """PhantomUser (an unknown name's counts) adds a field; it is saved and loaded like the others."""
    from amplify_py.local.model.phantom import PhantomUser

    phantom = PhantomUser.new("nobody", {}, UserStatus.CONFIRMED, 1700000000.0)
    phantom.guesses = {"FORGOT_PASSWORD": 3}
    record = phantom.to_record()
    assert record["guesses"] == {"FORGOT_PASSWORD": 3}
    assert PhantomUser.from_record(record).guesses == {"FORGOT_PASSWORD": 3}
    assert "guesses" not in User.from_record(record).to_record()  # a User read from it keeps a user's fields
