"""sign_out: revoke the refresh token (or sign out everywhere) and forget the local session.

Amplify spells it ``signOut({ global: true })``; ``global`` is a Python keyword, so the flag is
``global_sign_out``: a plain word rather than ``global_``, and it names the Cognito
operation it calls (GlobalSignOut).
"""

from __future__ import annotations

import logging

from amplify_py.auth._config import get_auth_config
from amplify_py.auth._session import cognito_user_pools_token_provider, credentials_provider
from amplify_py.auth._transport import call_user_pool
from amplify_py.auth.errors import AuthError

__all__ = ["sign_out"]

_log = logging.getLogger("amplify_py.auth")


def sign_out(*, global_sign_out: bool = False) -> None:
    """Sign the user out of this program; with ``global_sign_out=True``, out of every device.

    Local sign-out revokes the refresh token (Cognito RevokeToken) when the tokens are
    revocable (their access token has ``origin_jti``); global sign-out calls GlobalSignOut,
    which invalidates all the user's refresh tokens. Service errors are logged, never
    raised: the local tokens are removed either way, as in Amplify.
    """
    config = get_auth_config()
    provider = cognito_user_pools_token_provider
    tokens = provider.load_tokens(config)
    if tokens is not None:
        try:
            if global_sign_out:
                call_user_pool(config.user_pool_endpoint, "GlobalSignOut", {"AccessToken": str(tokens.access_token)})
            elif tokens.refresh_token and tokens.access_token.payload.get("origin_jti"):
                call_user_pool(
                    config.user_pool_endpoint,
                    "RevokeToken",
                    {"ClientId": config.user_pool_client_id, "Token": tokens.refresh_token},
                )
        except AuthError as exc:
            _log.debug("sign_out: %s (%s); removing the local tokens anyway", exc.name, exc.message)
    provider.clear_tokens(config)
    credentials_provider.clear()
