"""Cognito's error names, as the wire protocol returns them.

Every error the engine raises on purpose is a ``CognitoError``: the server turns
it into a 400 response ``{"__type": name, "message": message}``, which boto3
and aws-amplify map to their typed exceptions.
"""

from __future__ import annotations

__all__ = [
    "CognitoError",
    "OAuthError",
    "not_authorized",
    "user_not_found",
    "invalid_parameter",
    "resource_not_found",
    "INCORRECT_CREDENTIALS",
    "CODE_MISMATCH",
    "CODE_EXPIRED",
    "ATTEMPT_LIMIT",
]

INCORRECT_CREDENTIALS = "Incorrect username or password."
CODE_MISMATCH = "Invalid verification code provided, please try again."
CODE_EXPIRED = "Invalid code provided, please request a code again."
ATTEMPT_LIMIT = "Attempt limit exceeded, please try after some time."


class CognitoError(Exception):
    """An error with Cognito's exception name (e.g. ``NotAuthorizedException``) and message."""

    def __init__(self, name: str, message: str, status: int = 400) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message
        self.status = status

    def body(self) -> dict[str, str]:
        return {"__type": self.name, "message": self.message}


def not_authorized(message: str = INCORRECT_CREDENTIALS) -> CognitoError:
    return CognitoError("NotAuthorizedException", message)


def user_not_found(message: str = "User does not exist.") -> CognitoError:
    return CognitoError("UserNotFoundException", message)


def invalid_parameter(message: str) -> CognitoError:
    return CognitoError("InvalidParameterException", message)


def resource_not_found(message: str) -> CognitoError:
    return CognitoError("ResourceNotFoundException", message)


class OAuthError(Exception):
    """An OAuth 2.0 error as Cognito's OAuth endpoints answer it: ``{"error": ...}`` (RFC 6749 names), or
    ``error=...`` on the client's redirect URI."""

    def __init__(self, error: str, description: str | None = None, status: int = 400) -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        out = {"error": self.error}
        if self.description:
            out["error_description"] = self.description
        return out
