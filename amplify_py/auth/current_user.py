"""get_current_user: who is signed in, from the ID token (no service call unless tokens need a refresh)."""

from __future__ import annotations

from amplify_py.auth._common import require_tokens
from amplify_py.auth.types import AuthUser

__all__ = ["get_current_user"]


def get_current_user() -> AuthUser:
    """The signed-in user's username (``cognito:username``), user id (``sub``) and sign-in details.

    Raises ``UserUnAuthenticatedException`` when nobody is signed in, so it doubles as a check.
    """
    tokens = require_tokens()
    payload = tokens.id_token.payload if tokens.id_token else {}
    return AuthUser(
        username=payload.get("cognito:username"),
        user_id=payload.get("sub"),
        sign_in_details=tokens.sign_in_details,
    )
