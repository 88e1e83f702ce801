"""Errors raised by ``amplify_py.auth``, named as aws-amplify/auth names them.

A service error keeps the name Cognito sends in ``__type`` (``NotAuthorizedException``,
``CodeMismatchException``, ...) and the service's message, so code written against
Amplify's error names works unchanged: ``except NotAuthorizedException``. Errors
Amplify raises before calling the service (``EmptySignInUsername``,
``UserUnAuthenticatedException``, ...) carry Amplify's message text.

``AuthError`` is an ``AmpyUserError``: ``recovery_suggestion`` is the project's
``resolution``. Amplify gives service errors no recovery suggestion; we add one for
the common ones (``RECOVERY_SUGGESTIONS``) because a Python user has no Authenticator
UI to explain them.
"""

from __future__ import annotations

from typing import Any

from amplify_py.errors import AmpyUserError

__all__ = [
    "AuthError",
    "AuthValidationError",
    "AuthServiceError",
    "service_error",
    "RECOVERY_SUGGESTIONS",
    # client-side (Amplify's own names)
    "UserUnAuthenticatedException",
    "UserAlreadyAuthenticatedException",
    "SignInException",
    "AutoSignInException",
    "PasskeyError",
    "DeviceMetadataNotFoundException",
    # Cognito user pools
    "AliasExistsException",
    "CodeDeliveryFailureException",
    "CodeMismatchException",
    "ConcurrentModificationException",
    "EnableSoftwareTokenMFAException",
    "ExpiredCodeException",
    "ForbiddenException",
    "InternalErrorException",
    "InvalidEmailRoleAccessPolicyException",
    "InvalidLambdaResponseException",
    "InvalidParameterException",
    "InvalidPasswordException",
    "InvalidSmsRoleAccessPolicyException",
    "InvalidSmsRoleTrustRelationshipException",
    "InvalidUserPoolConfigurationException",
    "LimitExceededException",
    "MFAMethodNotFoundException",
    "NotAuthorizedException",
    "PasswordHistoryPolicyViolationException",
    "PasswordResetRequiredException",
    "RefreshTokenReuseException",
    "ResourceNotFoundException",
    "SoftwareTokenMFANotFoundException",
    "TooManyFailedAttemptsException",
    "TooManyRequestsException",
    "UnauthorizedException",
    "UnexpectedLambdaException",
    "UnsupportedOperationException",
    "UnsupportedTokenTypeException",
    "UserLambdaValidationException",
    "UserNotConfirmedException",
    "UserNotFoundException",
    "UsernameExistsException",
    "WebAuthnChallengeNotFoundException",
    "WebAuthnClientMismatchException",
    "WebAuthnConfigurationMissingException",
    "WebAuthnCredentialNotSupportedException",
    "WebAuthnNotEnabledException",
    "WebAuthnOriginNotAllowedException",
    "WebAuthnRelyingPartyMismatchException",
    # Cognito identity pools
    "ExternalServiceException",
    "InvalidIdentityPoolConfigurationException",
    "ResourceConflictException",
]


class AuthError(AmpyUserError):
    """Base of every error this client raises: ``name``, ``message``, ``recovery_suggestion``, ``underlying``."""

    def __init__(
        self,
        name: str,
        message: str,
        recovery_suggestion: str | None = None,
        *,
        underlying: BaseException | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(name, message, recovery_suggestion or "")
        self.recovery_suggestion = recovery_suggestion
        self.underlying = underlying
        self.metadata = metadata or {}


class AuthValidationError(AuthError):
    """Input Amplify rejects before calling the service (``EmptySignInUsername``, ...)."""


class AuthServiceError(AuthError):
    """An error the service returned; the subclass is named after Cognito's ``__type``."""

    def __init__(self, message: str, recovery_suggestion: str | None = None, **kwargs: Any) -> None:
        super().__init__(type(self).__name__, message, recovery_suggestion, **kwargs)


class UserUnAuthenticatedException(AuthError):
    """Raised by every API that needs a signed-in user when there is none (Amplify's assertAuthTokens)."""

    def __init__(self) -> None:
        super().__init__(
            "UserUnAuthenticatedException",
            "User needs to be authenticated to call this API.",
            "Sign in before calling this API again.",
        )


class UserAlreadyAuthenticatedException(AuthError):
    """sign_in while a user is signed in."""

    def __init__(self) -> None:
        super().__init__(
            "UserAlreadyAuthenticatedException",
            "There is already a signed in user.",
            "Call signOut before calling signIn again.",
        )


class SignInException(AuthError):
    """The sign-in flow cannot continue (no sign-in in progress, an unhandled challenge, ...)."""

    def __init__(self, message: str, recovery_suggestion: str | None = None) -> None:
        super().__init__("SignInException", message, recovery_suggestion)


class AutoSignInException(AuthError):
    """auto_sign_in called when sign_up did not start an auto sign-in."""

    def __init__(self, message: str, recovery_suggestion: str | None = None) -> None:
        super().__init__("AutoSignInException", message, recovery_suggestion)


class DeviceMetadataNotFoundException(AuthError):
    """remember_device or forget_device (or a DEVICE_SRP_AUTH) without a device in the token storage."""

    def __init__(self) -> None:
        super().__init__(
            "DeviceMetadataNotFoundException",
            "Either deviceKey, deviceGroupKey or secretPassword were not found during the sign-in process.",
            "Make sure to not clear storage after calling the signIn API.",
        )


# One class per service error name, so callers can catch exactly what Amplify's docs name.
class AliasExistsException(AuthServiceError): ...
class CodeDeliveryFailureException(AuthServiceError): ...
class CodeMismatchException(AuthServiceError): ...
class ConcurrentModificationException(AuthServiceError): ...
class EnableSoftwareTokenMFAException(AuthServiceError): ...
class ExpiredCodeException(AuthServiceError): ...
class ForbiddenException(AuthServiceError): ...
class InternalErrorException(AuthServiceError): ...
class InvalidEmailRoleAccessPolicyException(AuthServiceError): ...
class InvalidLambdaResponseException(AuthServiceError): ...
class InvalidParameterException(AuthServiceError): ...
class InvalidPasswordException(AuthServiceError): ...
class InvalidSmsRoleAccessPolicyException(AuthServiceError): ...
class InvalidSmsRoleTrustRelationshipException(AuthServiceError): ...
class InvalidUserPoolConfigurationException(AuthServiceError): ...
class LimitExceededException(AuthServiceError): ...
class MFAMethodNotFoundException(AuthServiceError): ...
class NotAuthorizedException(AuthServiceError): ...
class PasswordHistoryPolicyViolationException(AuthServiceError): ...
class PasswordResetRequiredException(AuthServiceError): ...
class RefreshTokenReuseException(AuthServiceError): ...
class ResourceNotFoundException(AuthServiceError): ...
class SoftwareTokenMFANotFoundException(AuthServiceError): ...
class TooManyFailedAttemptsException(AuthServiceError): ...
class TooManyRequestsException(AuthServiceError): ...
class UnauthorizedException(AuthServiceError): ...
class UnexpectedLambdaException(AuthServiceError): ...
class UnsupportedOperationException(AuthServiceError): ...
class UnsupportedTokenTypeException(AuthServiceError): ...
class UserLambdaValidationException(AuthServiceError): ...
class UserNotConfirmedException(AuthServiceError): ...
class UserNotFoundException(AuthServiceError): ...
class UsernameExistsException(AuthServiceError): ...
class WebAuthnChallengeNotFoundException(AuthServiceError): ...
class WebAuthnClientMismatchException(AuthServiceError): ...
class WebAuthnConfigurationMissingException(AuthServiceError): ...
class WebAuthnCredentialNotSupportedException(AuthServiceError): ...
class WebAuthnNotEnabledException(AuthServiceError): ...
class WebAuthnOriginNotAllowedException(AuthServiceError): ...
class WebAuthnRelyingPartyMismatchException(AuthServiceError): ...
class ExternalServiceException(AuthServiceError): ...
class InvalidIdentityPoolConfigurationException(AuthServiceError): ...
class ResourceConflictException(AuthServiceError): ...


RECOVERY_SUGGESTIONS: dict[str, str] = {
    "NotAuthorizedException": "Check the username and password (or the token) and try again; "
    "if the sign-in session expired, call sign_in again.",
    "UserNotFoundException": "Check the username, or sign the user up with sign_up first.",
    "UsernameExistsException": "Use another username, or sign in with the existing account.",
    "UserNotConfirmedException": "Confirm the user with confirm_sign_up (resend_sign_up_code sends a new code).",
    "CodeMismatchException": "Enter the most recent code that was sent and try again.",
    "ExpiredCodeException": "Request a new code and use it before it expires.",
    "InvalidPasswordException": "Choose a password that meets the user pool's password policy.",
    "PasswordResetRequiredException": "Reset the password with reset_password and confirm_reset_password.",
    "AliasExistsException": "Use another email or phone number; this one belongs to another user.",
    "LimitExceededException": "Wait a while before trying again.",
    "TooManyRequestsException": "Slow down and retry after a short wait.",
    "TooManyFailedAttemptsException": "Wait a while before trying again.",
    "InvalidParameterException": "Check the values passed to the API against the user pool's configuration.",
    "UserLambdaValidationException": "A Lambda trigger rejected the request; see its message.",
    "EnableSoftwareTokenMFAException": "Enter the current code from the authenticator app.",
    "SoftwareTokenMFANotFoundException": "Set up TOTP with set_up_totp and verify_totp_setup first.",
}

# NotAuthorizedException covers more than a wrong password; for these messages "check the username and
# password" would send the user the wrong way (message prefixes as Cognito sends them).
_MESSAGE_SUGGESTIONS: tuple[tuple[str, str, str], ...] = (
    ("NotAuthorizedException", "Password attempts exceeded",
     "Too many failed attempts locked the user out for a while; wait before trying again "
     "(attempts during the lockout don't count)."),
    ("NotAuthorizedException", "User is disabled",
     "An administrator must enable the user again before it can sign in."),
    ("NotAuthorizedException", "User cannot be confirmed. Current status is",
     "The user is already confirmed (or was created by an administrator); sign in instead."),
    ("NotAuthorizedException", "SignUp is not permitted",
     "This user pool only lets administrators create users; ask one to create the account."),
    ("NotAuthorizedException", "Refresh Token has",
     "The session ended (signed out, revoked or expired); sign in again."),
    ("NotAuthorizedException", "Access Token has",
     "The session ended (signed out, revoked or expired); sign in again."),
    ("NotAuthorizedException", "Invalid session for the user",
     "The sign-in session expired or was already used; call sign_in again."),
)


def _suggestion(name: str, message: str) -> str | None:
    for error_name, prefix, suggestion in _MESSAGE_SUGGESTIONS:
        if name == error_name and message.startswith(prefix):
            return suggestion
    return RECOVERY_SUGGESTIONS.get(name)


_PASSKEY_NOT_SUPPORTED = ("No passkey client is set: call amplify_py.auth.set_passkey_client(...) with a "
                          "fido2.client.Fido2Client (a security key) or a SoftwareAuthenticator (tests and scripts).")
_PASSKEY_MISCONFIGURED = "Ensure your user pool is configured to support the WEB_AUTHN as an authentication factor."
_PASSKEY_CANCELED = ("User may have canceled the ceremony or another interruption has occurred. "
                     "Check underlying error for details.")
# Amplify's PasskeyErrorCode map (client/utils/passkey/errors/passkeyError.ts); only the "not supported"
# suggestion is ours, since a Python process has no browser to blame.
PASSKEY_ERRORS: dict[str, tuple[str, str]] = {
    "PasskeyNotSupported": ("Passkeys may not be supported on this device.", _PASSKEY_NOT_SUPPORTED),
    "InvalidPasskeyRegistrationOptions": ("Invalid passkey registration options.", _PASSKEY_MISCONFIGURED),
    "InvalidPasskeyAuthenticationOptions": ("Invalid passkey authentication options.", _PASSKEY_MISCONFIGURED),
    "PasskeyRegistrationFailed": ("Device failed to create passkey.", _PASSKEY_NOT_SUPPORTED),
    "PasskeyRetrievalFailed": ("Device failed to retrieve passkey.",
                               "Passkeys may not be available on this device. Try an alternative authentication "
                               "factor like PASSWORD, EMAIL_OTP, or SMS_OTP."),
    "PasskeyAlreadyExists": ("Passkey already exists in authenticator.",
                             "Proceed with existing passkey or try again after deleting the credential."),
    "PasskeyRegistrationCanceled": ("Passkey registration ceremony has been canceled.", _PASSKEY_CANCELED),
    "PasskeyAuthenticationCanceled": ("Passkey authentication ceremony has been canceled.", _PASSKEY_CANCELED),
    "PasskeyOperationAborted": ("Passkey operation has been aborted.", _PASSKEY_CANCELED),
    "RelyingPartyMismatch": ("Relying party does not match current domain.",
                             "Ensure relying party identifier matches current domain."),
}


class PasskeyError(AuthError):
    """Amplify's PasskeyError: the passkey client (the browser's part) could not do what was asked."""

    def __init__(self, code: str, *, underlying: BaseException | None = None) -> None:
        message, suggestion = PASSKEY_ERRORS[code]
        detail = f" ({underlying})" if underlying is not None and str(underlying) else ""
        super().__init__(code, message + detail, suggestion, underlying=underlying)


_CLASSES: dict[str, type[AuthServiceError]] = {
    cls.__name__: cls for cls in AuthServiceError.__subclasses__()
}


def service_error(name: str, message: str, *, metadata: dict[str, Any] | None = None) -> AuthError:
    """The exception for a service error: its own class when we know the name, else an ``AuthError``."""
    suggestion = _suggestion(name, message)
    cls = _CLASSES.get(name)
    if cls is not None:
        return cls(message, suggestion, metadata=metadata)
    return AuthError(name, message, suggestion, metadata=metadata)


# Amplify's validation error codes and their messages (aws-amplify/auth validationErrorMap).
_VALIDATION: dict[str, tuple[str, str | None]] = {
    "EmptyChallengeResponse": ("challengeResponse is required to confirmSignIn", None),
    "EmptyConfirmResetPasswordUsername": ("username is required to confirmResetPassword", None),
    "EmptyConfirmSignUpCode": ("code is required to confirmSignUp", None),
    "EmptyConfirmSignUpUsername": ("username is required to confirmSignUp", None),
    "EmptyConfirmResetPasswordConfirmationCode": ("confirmationCode is required to confirmResetPassword", None),
    "EmptyConfirmResetPasswordNewPassword": ("newPassword is required to confirmResetPassword", None),
    "EmptyResetPasswordUsername": ("username is required to resetPassword", None),
    "EmptySignInPassword": ("password is required to signIn", None),
    "EmptySignInUsername": ("username is required to signIn", None),
    "EmptySignUpPassword": ("password is required to signUp", None),
    "EmptySignUpUsername": ("username is required to signUp", None),
    "CustomAuthSignInPassword": (
        "A password is not needed when signing in with CUSTOM_WITHOUT_SRP",
        "Do not include a password in your signIn call.",
    ),
    "IncorrectMFAMethod": (
        "Incorrect MFA method was chosen. It should be either SMS, TOTP, or EMAIL",
        "Try to pass SMS, TOTP, or EMAIL as the challengeResponse",
    ),
    "EmptyVerifyTOTPSetupCode": ("code is required to verifyTotpSetup", None),
    "EmptyUpdatePassword": ("oldPassword and newPassword are required to changePassword", None),
    "EmptyConfirmUserAttributeCode": ("confirmation code is required to confirmUserAttribute", None),
    "InvalidPreferredChallenge": (
        "The preferred challenge is not enabled in your backend configuration",
        "Ensure the authentication method is enabled in your Amplify backend configuration",
    ),
}


def assert_validation(condition: object, code: str) -> None:
    """Raise Amplify's validation error ``code`` unless ``condition`` holds."""
    if not condition:
        message, suggestion = _VALIDATION[code]
        raise AuthValidationError(code, message, suggestion)
