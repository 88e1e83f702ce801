"""fetch_auth_session: the user's tokens (refreshed when expired) and, with an identity pool, AWS credentials."""

from __future__ import annotations

from amplify_py.auth._config import get_auth_config
from amplify_py.auth._session import cognito_user_pools_token_provider, credentials_provider
from amplify_py.auth.types import AuthSession

__all__ = ["fetch_auth_session"]


def fetch_auth_session(*, force_refresh: bool = False, client_metadata: dict[str, str] | None = None) -> AuthSession:
    """Tokens (None when signed out), identity id and credentials (guest ones when signed out and allowed).

    Tokens are refreshed with Cognito's GetTokensFromRefreshToken when they have expired, or
    always with ``force_refresh=True``; a refresh token Cognito rejects signs the user out locally.
    """
    config = get_auth_config()
    tokens = cognito_user_pools_token_provider.get_tokens(force_refresh=force_refresh, client_metadata=client_metadata)
    found = credentials_provider.get(config, tokens, force_refresh=force_refresh)
    credentials, identity_id = found if found else (None, None)
    return AuthSession(
        tokens=tokens,
        credentials=credentials,
        identity_id=identity_id,
        user_sub=tokens.access_token.payload.get("sub") if tokens else None,
    )
