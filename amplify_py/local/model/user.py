"""A user of a pool, as the engine keeps it: one typed record, stored as JSON by the store.

Every field a rule reads or writes is named here, so a new piece of user state is one new field (with a
default, so rows written before it still load).
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

__all__ = ["User", "UserStatus", "MfaSettings", "MFA_NAMES"]


class UserStatus(StrEnum):
    """Cognito's UserStatusType values the engine produces."""

    UNCONFIRMED = "UNCONFIRMED"
    CONFIRMED = "CONFIRMED"
    FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
    RESET_REQUIRED = "RESET_REQUIRED"
    EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"


# The user's MFA flags by Cognito's MFA name (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP).
MFA_NAMES = {"sms": "SMS_MFA", "totp": "SOFTWARE_TOKEN_MFA", "email": "EMAIL_OTP"}


@dataclass
class MfaSettings:
    """Which MFA factors the user turned on, and the preferred one (a Cognito MFA name or None)."""

    sms: bool = False
    totp: bool = False
    email: bool = False
    preferred: str | None = None

    def enabled_names(self) -> list[str]:
        """Cognito's names of the enabled factors, in Cognito's order."""
        return [name for flag, name in MFA_NAMES.items() if getattr(self, flag)]


@dataclass
class User:
    """One user. ``attributes`` holds Cognito attributes as strings (``sub`` included); ``pending`` holds
    email/phone changes waiting for verification (AttributesRequireVerificationBeforeUpdate)."""

    username: str
    sub: str
    attributes: dict[str, str]
    status: UserStatus
    enabled: bool = True
    created: float = 0.0
    modified: float = 0.0
    mfa: MfaSettings = field(default_factory=MfaSettings)
    totp_secret: str | None = None
    totp_pending: str | None = None  # associated, not yet verified
    totp_last_step: int = -1  # the last TOTP time step spent (a code is good once)
    failed: int = 0  # consecutive failed sign-in attempts (lockout)
    last_failure: float = 0.0
    last_attempt: float = 0.0
    pending: dict[str, str] = field(default_factory=dict)
    srp_salt: str | None = None
    srp_verifier: str | None = None  # the one password secret; the password itself is never kept
    code_attempts: dict[str, list[float]] = field(default_factory=dict)  # by code purpose: when codes were
    # requested or entered in the last hour (Cognito's hourly limit, ``rules.codes.count_attempt``)

    @classmethod
    def new(cls, username: str, attributes: dict[str, str], status: UserStatus, now: float) -> "User":
        sub = str(uuid.uuid4())
        return cls(username=username, sub=sub, attributes={"sub": sub, **attributes}, status=UserStatus(status),
                   created=now, modified=now)

    # --- storage ------------------------------------------------------------
    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "User":
        """Load a stored row; keys no longer used (an old scrypt hash, say) are dropped."""
        known = _field_names(cls)[1]
        values = {k: v for k, v in record.items() if k in known}
        values["status"] = UserStatus(values["status"])
        values["mfa"] = MfaSettings(**(values.get("mfa") or {}))
        if values.get("totp_last_step") is None:
            values["totp_last_step"] = -1
        return cls(**values)

    def to_record(self) -> dict[str, Any]:
        """What ``dataclasses.asdict`` gives (fresh copies of the dicts and lists), written out: asdict's
        generic deep copy was a fifth of a sign-up's time under the database's write lock."""
        record = {name: getattr(self, name) for name in _field_names(type(self))[0]}
        record["status"] = str(self.status)
        record["attributes"] = dict(self.attributes)
        record["pending"] = dict(self.pending)
        record["mfa"] = {name: getattr(self.mfa, name) for name in _MFA_FIELDS}
        record["code_attempts"] = {purpose: list(times) for purpose, times in self.code_attempts.items()}
        return record

    # --- what rules ask of a user ---------------------------------------------
    @property
    def has_password(self) -> bool:
        """Passwordless users (signed up with a one-time code or a passkey only) have no verifier."""
        return bool(self.srp_verifier)

    def verified(self, attribute: str) -> bool:
        return self.attributes.get(f"{attribute}_verified") == "true"

    def attribute_list(self) -> list[dict[str, str]]:
        """Cognito's AttributeType list, ``sub`` first."""
        ordered = ["sub"] + [k for k in self.attributes if k != "sub"]
        return [{"Name": k, "Value": self.attributes[k]} for k in ordered if k in self.attributes]

    def to_user_type(self, *, attributes_key: str = "Attributes") -> dict[str, Any]:
        """Cognito's UserType (AdminGetUser names the attribute list UserAttributes)."""
        return {
            "Username": self.username,
            attributes_key: self.attribute_list(),
            "UserCreateDate": self.created,
            "UserLastModifiedDate": self.modified,
            "Enabled": self.enabled,
            "UserStatus": str(self.status),
        }

    def mfa_settings(self) -> dict[str, Any]:
        """GetUser's UserMFASettingList and PreferredMfaSetting (omitted when empty)."""
        out: dict[str, Any] = {}
        enabled = self.mfa.enabled_names()
        if enabled:
            out["UserMFASettingList"] = enabled
        if self.mfa.preferred:
            out["PreferredMfaSetting"] = self.mfa.preferred
        return out


@functools.cache
def _field_names(cls: type) -> tuple[tuple[str, ...], frozenset[str]]:
    """A user class's fields (in order, and as a set), once per class: a subclass (PhantomUser) adds its own."""
    names = tuple(f.name for f in fields(cls))
    return names, frozenset(names)


_MFA_FIELDS = tuple(f.name for f in fields(MfaSettings))
