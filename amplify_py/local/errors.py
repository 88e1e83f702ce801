"""Cognito's error names, as the wire protocol returns them.

Every error the engine raises on purpose is a ``CognitoError``: the server turns
it into a 400 response ``{"__type": name, "message": message}``, which boto3
and aws-amplify map to their typed exceptions.
"""

from __future__ import annotations

__all__ = [
    "CognitoError",
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
