"""The hand-written parts of the reference in docs/reference/: descriptions, where defaults come from, examples.

Everything else (option names, types, which options are required, default values, CLI options and their
help) is read from the code by :mod:`amplify_py._reference_docs`, which refuses to render when an option of
the code has no entry here or an entry here names no option of the code. Amplify's names are the snake_case
names in camelCase unless an entry says otherwise; they were checked against amplify-backend's sources
(@aws-amplify/backend-auth and auth-construct ``types.ts``, backend-function ``factory.ts``, the cli's
commands) and aws-cdk-lib's aws_cognito structs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from amplify_py.backend.auth import types as t

__all__ = [
    "AUTO",
    "Applied",
    "Doc",
    "FromCdk",
    "FromCode",
    "Model",
    "Unset",
    "AUTH_INTRO",
    "AUTH_MODELS",
    "FUNCTION",
    "BACKEND",
    "CLI",
    "Cli",
    "AmpxCommand",
]


# ---------------------------------------------------------------- where a default comes from


@dataclass(frozen=True)
class FromCode:
    """A default whose value is a constant of the code, read when the reference is generated."""

    name: str
    module: str = "amplify_py.backend.auth.defaults"
    note: str = ""


@dataclass(frozen=True)
class FromCdk:
    """aws-cdk-lib's default: ``value`` as shown, ``evidence`` the words of aws_cognito's docs that state it.

    A test checks that ``evidence`` is in the installed aws-cdk-lib's aws_cognito module.
    """

    value: str
    evidence: str


@dataclass(frozen=True)
class Applied:
    """A default applied when the definition is translated or built (``where`` says by which module).

    ``{NAME}`` fields of ``text`` are filled from the code (see ``_reference_docs.code_values``).
    """

    text: str
    where: str


@dataclass(frozen=True)
class Unset:
    """Not set: what that means (``{NAME}`` fields are filled as in ``Applied``)."""

    text: str


Default = Union[FromCode, FromCdk, Applied, Unset, None]

#: The Amplify name is the option's name in camelCase.
AUTO = "auto"


@dataclass(frozen=True)
class Doc:
    """One option: what it does, its default when the code has none, its Amplify name, a type the code cannot show.

    ``amplify`` is AUTO, an explicit name, or "" for an option Amplify does not have (``amplify_note`` says why).
    ``type`` replaces the rendered type (``{NAME}`` fields are filled as in ``Applied``).
    """

    description: str
    default: Default = None
    amplify: str = AUTO
    amplify_note: str = ""
    type: str = ""


@dataclass(frozen=True)
class Model:
    """A section of the reference: one DSL model (or function), its options and the examples that set every one."""

    intro: str
    fields: dict[str, Doc]
    examples: list[str]
    amplify_type: str = ""


_URLS = '"callback_urls": ["http://localhost:3000/"],\n            "logout_urls": ["http://localhost:3000/"],'

# ---------------------------------------------------------------- define_auth

AUTH_INTRO = """\
`define_auth(...)` is Amplify's `defineAuth(...)` with snake_case names. Every option takes a plain dict or the
typed pydantic model of `amplify_py.backend.auth.types` (the model names are in the headings below); unknown
keys are rejected with the snake_case spelling of a camelCase name. Every problem of a definition is reported at
once, with its path (such as `login_with.email.verification_email_body`).

Options that hold a credential (client IDs, client secrets, keys) take a string or `secret("NAME")`: the value is
looked up when the backend is synthesized, from the sandbox's secret store (`ampy sandbox secret set NAME`) or the
environment variable `AMPY_SECRET_NAME`, so it never has to be written in the code.

Message options take a function that returns the text; Amplify calls it with placeholder functions at synth
time, and so does amplify-py. A message must use what it is given (the code, the link, the username), or the
definition is rejected."""

AUTH_MODELS: dict[type, Model] = {
    t.AuthConfig: Model(
        intro="The keyword arguments of `define_auth` (Amplify's `AmplifyAuthProps`).",
        amplify_type="defineAuth",
        fields={
            "login_with": Doc("How users sign in: email, phone, passkeys and external providers."),
            "user_attributes": Doc(
                "The user pool's attributes: standard ones by their snake_case name, custom ones as `custom:<name>`.",
                Applied("`email` (and `phone_number`) required and mutable when that sign-in is on; no others",
                        "amplify_py/backend/auth/construct.py"),
            ),
            "multifactor": Doc("Whether users can or must use a second factor, and which factors.",
                               FromCdk("MFA off (`Mfa.OFF`)", "Default: Mfa.OFF")),
            "account_recovery": Doc(
                "How users reset a forgotten password.",
                Applied("`EMAIL_ONLY` when email sign-in is on, else `PHONE_ONLY_WITHOUT_MFA`",
                        "amplify_py/backend/auth/construct.py"),
            ),
            "groups": Doc("User pool groups to create, each with its own IAM role; the list order is the precedence "
                          "(the first group has precedence 0).", Unset("no groups")),
            "senders": Doc("Send email through Amazon SES, SMS through your own SNS role, or either through a custom "
                           "sender function.", FromCdk("Cognito's own email sending",
                                                       "Default: - cognito will use the default email configuration")),
            "passwordless_options": Doc("Passwordless settings for the client (in amplify_outputs.json).",
                                        Unset("no preferred challenge")),
            "triggers": Doc("Lambda triggers: a trigger event (see [Trigger events](#trigger-events)) → the function "
                            "that handles it.", Unset("no triggers"),
                            type="dict of trigger event → function (`define_function(...)` or `aws_lambda.IFunction`)"),
            "access": Doc("Lets functions call the user pool: `lambda allow: [allow.resource(fn).to([...])]` with the "
                          "actions of [Access actions](#access-actions). Each function's role gets a policy with "
                          "exactly those IAM actions.", Unset("no grants"),
                          type="function: `allow` → list of `allow.resource(fn).to(actions)`"),
            "name": Doc(
                "The auth resource's name: the user pool's name, the prefix of its resources' logical IDs, and the "
                "name of the pool ID variable of functions given `access` (`<NAME>_USERPOOL_ID`).",
                Applied("none: CloudFormation names the pool, logical IDs are Amplify's defaults, and the variable is "
                        "`{USER_POOL_ID_ENV}`", "amplify_py/backend/auth/_definition.py"),
            ),
        },
        examples=[
            """\
auth = define_auth(login_with={"email": True})""",
            """\
pre_sign_up = define_function(entry="./pre_sign_up.py")

auth = define_auth(
    name="shop",
    login_with={"email": {"otp_login": True}, "phone": True},
    user_attributes={
        "given_name": {"required": True, "mutable": True},
        "custom:tier": {"data_type": "String", "mutable": True, "max_len": 16},
    },
    multifactor={"mode": "OPTIONAL", "sms": True, "totp": True},
    account_recovery="EMAIL_ONLY",
    groups=["ADMINS", "EDITORS"],
    senders={"email": {"from_email": "no-reply@example.com"}},
    passwordless_options={"preferred_challenge": "EMAIL_OTP"},
    triggers={"pre_sign_up": pre_sign_up},
    access=lambda allow: [allow.resource(pre_sign_up).to(["get_user", "manage_group_membership"])],
)""",
        ],
    ),
    t.LoginWith: Model(
        intro="Sign-in methods. At least one of `email` and `phone` must be on; `True` turns a method on with its "
              "defaults, a dict configures it.",
        fields={
            "email": Doc("Sign in with an email address (the username is the email).", Unset("off")),
            "phone": Doc("Sign in with a phone number. With MFA on, SMS must be one of its factors.", Unset("off")),
            "web_authn": Doc("Passkeys (WebAuthn) as a first sign-in factor; turns on the `ALLOW_USER_AUTH` flow.",
                             Unset("off")),
            "external_providers": Doc("Social, OIDC and SAML providers through the Cognito hosted UI.", Unset("none")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": True,
        "phone": True,
        "web_authn": True,
        "external_providers": {
            "google": {"client_id": secret("GOOGLE_CLIENT_ID"), "client_secret": secret("GOOGLE_CLIENT_SECRET")},
            %s
        },
    },
    multifactor={"mode": "OPTIONAL", "sms": True},
)""" % _URLS,
        ],
    ),
    t.EmailLogin: Model(
        intro="Email sign-in settings.",
        amplify_type="EmailLoginSettings",
        fields={
            "verification_email_style": Doc("Verify addresses with a code the user types, or a link they click.",
                                            FromCode("VERIFICATION_EMAIL_STYLE", note="aws-cdk-lib's default")),
            "verification_email_subject": Doc("Subject of the verification email.",
                                              FromCode("VERIFICATION_EMAIL_SUBJECT", note="aws-cdk-lib's default")),
            "verification_email_body": Doc(
                "Body of the verification email: `lambda create_code: ...` for `CODE`, `lambda create_link: ...` for "
                "`LINK` (`create_link(text)` sets the link's text).",
                FromCode("VERIFICATION_MESSAGE", note="aws-cdk-lib's default for `CODE`; for `LINK`: 'Verify your "
                                                      "account by clicking on {##Verify Email##}'"),
                type="function → `str`",
            ),
            "user_invitation": Doc("The messages users get when an administrator creates them.",
                                   Unset("aws-cdk-lib's invitation messages (see `UserInvitation`)")),
            "otp_login": Doc("Sign in with a one-time code sent by email (passwordless); turns on the "
                             "`ALLOW_USER_AUTH` flow.", Applied("`False`", "amplify_py/backend/auth/translate.py")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": {
            "verification_email_style": "LINK",
            "verification_email_subject": "Welcome! Verify your email",
            "verification_email_body": lambda create_link: f"Click {create_link('here')} to verify your email.",
            "user_invitation": {
                "email_subject": "You are invited",
                "email_body": lambda user, code: f"Sign in as {user()} with the temporary password {code()}.",
            },
            "otp_login": True,
        },
    },
)""",
            """\
auth = define_auth(
    login_with={
        "email": {"verification_email_body": lambda create_code: f"Your verification code is {create_code()}."},
    },
)""",
        ],
    ),
    t.UserInvitation: Model(
        intro="The invitation sent when an administrator creates a user (AdminCreateUser). Both functions "
              "receive `user` and `code` and must use both: the username and the temporary password.",
        fields={
            "email_subject": Doc("Subject of the invitation email.", FromCdk("`'Your temporary password'`",
                                                                  "Default: 'Your temporary password'")),
            "email_body": Doc("Body of the invitation email: `lambda user, code: ...`.",
                              FromCdk("`'Your username is {username} and temporary password is {####}.'`",
                                      "Default: 'Your username is {username} and temporary password is {####}.'"),
                              type="function → `str`"),
            "sms_message": Doc("Text of the invitation SMS: `lambda user, code: ...`.",
                               FromCdk("`'Your username is {username} and temporary password is {####}'`",
                                       "Default: 'Your username is {username} and temporary password is {####}'"),
                               type="function → `str`"),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": {
            "user_invitation": {
                "email_subject": "Your new account",
                "email_body": lambda user, code: f"Hello {user()}, your temporary password is {code()}.",
                "sms_message": lambda user, code: f"User {user()}, temporary password {code()}",
            },
        },
    },
)""",
        ],
    ),
    t.PhoneLogin: Model(
        intro="Phone number sign-in settings.",
        fields={
            "verification_message": Doc("Text of the verification SMS: `lambda create_code: ...`.",
                                        FromCode("VERIFICATION_MESSAGE", note="aws-cdk-lib's default"),
                                        type="function → `str`"),
            "otp_login": Doc("Sign in with a one-time code sent by SMS (passwordless); turns on the "
                             "`ALLOW_USER_AUTH` flow.", Applied("`False`", "amplify_py/backend/auth/translate.py")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "phone": {
            "verification_message": lambda create_code: f"Your code: {create_code()}",
            "otp_login": True,
        },
    },
    multifactor={"mode": "OPTIONAL", "sms": True},
)""",
        ],
    ),
    t.WebAuthn: Model(
        intro="Passkey settings. `web_authn=True` uses the defaults below.",
        amplify_type="WebAuthnOptions",
        fields={
            "relying_party_id": Doc(
                "The domain passkeys are bound to (`web_authn=True` means `{WEB_AUTHN_RELYING_PARTY_ID}`). `AUTO` is "
                "`localhost` in a sandbox and `<branch>.<app id>.amplifyapp.com` for a branch deployment; changing it "
                "invalidates existing passkeys.",
            ),
            "user_verification": Doc("Whether the authenticator must verify the user (biometrics or PIN).",
                                     FromCode("WEB_AUTHN_USER_VERIFICATION")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={"email": True, "web_authn": {"relying_party_id": "example.com", "user_verification": "required"}},
)""",
        ],
    ),
    t.ExternalProviders: Model(
        intro="Federated sign-in through the Cognito hosted UI. Configuring it creates the user pool domain and the "
              "app client's OAuth settings.",
        fields={
            "google": Doc("Sign in with Google.", Unset("none")),
            "facebook": Doc("Sign in with Facebook.", Unset("none")),
            "login_with_amazon": Doc("Login with Amazon.", Unset("none")),
            "sign_in_with_apple": Doc("Sign in with Apple.", Unset("none")),
            "oidc": Doc("OpenID Connect providers (each needs a unique `name` when there are several).",
                        Unset("none")),
            "saml": Doc("A SAML provider.", Unset("none")),
            "scopes": Doc("OAuth scopes the app client allows.", FromCode("OAUTH_SCOPES")),
            "callback_urls": Doc("URLs the hosted UI may redirect to after sign-in."),
            "logout_urls": Doc("URLs the hosted UI may redirect to after sign-out."),
            "domain_prefix": Doc(
                "The hosted UI's domain prefix (`<prefix>.auth.<region>.amazoncognito.com`): lowercase letters, digits "
                "and hyphens.",
                Applied("the backend's stable hash, so each sandbox and branch gets its own domain (as defineAuth "
                        "does)", "amplify_py/backend/auth/_definition.py"),
                amplify="domainPrefix",
                amplify_note="auth-construct's `ExternalProviderOptions` has it; `defineAuth` always derives it",
            ),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": True,
        "external_providers": {
            "google": {"client_id": secret("GOOGLE_CLIENT_ID"), "client_secret": secret("GOOGLE_CLIENT_SECRET")},
            "facebook": {"client_id": secret("FACEBOOK_APP_ID"), "client_secret": secret("FACEBOOK_APP_SECRET")},
            "login_with_amazon": {"client_id": secret("AMAZON_CLIENT_ID"), "client_secret": secret("AMAZON_SECRET")},
            "sign_in_with_apple": {
                "client_id": secret("APPLE_SERVICES_ID"),
                "team_id": secret("APPLE_TEAM_ID"),
                "key_id": secret("APPLE_KEY_ID"),
                "private_key": secret("APPLE_PRIVATE_KEY"),
            },
            "oidc": [{
                "name": "Okta",
                "client_id": secret("OKTA_CLIENT_ID"),
                "client_secret": secret("OKTA_CLIENT_SECRET"),
                "issuer_url": "https://example.okta.com",
            }],
            "saml": {"name": "Corp", "metadata": {"metadata_content": "https://idp.example.com/metadata",
                                                  "metadata_type": "URL"}},
            "scopes": ["EMAIL", "OPENID", "PROFILE"],
            "callback_urls": ["http://localhost:3000/", "https://www.example.com/"],
            "logout_urls": ["http://localhost:3000/", "https://www.example.com/"],
            "domain_prefix": "shop-auth",
        },
    },
)""",
        ],
    ),
    t.GoogleProvider: Model(
        intro="Google as an identity provider.",
        fields={
            "client_id": Doc("Your Google OAuth client ID."),
            "client_secret": Doc("Your Google OAuth client secret.", Unset("none (Amplify's defineAuth requires it)")),
            "scopes": Doc("Google scopes to request.",
                FromCdk('`["profile"]`', "access to the Google profile. Default: [ profile ]")),
            "attribute_mapping": Doc(
                "Google attribute → user pool attribute.",
                Applied("`email` mapped from Google's email when email (and not phone) sign-in is on",
                        "amplify_py/backend/auth/construct.py")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": True,
        "external_providers": {
            "google": {
                "client_id": secret("GOOGLE_CLIENT_ID"),
                "client_secret": secret("GOOGLE_CLIENT_SECRET"),
                "scopes": ["email", "profile", "openid"],
                "attribute_mapping": {"email": "email", "given_name": "given_name", "profile_picture": "picture"},
            },
            %s
        },
    },
)""" % _URLS,
        ],
    ),
    t.FacebookProvider: Model(
        intro="Facebook as an identity provider.",
        fields={
            "client_id": Doc("Your Facebook app ID."),
            "client_secret": Doc("Your Facebook app secret."),
            "api_version": Doc("The Graph API version.",
                FromCdk("the oldest version Facebook supports",
                        "Default: - to the oldest version supported by Facebook")),
            "scopes": Doc("Facebook permissions to request.",
                FromCdk('`["public_profile"]`', "access to the Facebook profile. Default: [ public_profile ]")),
            "attribute_mapping": Doc(
                "Facebook attribute → user pool attribute.",
                Applied("`email` mapped from Facebook's email when email (and not phone) sign-in is on",
                        "amplify_py/backend/auth/construct.py")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": True,
        "external_providers": {
            "facebook": {
                "client_id": secret("FACEBOOK_APP_ID"),
                "client_secret": secret("FACEBOOK_APP_SECRET"),
                "api_version": "v21.0",
                "scopes": ["public_profile", "email"],
                "attribute_mapping": {"email": "email", "fullname": "name"},
            },
            %s
        },
    },
)""" % _URLS,
        ],
    ),
    t.AmazonProvider: Model(
        intro="Login with Amazon as an identity provider.",
        fields={
            "client_id": Doc("Your Login with Amazon client ID."),
            "client_secret": Doc("Your Login with Amazon client secret."),
            "scopes": Doc("Amazon profile scopes to request.",
                FromCdk('`["profile"]`', "data to obtain for the Amazon profile. Default: [ profile ]")),
            "attribute_mapping": Doc(
                "Amazon attribute → user pool attribute.",
                Applied("`email` mapped from Amazon's email when email (and not phone) sign-in is on",
                        "amplify_py/backend/auth/construct.py")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": True,
        "external_providers": {
            "login_with_amazon": {
                "client_id": secret("AMAZON_CLIENT_ID"),
                "client_secret": secret("AMAZON_CLIENT_SECRET"),
                "scopes": ["profile", "postal_code"],
                "attribute_mapping": {"email": "email", "address": "postal_code"},
            },
            %s
        },
    },
)""" % _URLS,
        ],
    ),
    t.AppleProvider: Model(
        intro="Sign in with Apple as an identity provider.",
        fields={
            "client_id": Doc("Your Apple services ID."),
            "team_id": Doc("Your Apple developer team ID."),
            "key_id": Doc("The ID of the Sign in with Apple private key."),
            "private_key": Doc("The private key's contents (the .p8 file)."),
            "scopes": Doc("Apple scopes to request.",
                FromCdk('`["name"]`', "access to the apple profile. Default: [ name ]")),
            "attribute_mapping": Doc(
                "Apple attribute → user pool attribute.",
                Applied("`email` mapped from Apple's email when email (and not phone) sign-in is on",
                        "amplify_py/backend/auth/construct.py")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": True,
        "external_providers": {
            "sign_in_with_apple": {
                "client_id": secret("APPLE_SERVICES_ID"),
                "team_id": secret("APPLE_TEAM_ID"),
                "key_id": secret("APPLE_KEY_ID"),
                "private_key": secret("APPLE_PRIVATE_KEY"),
                "scopes": ["name", "email"],
                "attribute_mapping": {"email": "email", "given_name": "firstName"},
            },
            %s
        },
    },
)""" % _URLS,
        ],
    ),
    t.OidcProvider: Model(
        intro="An OpenID Connect provider.",
        fields={
            "client_id": Doc("The client ID the provider issued."),
            "client_secret": Doc("The client secret the provider issued."),
            "issuer_url": Doc("The provider's issuer URL (its endpoints are discovered from it)."),
            "name": Doc("The provider's name in the user pool (also what the client passes to sign in with it).",
                        FromCdk("the construct's ID",
                                "The name of the provider. Default: - the unique ID of the construct")),
            "identifiers": Doc("Identifiers (such as email domains) that route users to this provider.",
                               FromCdk("none",
                                       "redirect users to the correct IdP in multitenant apps. Default: - no identifiers used")),
            "attribute_request_method": Doc("HTTP method of the user info request.",
                                            FromCode("OIDC_ATTRIBUTE_REQUEST_METHOD")),
            "endpoints": Doc("Explicit endpoints instead of discovery.",
                FromCdk("discovered from `issuer_url`",
                        "OpenID connect endpoints. Default: - auto discovered with issuer URL")),
            "scopes": Doc("OIDC scopes to request.",
                FromCdk('`["openid"]`', "user attributes to exchange with your app. Default: ['openid']")),
            "attribute_mapping": Doc(
                "Claim → user pool attribute.",
                Applied("`email` mapped from the `email` claim when email (and not phone) sign-in is on",
                        "amplify_py/backend/auth/construct.py")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": True,
        "external_providers": {
            "oidc": [{
                "name": "Okta",
                "client_id": secret("OKTA_CLIENT_ID"),
                "client_secret": secret("OKTA_CLIENT_SECRET"),
                "issuer_url": "https://example.okta.com/oauth2/default",
                "identifiers": ["example.com"],
                "attribute_request_method": "POST",
                "endpoints": {
                    "authorization": "https://example.okta.com/oauth2/default/v1/authorize",
                    "token": "https://example.okta.com/oauth2/default/v1/token",
                    "user_info": "https://example.okta.com/oauth2/default/v1/userinfo",
                    "jwks_uri": "https://example.okta.com/oauth2/default/v1/keys",
                },
                "scopes": ["openid", "email", "profile"],
                "attribute_mapping": {"email": "email", "email_verified": "email_verified"},
            }],
            %s
        },
    },
)""" % _URLS,
        ],
    ),
    t.OidcEndpoints: Model(
        intro="An OIDC provider's endpoints, when they are not to be discovered from its issuer URL. All four are "
              "required.",
        fields={
            "authorization": Doc("The authorization endpoint."),
            "token": Doc("The token endpoint."),
            "user_info": Doc("The user info endpoint."),
            "jwks_uri": Doc("The JSON Web Key Set endpoint."),
        },
        examples=[],  # set by the OidcProvider example
    ),
    t.SamlProvider: Model(
        intro="A SAML 2.0 provider. aws-cdk-lib's `encryptedResponses`, `idpInitiated` and "
              "`requestSigningAlgorithm`, which auth-construct passes through, are not options here.",
        fields={
            "metadata": Doc("The provider's metadata document."),
            "name": Doc("The provider's name in the user pool (3 to 32 characters).",
                        FromCdk("the construct's ID",
                                "Must be between 3 and 32 characters. Default: - the unique ID of the construct")),
            "identifiers": Doc("Identifiers (such as email domains) that route users to this provider.",
                               FromCdk("none",
                                       "redirect users to the correct IdP in multitenant apps. Default: - no identifiers used")),
            "idp_signout": Doc("Sign users out of the provider too when they sign out (SAML sign-out flow).",
                               FromCdk("`False`", "Whether to enable the \"Sign-out flow\" feature. Default: - false")),
            "attribute_mapping": Doc("SAML attribute → user pool attribute.", Unset("not mapped")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": True,
        "external_providers": {
            "saml": {
                "name": "CorpAD",
                "metadata": {"metadata_content": "https://idp.example.com/saml/metadata", "metadata_type": "URL"},
                "identifiers": ["corp.example.com"],
                "idp_signout": True,
                "attribute_mapping": {"email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"},
            },
            %s
        },
    },
)""" % _URLS,
        ],
    ),
    t.SamlMetadata: Model(
        intro="Where the SAML metadata comes from.",
        fields={
            "metadata_content": Doc("The metadata URL (`URL`) or the metadata XML itself (`FILE`)."),
            "metadata_type": Doc("Whether `metadata_content` is a URL or the document."),
        },
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": True,
        "external_providers": {
            "saml": {"metadata": {"metadata_content": "<EntityDescriptor ...>...</EntityDescriptor>",
                                  "metadata_type": "FILE"}},
            %s
        },
    },
)""" % _URLS,
        ],
    ),
    t.AttributeMapping: Model(
        intro="Maps a provider's attributes (the values) to user pool attributes (the keys), for every external "
              "provider. The keys are the standard attributes' snake_case names.",
        fields={
            "email_verified": Doc("Provider attribute for Cognito's `email_verified`.", Unset("not mapped")),
            "custom": Doc("Other user pool attributes by their Cognito name, such as `custom:tenant`.",
                          Unset("not mapped")),
        },  # the standard attributes' entries are generated from defaults.STANDARD_ATTRIBUTES
        examples=[
            """\
auth = define_auth(
    login_with={
        "email": True,
        "external_providers": {
            "oidc": [{
                "client_id": secret("OIDC_CLIENT_ID"),
                "client_secret": secret("OIDC_CLIENT_SECRET"),
                "issuer_url": "https://id.example.com",
                "attribute_mapping": {
                    "address": "address",
                    "birthdate": "birthdate",
                    "email": "email",
                    "email_verified": "email_verified",
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
                    "custom": {"custom:tenant": "tenant_id"},
                },
            }],
            %s
        },
    },
)""" % _URLS,
        ],
    ),
    t.StandardAttribute: Model(
        intro="A standard attribute (see [Standard attributes](#standard-attributes) for the names).",
        amplify_type="StandardAttribute",
        fields={
            "mutable": Doc("Whether the value can change after sign-up (attributes mapped from a provider must be "
                           "mutable).",
                               FromCdk("`True`",
                                       "throws an error when it attempts to update the attribute. Default: true")),
            "required": Doc("Whether sign-up must give a value.",
                FromCdk("`False`", "registration or sign-in will fail. Default: false")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={"email": True},
    user_attributes={"birthdate": {"required": True, "mutable": False}, "preferred_username": {"mutable": True}},
)""",
        ],
    ),
    t.CustomAttribute: Model(
        intro="A custom attribute (`custom:` and 1 to 20 characters). Cognito cannot require custom attributes.",
        amplify_type="CustomAttribute",
        fields={
            "data_type": Doc("The attribute's type."),
            "mutable": Doc("Whether the value can change after sign-up.",
                           Applied("`True`, as Amplify's `CustomAttributeBase`",
                                   "amplify_py/backend/auth/construct.py")),
            "min_len": Doc("Minimum length (`String` only).",
                FromCdk("`0`", "Minimum length of this attribute. Default: 0")),
            "max_len": Doc("Maximum length (`String` only), at most 2048.",
                           FromCdk("`2048`", "Maximum length of this attribute. Default: 2048")),
            "min": Doc("Minimum value (`Number` only).",
                FromCdk("no minimum", "Minimum value of this attribute. Default: - no minimum value")),
            "max": Doc("Maximum value (`Number` only).",
                FromCdk("no maximum", "Maximum value of this attribute. Default: - no maximum value")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={"email": True},
    user_attributes={
        "custom:display_name": {"data_type": "String", "min_len": 1, "max_len": 64},
        "custom:credits": {"data_type": "Number", "min": 0, "max": 1000, "mutable": True},
        "custom:beta": {"data_type": "Boolean", "mutable": False},
    },
)""",
        ],
    ),
    t.Multifactor: Model(
        intro="Multi-factor authentication. `OPTIONAL` and `REQUIRED` need at least one factor; `OFF` allows "
              "none.",
        amplify_type="MFA",
        fields={
            "mode": Doc("Whether users may (`OPTIONAL`) or must (`REQUIRED`) use a second factor."),
            "totp": Doc("Authenticator app codes (TOTP).", Unset("off")),
            "sms": Doc("Codes by SMS (a dict with `sms_message` sets the text). Required when phone sign-in is on.",
                       Unset("off")),
            "email": Doc("Codes by email; needs an SES email sender (`senders.email`).", Unset("off")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={"email": True},
    multifactor={"mode": "REQUIRED", "totp": True, "sms": True, "email": True},
    senders={"email": {"from_email": "no-reply@example.com"}},
)""",
        ],
    ),
    t.SmsMfa: Model(
        intro="SMS MFA with its own message. With `sms=True` the message is aws-cdk-lib's default, "
              "'Your authentication code is {####}.'",
        fields={
            "sms_message": Doc("Text of the MFA SMS: `lambda create_code: ...`.", type="function → `str`"),
        },
        examples=[
            """\
auth = define_auth(
    login_with={"email": True},
    multifactor={"mode": "OPTIONAL", "sms": {"sms_message": lambda create_code: f"Sign-in code: {create_code()}"}},
)""",
        ],
    ),
    t.Senders: Model(
        intro="How Cognito sends email and SMS. A dict with `handler` is a custom sender function.",
        fields={
            "email": Doc("Send email through Amazon SES, or with a custom email sender function.",
                         FromCdk("Cognito's own email sending",
                                 "Default: - cognito will use the default email configuration")),
            "sms": Doc("Send SMS through your own SNS role, or with a custom SMS sender function.",
                       FromCdk("an SMS role if aws-cdk-lib decides one is needed",
                               "Default: - CDK will determine based on other "
                               "properties of the user pool if an SMS role should be created or not.")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={"email": True, "phone": True},
    multifactor={"mode": "OPTIONAL", "sms": True},
    senders={
        "email": {"from_email": "no-reply@example.com", "from_name": "Example"},
        "sms": {"external_id": "example-external-id", "sns_caller_arn": "arn:aws:iam::123456789012:role/cognito-sms"},
    },
)""",
        ],
    ),
    t.SesEmailSender: Model(
        intro="Send email through Amazon SES from a verified identity, in the stack's region.",
        amplify_type="UserPoolSESOptions",
        fields={
            "from_email": Doc("The verified SES address email is sent from."),
            "from_name": Doc("The sender's name.", Unset("none")),
            "reply_to": Doc("The Reply-To address.", Unset("none")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={"email": True},
    senders={"email": {"from_email": "no-reply@example.com", "from_name": "Example", "reply_to": "help@example.com"}},
)""",
        ],
    ),
    t.SnsSmsSender: Model(
        intro="Send SMS through Amazon SNS with your own IAM role (`external_id` and `sns_caller_arn` together).",
        amplify_type="UserPoolSnsOptions",
        fields={
            "external_id": Doc("The external ID Cognito passes when it assumes the role.", Unset("none")),
            "sns_caller_arn": Doc("The ARN of the IAM role Cognito assumes to publish SMS.",
                                  Unset("a role aws-cdk-lib creates when one is needed")),
            "sns_region": Doc("The region of the SNS integration.",
                              FromCdk("the user pool's region (with a few exceptions)",
                                      "Default: - The same region as the user pool, with a few exceptions")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={"phone": True},
    multifactor={"mode": "OPTIONAL", "sms": True},
    senders={"sms": {"external_id": "example-external-id",
                     "sns_caller_arn": "arn:aws:iam::123456789012:role/cognito-sms", "sns_region": "us-east-1"}},
)""",
        ],
    ),
    t.CustomSender: Model(
        intro="A custom sender function: Cognito hands it every message, encrypted with a KMS key, and it sends "
              "them (through a third-party provider, for instance).",
        amplify_type="CustomEmailSender / CustomSmsSender",
        fields={
            "handler": Doc("The function that sends the messages.",
                           type="function (`define_function(...)` or `aws_lambda.IFunction`)"),
            "kms_key_arn": Doc("The KMS key messages are encrypted with (the same for both senders).",
                               Applied("a new key with rotation, in the function's stack",
                                       "amplify_py/backend/auth/construct.py")),
        },
        examples=[
            """\
email_sender = define_function(entry="./email_sender.py")

auth = define_auth(
    login_with={"email": True},
    senders={"email": {"handler": email_sender,
                       "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
)""",
        ],
    ),
    t.PasswordlessOptions: Model(
        intro="Passwordless settings the client reads from amplify_outputs.json.",
        fields={
            "preferred_challenge": Doc("The first factor the client offers; it must be enabled (`PASSWORD` always "
                                       "is).", Unset("none")),
        },
        examples=[
            """\
auth = define_auth(
    login_with={"email": {"otp_login": True}, "web_authn": True},
    passwordless_options={"preferred_challenge": "WEB_AUTHN"},
)""",
        ],
    ),
}

# ---------------------------------------------------------------- define_function

FUNCTION = Model(
    intro="""\
`define_function(...)` is Amplify's `defineFunction(...)` for a Python Lambda function: pass the result as a
trigger (`triggers=`), a custom sender (`senders=`) or an access grantee (`access=`). The definition is checked
when it is made, every problem at once. The entry's folder is packaged as the function's code, with the
`requirements.txt` beside it.

Amplify's `ephemeralStorageSizeMB`, `architecture`, `schedule`, `layers`, `bundling`, `resourceGroupName`,
`logging` and `durableConfig` are not options here.""",
    amplify_type="defineFunction",
    fields={
        "entry": Doc("The `.py` file that defines the handler, relative to the file that calls `define_function`."),
        "name": Doc("The function's name (letters, digits, `-`, `_` and spaces, starting with a letter).",
                    Applied("the entry file's name without `.py`, as Amplify derives it",
                            "amplify_py/backend/function/types.py")),
        "handler": Doc("The name of the function in the entry file that Lambda calls with `(event, context)`.",
                       amplify="", amplify_note="Amplify's Node functions always export `handler`"),
        "runtime": Doc("The Python runtime.", amplify="runtime",
                       amplify_note="Amplify's takes a Node.js version",
                       type="one of {SUPPORTED_RUNTIMES}"),
        "timeout_seconds": Doc("How long an invocation may run.",
                               type="`int`, {TIMEOUT_RANGE[0]} to {TIMEOUT_RANGE[1]}"),
        "memory_mb": Doc("Memory for the function, in MB.", amplify="memoryMB",
                         type="`int`, {MEMORY_RANGE[0]} to {MEMORY_RANGE[1]}"),
        "environment": Doc("Environment variables (at most {ENVIRONMENT_MAX_BYTES} bytes in all, Lambda's reserved "
                           "names refused).", Unset("none"), type="dict of `str` → `str`"),
    },
    examples=[
        """\
pre_sign_up = define_function(entry="./pre_sign_up.py")""",
        """\
post_confirmation = define_function(
    entry="./post_confirmation.py",
    name="add-to-group",
    handler="main",
    runtime="python3.12",
    timeout_seconds=10,
    memory_mb=256,
    environment={"GROUP_NAME": "EVERYONE"},
)""",
    ],
)

# ---------------------------------------------------------------- define_backend

BACKEND = Model(
    intro="""\
`define_backend(...)` is Amplify's `defineBackend({...})`: it collects the app's resources in one CDK stack.
`ampy` loads the module-level `backend` of `amplify/backend.py`. `backend.auth.resources` exposes the user pool,
its client, the identity pool, the roles, the groups and the L1 `cfn_resources`, as in Amplify; using it builds
the CDK app (which starts the CDK runtime).""",
    amplify_type="defineBackend",
    fields={
        "auth": Doc("The auth resource: what `define_auth(...)` returned.", Unset("no auth resource"),
                    amplify="auth", amplify_note="the key of the object `defineBackend` takes"),
        "resolve_secret": Doc(
            "Where `secret(\"NAME\")` values come from: `name` → value (replaces the sandbox's secret store and "
            "`AMPY_SECRET_<NAME>`).",
            Applied("the sandbox's secret store when `ampy` loads the backend, then the environment variable "
                    "`AMPY_SECRET_<NAME>`", "amplify_py/backend/backend.py"),
            amplify="", amplify_note="Amplify resolves secrets from SSM Parameter Store at deploy time",
            type="function: `str` → `str`",
        ),
    },
    examples=[
        """\
auth = define_auth(login_with={"email": True})

backend = define_backend(auth=auth)""",
        """\
auth = define_auth(
    login_with={
        "email": True,
        "external_providers": {
            "google": {"client_id": secret("GOOGLE_CLIENT_ID"), "client_secret": secret("GOOGLE_CLIENT_SECRET")},
            %s
        },
    },
)
vault = {"GOOGLE_CLIENT_ID": "1234.apps.googleusercontent.com", "GOOGLE_CLIENT_SECRET": "not-a-real-secret"}

backend = define_backend(auth=auth, resolve_secret=lambda name: vault[name])""" % _URLS,
    ],
)

# ---------------------------------------------------------------- the ampy CLI


@dataclass(frozen=True)
class AmpxCommand:
    """ampx's counterpart of a command and the options it has (from amplify-backend's cli commands)."""

    name: str
    options: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Cli:
    intro: str
    order: list[tuple[str, ...]]
    ampx: dict[tuple[str, ...], AmpxCommand]
    #: Example command lines per command; together they use every option of the command (but --debug).
    examples: dict[tuple[str, ...], list[str]] = field(default_factory=dict)


_AMPX_GLOBAL = frozenset({"--debug"})  # ampx's main parser
_SANDBOX_SCOPED = frozenset({"--identifier", "--profile"})  # ampx sandbox's options its subcommands inherit

CLI = Cli(
    intro="""\
`ampy` is the Python counterpart of Amplify's `ampx`. The options ampx has keep ampx's names; the column
"ampx" says which ones (— for an option only ampy has). `--debug` shows tracebacks (without it, an error is a
message and a resolution); every command takes it, before the command (`ampy --debug sandbox secret list`) or
after it (`ampy sandbox secret list --debug`).""",
    order=[
        (), ("init",), ("synth",), ("sandbox",), ("sandbox", "delete"), ("sandbox", "stop"), ("sandbox", "console"),
        ("sandbox", "secret", "set"), ("sandbox", "secret", "get"), ("sandbox", "secret", "list"),
        ("sandbox", "secret", "remove"), ("sandbox", "users", "list"), ("sandbox", "users", "show"),
        ("sandbox", "users", "create"), ("sandbox", "users", "delete"), ("sandbox", "users", "confirm"),
        ("sandbox", "users", "set-password"), ("sandbox", "users", "add-to-group"), ("sandbox", "codes"),
        ("sandbox", "reset"), ("generate", "outputs"), ("pipeline-deploy",), ("local", "serve"),
        ("local", "ca"),
    ],
    ampx={
        (): AmpxCommand("ampx", _AMPX_GLOBAL),
        ("init",): AmpxCommand("npm create amplify"),
        ("sandbox",): AmpxCommand("ampx sandbox", _AMPX_GLOBAL | {
            "--dir-to-watch", "--exclude", "--identifier", "--outputs-format", "--outputs-version",
            "--outputs-out-dir", "--profile", "--once"}),
        ("sandbox", "delete"): AmpxCommand("ampx sandbox delete", _AMPX_GLOBAL | _SANDBOX_SCOPED | {"--yes", "-y"}),
        ("sandbox", "secret", "set"): AmpxCommand("ampx sandbox secret set", _AMPX_GLOBAL | _SANDBOX_SCOPED
                                                  | {"secret_name"}),
        ("sandbox", "secret", "get"): AmpxCommand("ampx sandbox secret get", _AMPX_GLOBAL | _SANDBOX_SCOPED
                                                  | {"secret_name"}),
        ("sandbox", "secret", "list"): AmpxCommand("ampx sandbox secret list", _AMPX_GLOBAL | _SANDBOX_SCOPED),
        ("sandbox", "secret", "remove"): AmpxCommand("ampx sandbox secret remove", _AMPX_GLOBAL | _SANDBOX_SCOPED
                                                     | {"secret_name", "--all"}),
        ("generate", "outputs"): AmpxCommand("ampx generate outputs", _AMPX_GLOBAL | {
            "--stack", "--format", "--out-dir", "--outputs-version"}),
        ("pipeline-deploy",): AmpxCommand("ampx pipeline-deploy", _AMPX_GLOBAL | {
            "--branch", "--app-id", "--outputs-out-dir", "--outputs-version", "--outputs-format"}),
    },
    examples={
        (): ["ampy --debug synth"],
        ("init",): ["ampy init", "ampy init --dir ./my-app"],
        ("synth",): [
            "ampy synth",
            "ampy synth --dir ./my-app --out build/templates --stack-name amplify-my-app --identifier feature1 --validate",
        ],
        ("sandbox",): [
            "ampy sandbox",
            "ampy sandbox --once --identifier feature1 --port 9400 --outputs-out-dir web/src",
            "ampy sandbox --dir-to-watch amplify --exclude 'amplify/**/*.md' --exclude amplify/tmp",
            "ampy sandbox --outputs-format dart --outputs-version 1.4 --dir ./my-app",
            "ampy sandbox --profile dev",
            "ampy sandbox --target aws --once",
            "ampy sandbox --once --allow-replacement",
        ],
        ("sandbox", "delete"): [
            "ampy sandbox delete --identifier feature1 --yes",
            "ampy sandbox delete --target aws --profile dev --dir ./my-app -y",
        ],
        ("sandbox", "stop"): ["ampy sandbox stop --identifier feature1 --dir ./my-app"],
        ("sandbox", "console"): ["ampy sandbox console", "ampy sandbox console --identifier feature1 --dir ./my-app"],
        ("sandbox", "secret", "set"): [
            "ampy sandbox secret set GOOGLE_CLIENT_SECRET",
            "ampy sandbox secret set GOOGLE_CLIENT_SECRET --identifier feature1 --dir ./my-app",
            "ampy sandbox secret set GOOGLE_CLIENT_SECRET --target aws --profile dev",
        ],
        ("sandbox", "secret", "get"): [
            "ampy sandbox secret get GOOGLE_CLIENT_SECRET --identifier feature1 --dir ./my-app",
            "ampy sandbox secret get GOOGLE_CLIENT_SECRET --target aws --profile dev",
        ],
        ("sandbox", "secret", "list"): [
            "ampy sandbox secret list --identifier feature1 --dir ./my-app",
            "ampy sandbox secret list --target aws --profile dev",
        ],
        ("sandbox", "secret", "remove"): [
            "ampy sandbox secret remove GOOGLE_CLIENT_SECRET --identifier feature1 --dir ./my-app",
            "ampy sandbox secret remove --all --target aws --profile dev",
        ],
        ("sandbox", "users", "list"): ["ampy sandbox users list", "ampy sandbox users list --identifier feature1 --dir ./my-app"],
        ("sandbox", "users", "show"): ["ampy sandbox users show alice@example.com --identifier feature1 --dir ./my-app"],
        ("sandbox", "users", "create"): [
            "ampy sandbox users create alice@example.com --password 'Sup3r-secret!'",
            "ampy sandbox users create bob --password 'Sup3r-secret!' --attribute email=bob@example.com "
            "--attribute custom:plan=pro --group ADMINS --group EDITORS --identifier feature1 --dir ./my-app",
        ],
        ("sandbox", "users", "delete"): ["ampy sandbox users delete alice@example.com --identifier feature1 --dir ./my-app"],
        ("sandbox", "users", "confirm"): ["ampy sandbox users confirm alice@example.com --identifier feature1 --dir ./my-app"],
        ("sandbox", "users", "set-password"): [
            "ampy sandbox users set-password alice@example.com --password 'N3w-secret!'",
            "ampy sandbox users set-password alice@example.com --temporary --identifier feature1 --dir ./my-app",
        ],
        ("sandbox", "users", "add-to-group"): [
            "ampy sandbox users add-to-group alice@example.com ADMINS --identifier feature1 --dir ./my-app",
        ],
        ("sandbox", "codes"): [
            "ampy sandbox codes",
            "ampy sandbox codes alice@example.com --follow",
            "ampy sandbox codes --limit 5 --identifier feature1 --dir ./my-app",
        ],
        ("sandbox", "reset"): [
            "ampy sandbox reset --users",
            "ampy sandbox reset --users --yes --identifier feature1 --dir ./my-app",
        ],
        ("generate", "outputs"): [
            "ampy generate outputs --identifier feature1 --out-dir web/src --format dart --outputs-version 1.3",
            "ampy generate outputs --stack amplify-d1abcdefgh-main-branch-0123456789 --dir ./my-app",
        ],
        ("pipeline-deploy",): [
            "ampy pipeline-deploy --branch main --app-id d1abcdefgh",
            "ampy pipeline-deploy --branch main --app-id d1abcdefgh --outputs-out-dir web/src --outputs-format json "
            "--outputs-version 1.5 --dir ./my-app",
        ],
        ("local", "serve"): [
            "ampy local serve --port 9325 --state-dir .amplify/local "
            "--template .amplify/synth/amplify-my-app.template.json --host 127.0.0.1 --region eu-west-1",
            "ampy local serve --state-dir .amplify/local --template amplify-my-app.template.json --allow-replacement",
            "ampy local serve --state-dir .amplify/local --workers 4",
            "ampy local serve --port 9325 --managed-login-port 9443",
        ],
        ("local", "ca"): ["ampy local ca", "ampy local ca --path"],
    },
)
