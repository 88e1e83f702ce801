"""What the web integrations share: reading a bearer token, and RFC 6750's answer when it is refused.

No web framework is imported here. RFC 6750 section 3: a request without a token gets
401 and a bare ``WWW-Authenticate: Bearer`` challenge (no error code); a refused token
gets 401 ``error="invalid_token"``; a valid token without the required groups or
scopes gets 403 ``error="insufficient_scope"`` (with ``scope="..."`` when scopes were
required). ``error_description`` is the error's message, reduced to the characters
RFC 6750 allows there; the resolution (meant for the developer) is never sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from amplify_py.verify.errors import JwtInvalidScopeError, JwtRejectedError

__all__ = ["bearer_token", "Challenge", "challenge", "NOT_AUTHENTICATED"]

NOT_AUTHENTICATED = "Not authenticated"
_MAX_DESCRIPTION = 300


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive), else None."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


def _description(text: str) -> str:
    # RFC 6750 3: error_description = *( %x20-21 / %x23-5B / %x5D-7E ); the message may quote token values.
    cleaned = "".join(c if (" " <= c <= "~" and c not in '"\\') else "?" for c in text.replace('"', "'"))
    return cleaned if len(cleaned) <= _MAX_DESCRIPTION else cleaned[: _MAX_DESCRIPTION - 3] + "..."


def _scope_token(value: str) -> str:
    # RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    return "".join(c for c in value if "!" <= c <= "~" and c not in '"\\')


@dataclass(frozen=True)
class Challenge:
    """An HTTP answer to a missing or refused token: status, ``WWW-Authenticate`` value, and a description."""

    status: int
    www_authenticate: str
    description: str
    error: str | None


def challenge(error: JwtRejectedError | None, *, realm: str | None = None) -> Challenge:
    """The answer to ``error`` (None: no token was sent)."""
    params: list[tuple[str, str]] = []
    if realm:
        params.append(("realm", _description(realm)))
    if error is None:
        description, code, status = NOT_AUTHENTICATED, None, 401
    else:
        description, code = _description(error.message), error.oauth_error
        status = 403 if code == "insufficient_scope" else 401
        params.append(("error", code))
        params.append(("error_description", description))
        if isinstance(error, JwtInvalidScopeError) and error.expected:
            expected = (error.expected,) if isinstance(error.expected, str) else error.expected
            params.append(("scope", " ".join(filter(None, map(_scope_token, expected)))))
    value = "Bearer" + ("" if not params else " " + ", ".join(f'{name}="{text}"' for name, text in params))
    return Challenge(status=status, www_authenticate=value, description=description, error=code)
