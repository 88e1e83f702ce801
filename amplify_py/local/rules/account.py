"""Whether an account may sign in, checked in one order everywhere: disabled, then unconfirmed."""

from __future__ import annotations

from amplify_py.local.errors import CognitoError, not_authorized
from amplify_py.local.model.user import User, UserStatus
from amplify_py.local.rules.tokens import DISABLED

__all__ = ["check_can_sign_in"]


def check_can_sign_in(user: User) -> None:
    """Cognito's answer once the first factor passed for a disabled or unconfirmed user."""
    if not user.enabled:
        raise not_authorized(DISABLED)
    if user.status == UserStatus.UNCONFIRMED:
        raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
