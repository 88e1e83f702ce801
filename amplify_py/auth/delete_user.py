"""delete_user: delete the signed-in user, then sign out."""

from __future__ import annotations

from amplify_py.auth._common import require_tokens, user_pool
from amplify_py.auth._session import cognito_user_pools_token_provider
from amplify_py.auth.sign_out import sign_out

__all__ = ["delete_user"]


def delete_user() -> None:
    """Delete the signed-in user (Cognito DeleteUser) and clear the local session."""
    tokens = require_tokens()
    user_pool("DeleteUser", {"AccessToken": str(tokens.access_token)})
    cognito_user_pools_token_provider.clear_device_metadata()  # the user's devices went with it
    sign_out()
