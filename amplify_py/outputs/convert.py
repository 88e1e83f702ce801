"""Stack outputs → amplify_outputs.json, the way ``@aws-amplify/client-config`` converts them.

The auth construct publishes its settings as flat string stack outputs
(``userPoolId``, ``mfaTypes`` as a JSON array string, ...). This module is the
pure counterpart of client-config's auth contributors for each
``--outputs-version``: 1, 1.1 and 1.2 know no ``groups`` and no
``passwordless``; 1.3 adds ``groups``; 1.4 and 1.5 add ``passwordless``.
Custom outputs are merged like client-config's object accumulator does.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from amplify_py.errors import AmpyFault, AmpyUserError
from amplify_py.outputs.model import OUTPUTS_VERSIONS, AmplifyOutputs

__all__ = ["AUTH_OUTPUT_KEYS", "DEFAULT_OUTPUTS_VERSION", "build_outputs", "local_engine_custom", "local_oauth_domain"]

DEFAULT_OUTPUTS_VERSION = "1.5"

#: The stack output keys of Amplify's auth output schema (backend-output-schemas auth v1).
AUTH_OUTPUT_KEYS: tuple[str, ...] = (
    "authRegion",
    "userPoolId",
    "webClientId",
    "identityPoolId",
    "allowUnauthenticatedIdentities",
    "usernameAttributes",
    "signupAttributes",
    "passwordPolicyMinLength",
    "passwordPolicyRequirements",
    "mfaConfiguration",
    "mfaTypes",
    "verificationMechanisms",
    "socialProviders",
    "oauthCognitoDomain",
    "oauthScope",
    "oauthRedirectSignIn",
    "oauthRedirectSignOut",
    "oauthClientId",
    "oauthResponseType",
    "groups",
    "passwordlessOptions",
)
_REQUIRED_AUTH_KEYS = ("authRegion", "userPoolId", "webClientId", "identityPoolId")
_CUSTOM_OUTPUTS_KEY = "customOutputs"

_MFA_CONFIGURATION = {"OFF": "NONE", "OPTIONAL": "OPTIONAL", "ON": "REQUIRED"}
_PASSWORD_REQUIREMENTS = {
    "REQUIRES_NUMBERS": "require_numbers",
    "REQUIRES_LOWERCASE": "require_lowercase",
    "REQUIRES_UPPERCASE": "require_uppercase",
    "REQUIRES_SYMBOLS": "require_symbols",
}
# client-config keeps only the social providers the frontend libraries can drive
# themselves; OIDC and SAML providers are dropped from oauth.identity_providers.
_FRONTEND_IDENTITY_PROVIDERS = ("GOOGLE", "FACEBOOK", "LOGIN_WITH_AMAZON", "SIGN_IN_WITH_APPLE")


def local_engine_custom(endpoint: str, *, ca_certificate: str | None = None) -> dict[str, Any]:
    """The ``custom`` entry that tells apps where the local engine listens.

    Cognito's user pool and identity pool APIs are served from the same local
    endpoint; the schema lets ``custom`` hold anything, so this never touches a
    key the schema defines. ``ca_certificate``: the local CA that signs managed
    login's HTTPS certificate (for clients that do not trust it system-wide).
    """
    endpoint = endpoint.rstrip("/")
    local: dict[str, Any] = {"user_pool_endpoint": endpoint, "identity_pool_endpoint": endpoint}
    if ca_certificate:
        local["ca_certificate"] = ca_certificate
    return {"local_engine": local}


def local_oauth_domain(stack_outputs: dict[str, str], domain: str | None) -> dict[str, str]:
    """The stack outputs with ``oauthCognitoDomain`` (``auth.oauth.domain``) where the local engine serves
    managed login (``localhost:<port>``); unchanged when the backend has no domain or none is served."""
    if not domain or not stack_outputs.get("oauthCognitoDomain"):
        return stack_outputs
    return {**stack_outputs, "oauthCognitoDomain": domain}


def build_outputs(
    stack_outputs: dict[str, str],
    *,
    version: str = DEFAULT_OUTPUTS_VERSION,
    custom: dict[str, Any] | None = None,
) -> AmplifyOutputs:
    """Build amplify_outputs for ``version`` from a deployment's resolved stack outputs.

    ``custom`` lands under the ``custom`` key (merged with any ``customOutputs``
    the stack carries); a key present in both is an error, as in Amplify.
    """
    if version not in OUTPUTS_VERSIONS:
        raise AmpyUserError(
            "InvalidOutputsVersionError",
            f"amplify_outputs version {version!r} is not supported.",
            f"Use one of: {', '.join(OUTPUTS_VERSIONS)}.",
        )
    result: dict[str, Any] = {}
    auth = _auth_section(stack_outputs, version)
    if auth is not None:
        _accumulate(result, {"auth": auth})
    _accumulate(result, {"version": version})
    custom_outputs = stack_outputs.get(_CUSTOM_OUTPUTS_KEY)
    if custom_outputs:
        _accumulate(result, _parse_json(_CUSTOM_OUTPUTS_KEY, custom_outputs))
    if custom:
        _accumulate(result, {"custom": custom})
    try:
        return AmplifyOutputs.model_validate(result)
    except ValidationError as exc:
        raise AmpyFault(
            "InvalidAuthOutputsError",
            "The deployment's stack outputs convert to an amplify_outputs.json that breaks its schema.",
            details=str(exc),
        ) from exc


def _auth_section(outputs: dict[str, str], version: str) -> dict[str, Any] | None:
    if not any(key in outputs for key in AUTH_OUTPUT_KEYS):
        return None
    missing = [key for key in _REQUIRED_AUTH_KEYS if key not in outputs]
    if missing:
        raise AmpyFault(
            "InvalidAuthOutputsError",
            f"The deployment's auth stack outputs lack {', '.join(missing)}; "
            "amplify_outputs.json needs them to reach the user pool.",
        )
    with_groups = version not in ("1", "1.1", "1.2")
    with_passwordless = version in ("1.4", "1.5")

    auth: dict[str, Any] = {
        "user_pool_id": outputs["userPoolId"],
        "aws_region": outputs["authRegion"],
        "user_pool_client_id": outputs["webClientId"],
    }
    if outputs["identityPoolId"]:
        auth["identity_pool_id"] = outputs["identityPoolId"]

    json_arrays = [
        ("mfa_methods", "mfaTypes"),
        ("standard_required_attributes", "signupAttributes"),
        ("username_attributes", "usernameAttributes"),
        ("user_verification_types", "verificationMechanisms"),
    ]
    if with_groups:
        json_arrays.append(("groups", "groups"))
    for target, key in json_arrays:
        if outputs.get(key) is not None:
            auth[target] = _parse_json(key, outputs[key])

    mfa = _MFA_CONFIGURATION.get(outputs.get("mfaConfiguration") or "")
    if mfa is not None:
        auth["mfa_configuration"] = mfa

    min_length = outputs.get("passwordPolicyMinLength")
    requirements = outputs.get("passwordPolicyRequirements")
    if min_length or requirements:
        # 8 and explicit false flags: the construct's default, and libraries expect every flag set.
        policy: dict[str, Any] = {
            "min_length": 8,
            "require_lowercase": False,
            "require_numbers": False,
            "require_symbols": False,
            "require_uppercase": False,
        }
        if min_length:
            policy["min_length"] = _parse_int("passwordPolicyMinLength", min_length)
        if requirements:
            for requirement in _parse_json("passwordPolicyRequirements", requirements):
                flag = _PASSWORD_REQUIREMENTS.get(requirement)
                if flag is not None:
                    policy[flag] = True
        auth["password_policy"] = policy

    # OAuth is configured only when both redirect lists are non-empty.
    sign_in, sign_out = outputs.get("oauthRedirectSignIn"), outputs.get("oauthRedirectSignOut")
    if sign_in and sign_out:
        providers = outputs.get("socialProviders")
        identity_providers = _parse_json("socialProviders", providers) if providers else []
        if isinstance(identity_providers, list):
            identity_providers = [p for p in identity_providers if p in _FRONTEND_IDENTITY_PROVIDERS]
        oauth: dict[str, Any] = {
            "identity_providers": identity_providers,
            "redirect_sign_in_uri": sign_in.split(","),
            "redirect_sign_out_uri": sign_out.split(","),
        }
        if outputs.get("oauthResponseType") is not None:
            oauth["response_type"] = outputs["oauthResponseType"]
        scope = outputs.get("oauthScope")
        oauth["scopes"] = _parse_json("oauthScope", scope) if scope else []
        oauth["domain"] = outputs.get("oauthCognitoDomain") or ""
        auth["oauth"] = oauth

    unauthenticated = outputs.get("allowUnauthenticatedIdentities")
    if unauthenticated:
        auth["unauthenticated_identities_enabled"] = unauthenticated == "true"

    passwordless_options = outputs.get("passwordlessOptions")
    if with_passwordless and passwordless_options:
        options = _parse_json("passwordlessOptions", passwordless_options)
        passwordless: dict[str, Any] = {}
        if options.get("emailOtpEnabled") is not None:
            passwordless["email_otp_enabled"] = options["emailOtpEnabled"]
        if options.get("smsOtpEnabled") is not None:
            passwordless["sms_otp_enabled"] = options["smsOtpEnabled"]
        web_authn = options.get("webAuthn")
        if web_authn:
            passwordless["web_authn"] = {
                "relying_party_id": web_authn.get("relyingPartyId"),
                "user_verification": web_authn.get("userVerification"),
            }
        if options.get("preferredChallenge"):
            passwordless["preferred_challenge"] = options["preferredChallenge"]
        auth["passwordless"] = passwordless
    return auth


def _parse_json(key: str, value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise AmpyFault(
            "InvalidAuthOutputsError",
            f"Stack output {key!r} should hold JSON but holds {value!r}.",
        ) from exc


def _parse_int(key: str, value: str) -> int:
    # Number.parseInt semantics: leading whitespace, optional sign, leading digits.
    match = re.match(r"\s*([+-]?\d+)", value)
    if match is None:
        raise AmpyFault("InvalidAuthOutputsError", f"Stack output {key!r} should hold an integer but holds {value!r}.")
    return int(match.group(1))


def _version_tuple(value: Any) -> tuple[int, ...] | None:
    match = re.search(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", str(value))
    if match is None:
        return None
    return tuple(int(part or 0) for part in match.groups())


def _accumulate(target: dict[str, Any], part: dict[str, Any]) -> None:
    """Squash-merge ``part`` into ``target`` like Amplify's ObjectAccumulator.

    Lists concatenate, objects merge, a second value for an existing key is an
    error, except ``version`` where the higher minor version of the same major wins.
    """
    for key, incoming in part.items():
        existing = target.get(key)
        if isinstance(existing, list):
            target[key] = existing + (incoming if isinstance(incoming, list) else [incoming])
        elif isinstance(existing, dict) and isinstance(incoming, dict):
            _accumulate(existing, incoming)
        elif existing and not isinstance(existing, dict):
            if key != "version":
                raise AmpyUserError(
                    "OutputEntryAlreadyExistsError",
                    f"Duplicated entry with key {key} detected in deployment outputs",
                    "Check that custom outputs do not repeat a key, nor overlap keys Amplify manages.",
                )
            old, new = _version_tuple(existing), _version_tuple(incoming)
            if old and new:
                if old[0] != new[0]:
                    raise AmpyUserError(
                        "VersionMismatchError",
                        "Conflicting versions of client configuration found. ",
                        "Ensure that the version specified in custom outputs is consistent"
                        " and is same as the one used for generating the client config",
                    )
                target[key] = incoming if new >= old else existing
        else:
            target[key] = incoming if not isinstance(incoming, dict) else _copy(incoming)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
