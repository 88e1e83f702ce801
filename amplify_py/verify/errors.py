"""Errors raised by ``amplify_py.verify``, named as aws-jwt-verify names them.

Everything derives from ``JwtVerificationError``, an ``AmpyUserError``: each error has
aws-jwt-verify's class name as its ``name``, a ``message`` that says what was wrong
with the token (safe to show the caller) and a ``resolution`` for you, the backend's
developer (never sent to the caller).

Three branches, because a web app answers them differently:

- ``JwtRejectedError``: the token was checked and refused. The FastAPI and Flask
  integrations answer 401 ``invalid_token``, or 403 ``insufficient_scope`` for the two
  authorization checks (``CognitoJwtInvalidGroupError``, ``JwtInvalidScopeError``; see
  ``oauth_error``).
- ``FetchError`` / ``JwksValidationError``: the signing keys could not be had, so no
  token can be checked. The integrations let these propagate (a server error).
- ``ParameterValidationError``: the verifier itself is set up wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from amplify_py.errors import AmpyUserError

__all__ = [
    "JwtVerificationError",
    "ParameterValidationError",
    "FetchError",
    "NonRetryableFetchError",
    "JwksValidationError",
    "JwtRejectedError",
    "JwtParseError",
    "JwtInvalidSignatureError",
    "JwtInvalidSignatureAlgorithmError",
    "JwtWithoutValidKidError",
    "KidNotFoundInJwksError",
    "WaitPeriodNotYetEndedJwkError",
    "JwkValidationError",
    "JwkInvalidUseError",
    "JwkInvalidKtyError",
    "RawJwt",
    "JwtInvalidClaimError",
    "JwtInvalidIssuerError",
    "JwtExpiredError",
    "JwtNotBeforeError",
    "JwtInvalidIssuedAtError",
    "JwtInvalidScopeError",
    "CognitoJwtInvalidGroupError",
    "CognitoJwtInvalidTokenUseError",
    "CognitoJwtInvalidClientIdError",
]


class JwtVerificationError(AmpyUserError):
    """Base of every error ``amplify_py.verify`` raises."""

    default_resolution: ClassVar[str] = "See the message for what was wrong with the token."

    def __init__(self, message: str, *, resolution: str | None = None) -> None:
        super().__init__(type(self).__name__, message, resolution or self.default_resolution)


class ParameterValidationError(JwtVerificationError):
    """The verifier was set up wrong (a bad user pool ID, an unreadable amplify_outputs.json, ...)."""

    default_resolution = "Fix the arguments you build CognitoJwtVerifier with."


class FetchError(JwtVerificationError):
    """The JWKS could not be downloaded (network error, timeout)."""

    default_resolution = (
        "Check that the JWKS URI is reachable from this machine: for the local engine, that it is running "
        "(`ampy sandbox` or `ampy local serve`); for Cognito, the user pool ID and region."
    )

    def __init__(self, uri: str, reason: str, *, resolution: str | None = None) -> None:
        self.uri = uri
        self.reason = reason
        super().__init__(f"Failed to fetch {uri}: {reason}", resolution=resolution)


class NonRetryableFetchError(FetchError):
    """The JWKS URI answered, but not with 200; retrying at once would not help."""

    default_resolution = (
        "Check the user pool ID (and, for the local engine, that the pool is deployed: a 404 means the engine "
        "does not know it). Rebuild the verifier from the amplify_outputs.json of the running backend."
    )


class JwksValidationError(JwtVerificationError):
    """The document at the JWKS URI is not a JSON Web Key Set."""

    default_resolution = "Check that the JWKS URI points at the identity provider's /.well-known/jwks.json."


class JwtRejectedError(JwtVerificationError):
    """The token was checked and refused. ``oauth_error`` is the RFC 6750 error code for the answer."""

    oauth_error: ClassVar[str] = "invalid_token"


class JwtParseError(JwtRejectedError):
    """The token is not a well-formed JWT (three base64url parts, JSON header and payload, typed claims)."""

    default_resolution = (
        "Send the raw JWT (header.payload.signature) as `Authorization: Bearer <token>`, e.g. "
        "str(fetch_auth_session().tokens.access_token) in Python or session.tokens.accessToken.toString() in JS."
    )


class JwtInvalidSignatureError(JwtRejectedError):
    """The signature does not match the header and payload: forged or tampered with."""

    default_resolution = (
        "The token was not signed by this user pool's key, or was altered after signing. Sign in again to get "
        "a fresh token; if the token comes from another pool or engine, build the verifier for that one."
    )


class _FailedAssertionMixin:
    """``actual`` (what the token had) and ``expected`` (what the verifier wanted), as aws-jwt-verify's failedAssertion."""

    actual: Any
    expected: str | tuple[str, ...] | None

    def _set_assertion(self, actual: Any, expected: str | tuple[str, ...] | list[str] | None) -> None:
        self.actual = actual
        self.expected = tuple(expected) if isinstance(expected, list) else expected


class JwtInvalidSignatureAlgorithmError(_FailedAssertionMixin, JwtRejectedError):
    """The header's ``alg`` is not RS256 (Cognito signs with RS256 only) or does not match the JWK's ``alg``."""

    default_resolution = (
        "Cognito user pools sign tokens with RS256; a token with another alg (none, HS256, ...) was not issued "
        "by Cognito or by the local engine."
    )

    def __init__(self, message: str, actual: Any, expected: str | list[str] | tuple[str, ...] | None) -> None:
        self._set_assertion(actual, expected)
        super().__init__(message)


class JwtWithoutValidKidError(JwtRejectedError):
    """The header has no ``kid``, so no key can be picked from the JWKS."""

    default_resolution = "Cognito tokens always name their signing key in the header's kid; this one was not issued by Cognito."


class KidNotFoundInJwksError(JwtRejectedError):
    """The header's ``kid`` is not in the JWKS, even after downloading it again."""

    default_resolution = (
        "The token was signed by a key this user pool does not publish: it comes from another pool or engine "
        "(each user pool has keys of its own, on Cognito and on the local engine), or is forged."
    )


class WaitPeriodNotYetEndedJwkError(JwtRejectedError):
    """An unknown ``kid`` arrived while the JWKS URI is in its back-off period after a fruitless download."""

    default_resolution = (
        "A token with an unknown kid was seen moments ago and the JWKS did not have it; the verifier does not "
        "download the JWKS again until the wait period ends (penalty_seconds on JwksCache)."
    )


class JwkValidationError(JwtRejectedError):
    """The JWK the token's ``kid`` selects cannot verify an RS256 signature (missing ``n`` or ``e``, ...)."""

    default_resolution = "The JWKS entry for this kid is not an RSA signing key; Cognito's keys always are."


class JwkInvalidUseError(_FailedAssertionMixin, JwkValidationError):
    """The selected JWK's ``use`` is not ``sig``."""

    def __init__(self, message: str, actual: Any, expected: str | None) -> None:
        self._set_assertion(actual, expected)
        super().__init__(message)


class JwkInvalidKtyError(_FailedAssertionMixin, JwkValidationError):
    """The selected JWK's ``kty`` is not ``RSA``."""

    def __init__(self, message: str, actual: Any, expected: str | None) -> None:
        self._set_assertion(actual, expected)
        super().__init__(message)


@dataclass(frozen=True)
class RawJwt:
    """The decoded header and payload of a token whose signature was valid but whose claims were not."""

    header: dict[str, Any]
    payload: dict[str, Any]


class JwtInvalidClaimError(_FailedAssertionMixin, JwtRejectedError):
    """A claim does not meet the verifier's expectation. Raise it from a ``custom_jwt_check`` to reject a token.

    ``raw_jwt`` holds the token's header and payload when the verifier was built with
    ``include_raw_jwt_in_errors=True`` (and only after its signature was verified).
    """

    default_resolution = "See the message for the claim that was refused."

    def __init__(
        self,
        message: str,
        actual: Any = None,
        expected: str | list[str] | tuple[str, ...] | None = None,
        *,
        resolution: str | None = None,
    ) -> None:
        self._set_assertion(actual, expected)
        self.raw_jwt: RawJwt | None = None
        super().__init__(message, resolution=resolution)

    def with_raw_jwt(self, header: dict[str, Any], payload: dict[str, Any]) -> "JwtInvalidClaimError":
        self.raw_jwt = RawJwt(header=header, payload=payload)
        return self


class JwtInvalidIssuerError(JwtInvalidClaimError):
    """``iss`` is not this user pool's issuer."""

    default_resolution = (
        "The token comes from another user pool, or from the local engine while the verifier expects Cognito "
        "(or the reverse): the engine's issuer is <user_pool_endpoint>/<user_pool_id>, Cognito's "
        "https://cognito-idp.<region>.amazonaws.com/<user_pool_id>. Build the verifier with "
        "CognitoJwtVerifier.from_outputs() from the amplify_outputs.json of the backend that issued the token."
    )


class JwtExpiredError(JwtInvalidClaimError):
    """``exp`` has passed (beyond ``grace_seconds``)."""

    default_resolution = (
        "The token has expired: clients refresh it (fetch_auth_session() in amplify_py.auth, fetchAuthSession() "
        "in Amplify JS) and send the new one. If this machine's clock is wrong, fix it or raise grace_seconds."
    )


class JwtNotBeforeError(JwtInvalidClaimError):
    """``nbf`` is still in the future (beyond ``grace_seconds``)."""

    default_resolution = "The token is not valid yet; if this machine's clock is behind, fix it or raise grace_seconds."


class JwtInvalidIssuedAtError(JwtInvalidClaimError):
    """``iat`` is missing, or in the future (beyond ``grace_seconds``)."""

    default_resolution = (
        "A token issued in the future means this machine's clock is behind the issuer's (fix it, or raise "
        "grace_seconds) or the token was not issued by Cognito."
    )


class JwtInvalidScopeError(JwtInvalidClaimError):
    """None of the required scopes is in ``scope``."""

    oauth_error = "insufficient_scope"
    default_resolution = (
        "The access token lacks every scope this verifier requires. Cognito puts a scope in the access token "
        "when the app client allows it and the client asks for it (OAuth scopes, or a pre token generation "
        "trigger); tokens from SRP or password sign-in carry only aws.cognito.signin.user.admin."
    )


class CognitoJwtInvalidGroupError(JwtInvalidClaimError):
    """None of the required groups is in ``cognito:groups``."""

    oauth_error = "insufficient_scope"
    default_resolution = (
        "The user is in none of the required groups. Add them (AdminAddUserToGroup, or the Amplify console) and "
        "have them sign in again or refresh: groups reach the token when it is issued."
    )


class CognitoJwtInvalidTokenUseError(JwtInvalidClaimError):
    """``token_use`` is not the expected ``access`` or ``id``."""

    default_resolution = (
        "Send the kind of token the verifier expects: the access token (tokens.access_token) for "
        "token_use='access', the ID token (tokens.id_token) for token_use='id'. Refresh tokens are not JWTs "
        "you can verify."
    )


class CognitoJwtInvalidClientIdError(JwtInvalidClaimError):
    """``client_id`` (access token) or ``aud`` (ID token) is not one of the expected app client IDs."""

    default_resolution = (
        "The token was issued to another app client. Pass every app client ID you accept as client_id "
        "(a list is fine), or build the verifier from the amplify_outputs.json the client uses."
    )
