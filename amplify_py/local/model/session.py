"""Challenge sessions: what the engine remembers between one sign-in step and the next.

One class per kind of session. InitiateAuth and RespondToAuthChallenge hand the client an opaque id; the
store keeps ``to_data()`` under it; ``from_data`` brings back the right class. A new challenge is a new
class here and one branch in ``operations.sign_in``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

from amplify_py.local.model.code import OneTimeCode

__all__ = [
    "Session", "SrpSession", "NewPasswordSession", "MfaSetupSession", "SelectMfaSession", "CodeChallengeSession",
    "SelectChallengeSession", "CustomChallengeSession", "SignUpSession", "ConfirmedSession", "WebAuthnSession",
    "WebAuthnRegistrationSession", "DeviceSrpSession", "DevicePasswordVerifierSession", "session_from_data",
]


@dataclass
class Session:
    client_id: str
    username: str | None  # None: an unknown user answered as if known (existence errors prevented)
    KIND: ClassVar[str] = ""

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.KIND, **asdict(self)}


@dataclass
class SrpSession(Session):
    """PASSWORD_VERIFIER pending: the server's SRP values (hex) for the proof the client will send."""

    KIND: ClassVar[str] = "SRP"
    user_id: str = ""
    b: str = ""
    big_b: str = ""
    a: str = ""
    secret_block: str = ""
    custom_history: list[dict] | None = None  # CUSTOM_AUTH with SRP: DefineAuthChallenge's history so far


@dataclass
class NewPasswordSession(Session):
    KIND: ClassVar[str] = "NEW_PASSWORD"


@dataclass
class MfaSetupSession(Session):
    """MFA_SETUP: the first factor passed; the user must set up an MFA factor (also lets AssociateSoftwareToken
    and VerifySoftwareToken run with this session)."""

    KIND: ClassVar[str] = "MFA_SETUP"


@dataclass
class SelectMfaSession(Session):
    KIND: ClassVar[str] = "SELECT_MFA"
    choices: list[str] = field(default_factory=list)


@dataclass
class CodeChallengeSession(Session):
    """SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP (as MFA), or EMAIL_OTP/SMS_OTP as a first factor."""

    KIND: ClassVar[str] = "CODE"
    challenge: str = ""
    first_factor: bool = False
    code: OneTimeCode | None = None  # None for TOTP (the app makes the code)
    attempts: int = 0  # wrong answers so far; the third ends the session
    setup_email: str | None = None  # email MFA being set up: the address the code went to

    def to_data(self) -> dict[str, Any]:
        data = super().to_data()
        data["code"] = asdict(self.code) if self.code else None
        return data


@dataclass
class SelectChallengeSession(Session):
    """USER_AUTH without a usable preferred challenge: the user picks from AvailableChallenges."""

    KIND: ClassVar[str] = "SELECT_CHALLENGE"
    given: str = ""  # the name the client signed in with


@dataclass
class CustomChallengeSession(Session):
    KIND: ClassVar[str] = "CUSTOM"
    history: list[dict] = field(default_factory=list)
    challenge: str = ""
    private: dict[str, str] = field(default_factory=dict)
    metadata: str | None = None


@dataclass
class SignUpSession(Session):
    KIND: ClassVar[str] = "SIGN_UP"


@dataclass
class ConfirmedSession(Session):
    """Returned by ConfirmSignUp: lets USER_AUTH sign the user in without asking again (auto sign-in)."""

    KIND: ClassVar[str] = "CONFIRMED"


@dataclass
class WebAuthnSession(Session):
    """WEB_AUTHN pending: the assertion must answer this challenge (base64url) for this relying party."""

    KIND: ClassVar[str] = "WEB_AUTHN"
    challenge: str = ""
    relying_party_id: str = ""


@dataclass
class WebAuthnRegistrationSession(Session):
    """StartWebAuthnRegistration's challenge (base64url), waiting for CompleteWebAuthnRegistration from the
    same app client."""

    KIND: ClassVar[str] = "WEB_AUTHN_REGISTRATION"
    challenge: str = ""
    relying_party_id: str = ""


@dataclass
class DeviceSrpSession(Session):
    """DEVICE_SRP_AUTH pending: every other step passed; the remembered device must prove its secret."""

    KIND: ClassVar[str] = "DEVICE_SRP_AUTH"
    device_key: str = ""
    paired_id: str = ""  # the same session under its other id (by Session, or by user and device)


@dataclass
class DevicePasswordVerifierSession(Session):
    """DEVICE_PASSWORD_VERIFIER pending: the server's half of the device's SRP (hex), keyed by SECRET_BLOCK."""

    KIND: ClassVar[str] = "DEVICE_PASSWORD_VERIFIER"
    device_key: str = ""
    b: str = ""
    big_b: str = ""
    a: str = ""
    secret_block: str = ""
    paired_id: str = ""  # the same session under its Session id


_KINDS: dict[str, type[Session]] = {cls.KIND: cls for cls in (
    SrpSession, NewPasswordSession, MfaSetupSession, SelectMfaSession, CodeChallengeSession,
    SelectChallengeSession, CustomChallengeSession, SignUpSession, ConfirmedSession, WebAuthnSession,
    WebAuthnRegistrationSession, DeviceSrpSession, DevicePasswordVerifierSession)}


def session_from_data(data: dict[str, Any]) -> Session | None:
    """The typed session for stored data; None for a kind this engine does not know (an older format)."""
    cls = _KINDS.get(str(data.get("kind")))
    if cls is None:
        return None
    known = {f.name for f in fields(cls)}
    values = {k: v for k, v in data.items() if k in known}
    if cls is CodeChallengeSession and values.get("code") is not None:
        values["code"] = OneTimeCode(**values["code"])
    try:
        return cls(**values)
    except TypeError:
        return None
