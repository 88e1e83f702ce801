"""sign_in_with_redirect: managed login (Cognito's hosted UI) or an identity provider, for command-line and
desktop programs.

As ``gcloud auth login`` does: the system browser opens ``/oauth2/authorize`` (authorization code with PKCE
S256 and a random state, as aws-amplify sends them), a one-shot HTTP server on a registered loopback callback
URL (``http://localhost:<port>/``) receives the redirect, the code is exchanged at ``/oauth2/token``, and the
tokens are stored like any other sign-in's. The same code works against Cognito: the domain and URLs come
from amplify_outputs.json.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import urlencode

from amplify_py.auth._common import check_options
from amplify_py.auth._config import get_auth_config
from amplify_py.auth._oauth import OAUTH_SIGN_IN_EXCEPTION, Loopback, callback_params, loopback_url, \
    open_in_browser, post_token, require_oauth
from amplify_py.auth._session import cognito_user_pools_token_provider
from amplify_py.auth.errors import AuthError
from amplify_py.auth.sign_in import _assert_user_not_authenticated
from amplify_py.auth.types import JWT

__all__ = ["sign_in_with_redirect", "PROVIDERS"]

PROVIDERS = {"Google": "Google", "Facebook": "Facebook", "Amazon": "LoginWithAmazon", "Apple": "SignInWithApple"}
"""aws-amplify's provider names and the identity_provider Cognito knows them by."""
_OPTIONS = ("login_hint", "lang", "nonce", "prompt", "redirect_url", "launch_browser", "open_url", "timeout")
_CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _provider_params(provider: str | dict[str, str] | None) -> dict[str, str]:
    """identity_provider (COGNITO by default, as aws-amplify) or idp_identifier."""
    if provider is None:
        return {"identity_provider": "COGNITO"}
    if isinstance(provider, str):
        if provider not in PROVIDERS:
            raise AuthError("InvalidProvider", f"Unknown provider {provider!r}.",
                            f"Use one of {', '.join(PROVIDERS)}, or {{'custom': '<OIDC or SAML provider name>'}}.")
        return {"identity_provider": PROVIDERS[provider]}
    if provider.get("custom"):
        return {"identity_provider": str(provider["custom"])}
    if provider.get("idp_identifier"):
        return {"idp_identifier": str(provider["idp_identifier"])}
    raise AuthError("InvalidProvider", f"Unknown provider {provider!r}.",
                    "Pass {'custom': '<provider name>'} or {'idp_identifier': '<identifier>'}.")


def _url_safe(text: str) -> str:
    """aws-amplify's urlSafeEncode: each character's code in hex (survives Cognito's double decoding)."""
    return "".join(format(ord(c), "x").rjust(2, "0") for c in text)


def _url_safe_decode(text: str) -> str:
    return "".join(chr(int(text[i:i + 2], 16)) for i in range(0, len(text), 2))


def sign_in_with_redirect(provider: str | dict[str, str] | None = None, custom_state: str | None = None,
                          options: dict[str, Any] | None = None) -> str | None:
    """Sign in through managed login or an identity provider in the browser; returns ``custom_state`` back.

    ``provider``: None (managed login), ``"Google"``, ``"Facebook"``, ``"Amazon"``, ``"Apple"``,
    ``{"custom": "MyOidc"}`` or ``{"idp_identifier": "example.com"}``. ``options``: aws-amplify's
    ``login_hint``, ``lang``, ``nonce``, ``prompt`` (``"NONE"``, ``"LOGIN"``, ``"CONSENT"``,
    ``"SELECT_ACCOUNT"``), and for programs: ``redirect_url`` (which registered loopback URL to listen on),
    ``launch_browser=False`` to print the URL instead of opening a browser (headless), ``open_url`` (a
    function given the URL, e.g. an embedded web view) and ``timeout`` (seconds, default 300).

    aws-amplify delivers ``custom_state`` with the Hub event ``customOAuthState``; Python has no Hub, so it is
    returned.
    """
    opts = check_options(options, _OPTIONS, "sign_in_with_redirect")
    config = get_auth_config()
    oauth = require_oauth(config)
    if oauth.response_type != "code":
        raise AuthError("UnsupportedResponseType", f"sign_in_with_redirect in a program needs the authorization code "
                        f"grant; the outputs say response_type {oauth.response_type!r}.",
                        "Implicit-grant tokens arrive in the URL fragment, which never reaches a server. Use the "
                        "code grant (the default of define_auth's external_providers).")
    chosen = _provider_params(provider)
    if not opts.get("prompt"):
        _assert_user_not_authenticated()
    redirect_uri = loopback_url(oauth.redirect_sign_in, opts.get("redirect_url"), "sign-in")
    state = "".join(secrets.choice(_CHARSET) for _ in range(32))
    if custom_state is not None:
        state = f"{state}-{_url_safe(custom_state)}"
    verifier = "".join(secrets.choice(_CHARSET) for _ in range(128))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    params = {"redirect_uri": redirect_uri, "response_type": "code", "client_id": config.user_pool_client_id,
              **chosen, "scope": " ".join(oauth.scopes)}
    for key in ("login_hint", "lang", "nonce"):
        if opts.get(key):
            params[key] = str(opts[key])
    if opts.get("prompt"):
        params["prompt"] = str(opts["prompt"]).lower()
    params.update(state=state, code_challenge=challenge, code_challenge_method="S256")
    url = f"https://{oauth.domain}/oauth2/authorize?{urlencode(params)}"
    with Loopback(redirect_uri, "Signed in") as loopback:
        open_in_browser(url, launch_browser=opts.get("launch_browser", True), open_url=opts.get("open_url"))
        answer = callback_params(loopback.wait(float(opts.get("timeout", 300))))
    if answer.get("error"):
        raise AuthError(OAUTH_SIGN_IN_EXCEPTION, answer.get("error_description") or answer["error"],
                        "Make sure Cognito Hosted UI has been configured correctly")
    if answer.get("state") != state:
        raise AuthError(OAUTH_SIGN_IN_EXCEPTION, "An error occurred while validating the state.",
                        "Try to initiate an OAuth flow from Amplify")
    if not answer.get("code"):
        raise AuthError(OAUTH_SIGN_IN_EXCEPTION, "User cancelled OAuth flow.")
    tokens = post_token(config, oauth, {"grant_type": "authorization_code", "code": answer["code"],
                                        "client_id": config.user_pool_client_id, "redirect_uri": redirect_uri,
                                        "code_verifier": verifier})
    provider_store = cognito_user_pools_token_provider
    username = JWT.decode(tokens["access_token"]).payload.get("username") or "username"
    provider_store.cache_authentication_result({"AccessToken": tokens["access_token"], "IdToken": tokens.get("id_token"),
                                                "RefreshToken": tokens.get("refresh_token")}, username, None)
    provider_store.set_oauth_metadata({"oauthSignIn": True}, config)
    return _url_safe_decode(state.split("-", 1)[1]) if custom_state is not None else None
