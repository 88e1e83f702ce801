"""Stack Outputs and ``AWS::Amplify::Auth`` metadata, computed lazily from the final Cfn resources.

The values are produced at synth time (``Lazy``), after any escape-hatch
override (``cfn_user_pool.policies = ...``), so amplify_outputs.json always
describes what is deployed. Names, order and formats are Amplify's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import CfnOutput, IStableStringProducer, Lazy, Stack
from aws_cdk import aws_cognito as cognito

if TYPE_CHECKING:
    from amplify_py.backend.auth.construct import AmplifyAuth

__all__ = ["store_outputs", "AUTH_OUTPUT_KEY", "AUTH_OUTPUT_VERSION"]

AUTH_OUTPUT_KEY = "AWS::Amplify::Auth"
AUTH_OUTPUT_VERSION = "1"


@jsii.implements(IStableStringProducer)
class _Producer:
    def __init__(self, fn: Callable[[], str | None]) -> None:
        self._fn = fn

    def produce(self) -> str | None:
        return self._fn()


def _dumps(value: Any) -> str:
    """JSON.stringify: compact, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_Ctx = Stack  # the stack resolves Cfn property values for the producers


def _plain(stack: Stack, value: Any) -> Any:
    """A Cfn property as plain data with camelCase keys, whether set by the L2 or by an escape hatch."""
    if value is None:
        return None
    return stack.resolve(value)

def store_outputs(auth: "AmplifyAuth") -> None:
    stack = Stack.of(auth)

    def _lazy(fn: Callable[[Stack], str | None]) -> str:
        return Lazy.string(_Producer(lambda: fn(stack)))
    res = auth.resources
    cfn_pool = res.cfn_resources.cfn_user_pool
    cfn_client = res.cfn_resources.cfn_user_pool_client
    cfn_identity_pool = res.cfn_resources.cfn_identity_pool

    def password_policy(ctx: _Ctx) -> dict[str, Any] | None:
        policies = _plain(ctx, cfn_pool.policies)
        return None if not policies else (policies.get("passwordPolicy") or {})

    def min_length(ctx: _Ctx) -> str | None:
        policy = password_policy(ctx)
        if policy is None:
            return ""
        value = policy.get("minimumLength")
        return None if value is None else str(value)

    def requirements(ctx: _Ctx) -> str:
        policy = password_policy(ctx)
        if policy is None:
            return ""
        names = [
            ("requireNumbers", "REQUIRES_NUMBERS"),
            ("requireLowercase", "REQUIRES_LOWERCASE"),
            ("requireUppercase", "REQUIRES_UPPERCASE"),
            ("requireSymbols", "REQUIRES_SYMBOLS"),
        ]
        return _dumps([out for key, out in names if policy.get(key)])

    def signup_attributes(ctx: _Ctx) -> str:
        schema = _plain(ctx, cfn_pool.schema)
        if not schema:
            return "[]"
        return _dumps([a["name"].lower() for a in schema if a.get("required") and a.get("name")])

    def username_attributes(ctx: _Ctx) -> str:
        return _dumps([a.lower() for a in (_plain(ctx, cfn_pool.username_attributes) or [])])

    def verification(ctx: _Ctx) -> str:
        return _dumps(_plain(ctx, cfn_pool.auto_verified_attributes) or [])

    def mfa_configuration(ctx: _Ctx) -> str:
        return _plain(ctx, cfn_pool.mfa_configuration) or "OFF"

    def mfa_types(ctx: _Ctx) -> str:
        kinds = {"SMS_MFA": "SMS", "SOFTWARE_TOKEN_MFA": "TOTP", "EMAIL_OTP": "EMAIL"}
        return _dumps([kinds[t] for t in (_plain(ctx, cfn_pool.enabled_mfas) or []) if t in kinds])

    def passwordless(ctx: _Ctx) -> str:
        config: dict[str, Any] = {}
        policies = _plain(ctx, cfn_pool.policies) or {}
        sign_in = policies.get("signInPolicy")
        if sign_in:
            factors = sign_in.get("allowedFirstAuthFactors") or []
            config["emailOtpEnabled"] = "EMAIL_OTP" in factors
            config["smsOtpEnabled"] = "SMS_OTP" in factors
            if "WEB_AUTHN" in factors:
                config["webAuthn"] = {
                    "relyingPartyId": _plain(ctx, cfn_pool.web_authn_relying_party_id) or "",
                    "userVerification": _plain(ctx, cfn_pool.web_authn_user_verification) or "preferred",
                }
        if auth.preferred_challenge:
            config["preferredChallenge"] = auth.preferred_challenge
        return _dumps(config) if config else ""

    def social_providers(ctx: _Ctx) -> str:
        providers = res.user_pool.identity_providers
        if not providers:
            return ""
        names: list[str] = []
        social = {
            "Google": "GOOGLE",
            "Facebook": "FACEBOOK",
            "SignInWithApple": "SIGN_IN_WITH_APPLE",
            "LoginWithAmazon": "LOGIN_WITH_AMAZON",
        }
        for provider in providers:
            cfn = provider.node.find_child("Resource")
            if not isinstance(cfn, cognito.CfnUserPoolIdentityProvider):
                raise RuntimeError("Could not find the CfnUserPoolIdentityProvider resource in the stack.")
            kind = cfn.provider_type
            if kind in social:
                names.append(social[kind])
            elif kind in ("OIDC", "SAML"):
                names.append(cfn.provider_name)
        return _dumps(names)

    def cognito_domain(ctx: _Ctx) -> str:
        domain = res.user_pool.node.try_find_child(f"{auth._name}UserPoolDomain")
        if domain is None:
            return ""
        return f"{domain.domain_name}.auth.{stack.region}.amazoncognito.com"

    def joined(getter: Callable[[], Any]) -> Callable[[_Ctx], str]:
        def produce(ctx: _Ctx) -> str:
            value = _plain(ctx, getter())
            return ",".join(value) if value else ""

        return produce

    def groups(ctx: _Ctx) -> str:
        return _dumps(
            [{name: {"precedence": _plain(ctx, g.cfn_user_group.precedence)}} for name, g in res.groups.items()]
        )

    outputs: dict[str, Any] = {
        "userPoolId": res.user_pool.user_pool_id,
        "webClientId": res.user_pool_client.user_pool_client_id,
        "identityPoolId": cfn_identity_pool.ref,
        "authRegion": stack.region,
        "allowUnauthenticatedIdentities": _lazy(
            lambda ctx: "true" if _plain(ctx, cfn_identity_pool.allow_unauthenticated_identities) is True else "false"
        ),
        "signupAttributes": _lazy(signup_attributes),
        "usernameAttributes": _lazy(username_attributes),
        "verificationMechanisms": _lazy(verification),
        "passwordPolicyMinLength": _lazy(min_length),
        "passwordPolicyRequirements": _lazy(requirements),
        "mfaConfiguration": _lazy(mfa_configuration),
        "mfaTypes": _lazy(mfa_types),
        "passwordlessOptions": _lazy(passwordless),
        "socialProviders": _lazy(social_providers),
        "oauthCognitoDomain": _lazy(cognito_domain),
        "oauthScope": _lazy(lambda ctx: _dumps(_plain(ctx, cfn_client.allowed_o_auth_scopes) or [])),
        "oauthRedirectSignIn": _lazy(joined(lambda: cfn_client.callback_ur_ls)),
        "oauthRedirectSignOut": _lazy(joined(lambda: cfn_client.logout_ur_ls)),
        "oauthResponseType": _lazy(joined(lambda: cfn_client.allowed_o_auth_flows)),
        "oauthClientId": _lazy(lambda ctx: cfn_client.ref),
        "groups": _lazy(groups),
    }
    for key, value in outputs.items():
        CfnOutput(stack, key, value=value)
    existing = (stack.template_options.metadata or {}).get(AUTH_OUTPUT_KEY)
    keys = list(outputs)
    if existing:
        keys = list(dict.fromkeys([*keys, *existing.get("stackOutputs", [])]))
    stack.add_metadata(AUTH_OUTPUT_KEY, {"version": AUTH_OUTPUT_VERSION, "stackOutputs": keys})
