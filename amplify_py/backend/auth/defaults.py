"""Every default of an Amplify auth backend, in one place.

Values follow @aws-amplify/auth-construct 1.12 (its hard-coded user pool settings)
and the CDK defaults it relies on (verification messages and subjects).
"""

from __future__ import annotations

__all__ = [
    "PASSWORD_POLICY",
    "SIGN_IN_CASE_SENSITIVE",
    "ALLOW_SELF_SIGN_UP",
    "ALLOW_UNAUTHENTICATED_IDENTITIES",
    "PREVENT_USER_EXISTENCE_ERRORS",
    "AUTH_FLOWS",
    "OAUTH_FLOWS",
    "OAUTH_SCOPES",
    "OIDC_ATTRIBUTE_REQUEST_METHOD",
    "WEB_AUTHN_RELYING_PARTY_ID",
    "WEB_AUTHN_USER_VERIFICATION",
    "CODE_PLACEHOLDER",
    "USERNAME_PLACEHOLDER",
    "LINK_TEXT",
    "link_placeholder",
    "VERIFICATION_MESSAGE",
    "VERIFICATION_EMAIL_SUBJECT",
    "VERIFICATION_EMAIL_STYLE",
    "TRIGGER_EVENTS",
    "SENDER_EVENTS",
    "STANDARD_ATTRIBUTES",
    "OAUTH_PROVIDER_DOMAINS",
    "CONSTRUCT_ID",
]

#: The id under which the construct is placed in the stack; gives the reference's logical IDs.
CONSTRUCT_ID = "amplifyAuth"

PASSWORD_POLICY = {
    "min_length": 8,
    "require_lowercase": True,
    "require_uppercase": True,
    "require_digits": True,
    "require_symbols": True,
}
SIGN_IN_CASE_SENSITIVE = False
ALLOW_SELF_SIGN_UP = True
ALLOW_UNAUTHENTICATED_IDENTITIES = True
PREVENT_USER_EXISTENCE_ERRORS = True
#: Explicit auth flows of the web client: SRP and custom (refresh is always added by Cognito/CDK).
AUTH_FLOWS = {"user_srp": True, "custom": True}
OAUTH_FLOWS = {"authorization_code_grant": True, "implicit_code_grant": False}
#: Default OAuth scopes when external providers are configured (in this order).
OAUTH_SCOPES = ("PHONE", "EMAIL", "OPENID", "PROFILE", "COGNITO_ADMIN")
OIDC_ATTRIBUTE_REQUEST_METHOD = "GET"
WEB_AUTHN_RELYING_PARTY_ID = "AUTO"
WEB_AUTHN_USER_VERIFICATION = "preferred"

# Placeholders Cognito substitutes in messages.
CODE_PLACEHOLDER = "{####}"
USERNAME_PLACEHOLDER = "{username}"
LINK_TEXT = "Verify Email"


def link_placeholder(text: str | None = None) -> str:
    """The verification-link placeholder, ``{##Verify Email##}`` unless another link text is given."""
    return "{##" + (text or LINK_TEXT) + "##}"


# CDK's defaults for the verification messages (what the reference's templates carry).
VERIFICATION_MESSAGE = "The verification code to your new account is {####}"
VERIFICATION_EMAIL_SUBJECT = "Verify your new account"
VERIFICATION_EMAIL_STYLE = "CODE"

#: defineAuth trigger events (snake_case) → Cognito/CDK UserPoolOperation names.
TRIGGER_EVENTS = {
    "create_auth_challenge": "createAuthChallenge",
    "custom_message": "customMessage",
    "define_auth_challenge": "defineAuthChallenge",
    "post_authentication": "postAuthentication",
    "post_confirmation": "postConfirmation",
    "pre_authentication": "preAuthentication",
    "pre_sign_up": "preSignUp",
    "pre_token_generation": "preTokenGeneration",
    "user_migration": "userMigration",
    "verify_auth_challenge_response": "verifyAuthChallengeResponse",
}
SENDER_EVENTS = {"email": "customEmailSender", "sms": "customSmsSender"}

#: The 17 standard attributes (DSL name → Cognito attribute name).
STANDARD_ATTRIBUTES = {
    "address": "address",
    "birthdate": "birthdate",
    "email": "email",
    "family_name": "family_name",
    "gender": "gender",
    "given_name": "given_name",
    "locale": "locale",
    "middle_name": "middle_name",
    "fullname": "name",
    "nickname": "nickname",
    "phone_number": "phone_number",
    "profile_picture": "picture",
    "preferred_username": "preferred_username",
    "profile_page": "profile",
    "timezone": "zoneinfo",
    "last_update_time": "updated_at",
    "website": "website",
}

#: Identity pool login-provider domains of the social providers.
OAUTH_PROVIDER_DOMAINS = {
    "facebook": "graph.facebook.com",
    "google": "accounts.google.com",
    "login_with_amazon": "www.amazon.com",
    "sign_in_with_apple": "appleid.apple.com",
}
