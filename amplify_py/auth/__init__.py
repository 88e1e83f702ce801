"""The Amplify Auth client API in Python, shaped like aws-amplify/auth v6.

One function per operation; next steps are returned as values with Amplify's step strings::

    from amplify_py import Amplify
    from amplify_py.auth import sign_in, confirm_sign_in

    Amplify.configure("amplify_outputs.json")
    result = sign_in(username="hello@mycompany.com", password="...")
    if result.next_step.sign_in_step == "CONFIRM_SIGN_IN_WITH_TOTP_CODE":
        result = confirm_sign_in(challenge_response=input("code: "))

The same code talks to Cognito and to the local engine (the endpoint comes from the outputs).
The API is synchronous; there is no asyncio twin (it would duplicate every flow).
"""

from amplify_py.auth._session import (
    CognitoUserPoolsTokenProvider,
    FileStorage,
    InMemoryStorage,
    KeyValueStorage,
    cognito_user_pools_token_provider,
)
from amplify_py.auth.current_user import get_current_user
from amplify_py.auth.delete_user import delete_user
from amplify_py.auth.devices import AuthDevice, AWSAuthDevice, FetchDevicesOutput, fetch_devices, forget_device, remember_device
from amplify_py.auth.errors import AuthError
from amplify_py.auth.fetch_auth_session import fetch_auth_session
from amplify_py.auth.mfa import fetch_mfa_preference, set_up_totp, update_mfa_preference, verify_totp_setup
from amplify_py.auth.password import confirm_reset_password, reset_password, update_password
from amplify_py.auth.sign_in import confirm_sign_in, sign_in
from amplify_py.auth.sign_in_with_redirect import sign_in_with_redirect
from amplify_py.auth.sign_out import sign_out
from amplify_py.auth.sign_up import auto_sign_in, confirm_sign_up, resend_sign_up_code, sign_up
from amplify_py.auth.software_authenticator import SoftwareAuthenticator
from amplify_py.auth.user_attributes import (
    confirm_user_attribute,
    delete_user_attributes,
    fetch_user_attributes,
    send_user_attribute_verification_code,
    update_user_attribute,
    update_user_attributes,
)
from amplify_py.auth.web_authn import (
    AuthWebAuthnCredential,
    ListWebAuthnCredentialsOutput,
    associate_web_authn_credential,
    delete_web_authn_credential,
    get_passkey_client,
    list_web_authn_credentials,
    set_passkey_client,
)

__all__ = [
    "sign_up",
    "confirm_sign_up",
    "resend_sign_up_code",
    "auto_sign_in",
    "sign_in",
    "confirm_sign_in",
    "sign_in_with_redirect",
    "sign_out",
    "get_current_user",
    "fetch_auth_session",
    "fetch_user_attributes",
    "update_user_attribute",
    "update_user_attributes",
    "confirm_user_attribute",
    "send_user_attribute_verification_code",
    "delete_user_attributes",
    "reset_password",
    "confirm_reset_password",
    "update_password",
    "set_up_totp",
    "verify_totp_setup",
    "update_mfa_preference",
    "fetch_mfa_preference",
    "delete_user",
    "associate_web_authn_credential",
    "list_web_authn_credentials",
    "delete_web_authn_credential",
    "set_passkey_client",
    "get_passkey_client",
    "SoftwareAuthenticator",
    "AuthWebAuthnCredential",
    "ListWebAuthnCredentialsOutput",
    "remember_device",
    "forget_device",
    "fetch_devices",
    "AuthDevice",
    "AWSAuthDevice",
    "FetchDevicesOutput",
    "cognito_user_pools_token_provider",
    "CognitoUserPoolsTokenProvider",
    "KeyValueStorage",
    "InMemoryStorage",
    "FileStorage",
    "AuthError",
]
