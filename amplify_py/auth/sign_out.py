"""sign_out: revoke the refresh token (or sign out everywhere) and forget the local session; after
sign_in_with_redirect, end the managed-login session too.

Amplify spells it ``signOut({ global: true })``; ``global`` is a Python keyword, so the flag is
``global_sign_out``: a plain word rather than ``global_``, and it names the Cognito
operation it calls (GlobalSignOut).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

from amplify_py.auth._common import check_options
from amplify_py.auth._config import AuthConfig, get_auth_config
from amplify_py.auth._oauth import Loopback, loopback_url, open_in_browser, require_oauth
from amplify_py.auth._session import cognito_user_pools_token_provider, credentials_provider
from amplify_py.auth._transport import call_user_pool
from amplify_py.auth.errors import AuthError

__all__ = ["sign_out"]

_log = logging.getLogger("amplify_py.auth")
_OPTIONS = ("redirect_url", "launch_browser", "open_url", "timeout")


def sign_out(*, global_sign_out: bool = False, options: dict[str, Any] | None = None) -> None:
    """Sign the user out of this program; with ``global_sign_out=True``, out of every device.

    Local sign-out revokes the refresh token (Cognito RevokeToken) when the tokens are
    revocable (their access token has ``origin_jti``); global sign-out calls GlobalSignOut,
    which invalidates all the user's refresh tokens. Service errors are logged, never
    raised: the local tokens are removed either way, as in Amplify.

    After ``sign_in_with_redirect`` the browser also visits ``/logout`` (as aws-amplify's signOut does), so
    the next sign-in asks for the password again. ``options``: ``redirect_url`` (Amplify's
    ``oauth.redirectUrl``: which registered sign-out URL to return to), ``launch_browser``, ``open_url`` and
    ``timeout`` as for ``sign_in_with_redirect``.
    """
    opts = check_options(options, _OPTIONS, "sign_out")
    config = get_auth_config()
    provider = cognito_user_pools_token_provider
    tokens = provider.load_tokens(config)
    hosted = bool(provider.oauth_metadata(config).get("oauthSignIn")) if tokens is not None else False
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
    if hosted:
        _end_hosted_session(config, opts)


def _end_hosted_session(config: AuthConfig, opts: dict[str, Any]) -> None:
    """The browser visits /logout; a loopback sign-out URL waits for it to arrive, any other is just opened."""
    oauth = require_oauth(config)
    try:
        sign_out_url = loopback_url(oauth.redirect_sign_out, opts.get("redirect_url"), "sign-out")
    except AuthError as exc:
        if exc.name != "InvalidRedirectException":
            raise
        sign_out_url = oauth.redirect_sign_out[0]  # a web page: the browser goes there, nothing to wait for
    url = f"https://{oauth.domain}/logout?client_id={config.user_pool_client_id}&logout_uri={quote(sign_out_url, safe='')}"
    launch = {"launch_browser": opts.get("launch_browser", True), "open_url": opts.get("open_url")}
    parts = urlsplit(sign_out_url)
    if not (parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1") and parts.port):
        open_in_browser(url, **launch)
        return
    with Loopback(sign_out_url, "Signed out") as loopback:
        open_in_browser(url, **launch)
        loopback.wait(float(opts.get("timeout", 300)))
