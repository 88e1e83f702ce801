"""Verify Cognito user pool tokens in a Python backend (the local engine's too).

``CognitoJwtVerifier.from_outputs("amplify_outputs.json", token_use="access")`` builds a
verifier for the backend the outputs describe; ``verify(token)`` (or ``await
verify_async(token)``) returns the claims or raises a ``JwtVerificationError``. The
checks follow aws-jwt-verify's ``CognitoJwtVerifier``: RS256 signature against the
pool's cached JWKS (refetched on key rotation, rate-limited), ``iss``, ``token_use``,
the app client, ``exp``/``nbf``/``iat``, optional groups and scopes, and a custom check.

Web frameworks: ``amplify_py.verify.fastapi.CognitoAuth`` (``pip install
'amplify-py[fastapi]'``) and ``amplify_py.verify.flask.require_token`` (``[flask]``).
This package imports neither.
"""

from amplify_py.verify._jwks import DEFAULT_FETCH_TIMEOUT, DEFAULT_PENALTY_SECONDS, Jwk, Jwks, JwksCache
from amplify_py.verify._verifier import DEFAULT_GRACE_SECONDS, Claims, CognitoJwtVerifier, CustomJwtCheck, TokenUse
from amplify_py.verify import errors as _errors
from amplify_py.verify.errors import *  # noqa: F403 - the errors are public here too, as errors.__all__ lists them

__all__ = [
    "CognitoJwtVerifier",
    "JwksCache",
    "Claims",
    "CustomJwtCheck",
    "TokenUse",
    "Jwk",
    "Jwks",
    "DEFAULT_GRACE_SECONDS",
    "DEFAULT_PENALTY_SECONDS",
    "DEFAULT_FETCH_TIMEOUT",
]
__all__ += _errors.__all__
