"""``AmplifyAuth``: the Amplify auth backend as an aws-cdk-lib construct.

Usable from any CDK app: ``AmplifyAuth(stack, "amplifyAuth", AuthProps(...))``.
It builds the same resources as @aws-amplify/auth-construct 1.12 with the L2
constructs of aws_cognito (user pool, client, domain, identity providers) plus an
identity pool, its roles and the user pool groups, and records the stack
Outputs that amplify_outputs.json is made from (see ``outputs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amplify_py._node import ensure_jsii_node

ensure_jsii_node()

import jsii  # noqa: E402
from aws_cdk import RemovalPolicy, SecretValue, Stack  # noqa: E402
from aws_cdk import aws_cognito as cognito  # noqa: E402
from aws_cdk import aws_iam as iam  # noqa: E402
from aws_cdk import aws_kms as kms  # noqa: E402
from constructs import Construct  # noqa: E402

from amplify_py.backend.auth import defaults  # noqa: E402
from amplify_py.backend.auth.outputs import store_outputs  # noqa: E402
from amplify_py.backend.auth.props import (  # noqa: E402
    AuthProps,
    CustomAttributeProps,
    CustomSenderProps,
    EmailLoginProps,
    ExternalProvidersProps,
    PhoneLoginProps,
    SesEmailSenderProps,
    SnsSmsSenderProps,
    WebAuthnProps,
)
from amplify_py.backend.identifier import (  # noqa: E402
    CONTEXT_BACKEND_NAME,
    CONTEXT_BACKEND_NAMESPACE,
    CONTEXT_DEPLOYMENT_TYPE,
)

__all__ = ["AmplifyAuth", "AuthResources", "AuthCfnResources", "UserPoolGroup"]

_IDENTITY = "cognito-identity.amazonaws.com"


@dataclass
class UserPoolGroup:
    cfn_user_group: cognito.CfnUserPoolGroup
    role: iam.Role


@dataclass
class AuthCfnResources:
    cfn_user_pool: cognito.CfnUserPool
    cfn_user_pool_client: cognito.CfnUserPoolClient
    cfn_identity_pool: cognito.CfnIdentityPool
    cfn_identity_pool_role_attachment: cognito.CfnIdentityPoolRoleAttachment


@dataclass
class AuthResources:
    """What Amplify exposes as ``backend.auth.resources`` (snake_case)."""

    user_pool: cognito.UserPool
    user_pool_client: cognito.UserPoolClient
    identity_pool: cognito.CfnIdentityPool
    identity_pool_id: str
    authenticated_user_iam_role: iam.Role
    unauthenticated_user_iam_role: iam.Role
    cfn_resources: AuthCfnResources
    groups: dict[str, UserPoolGroup] = field(default_factory=dict)


@jsii.implements(cognito.ICustomAttribute)
class _CustomAttribute:
    """Binds exactly the config Amplify binds (constraints present for String/Number even if empty)."""

    def __init__(self, config: cognito.CustomAttributeConfig) -> None:
        self._config = config

    def bind(self) -> cognito.CustomAttributeConfig:
        return self._config


def _custom_attribute(attr: CustomAttributeProps) -> _CustomAttribute:
    mutable = True if attr.mutable is None else attr.mutable
    extra: dict[str, Any] = {}
    if attr.data_type == "String":
        extra["string_constraints"] = cognito.StringAttributeConstraints(min_len=attr.min_len, max_len=attr.max_len)
    elif attr.data_type == "Number":
        extra["number_constraints"] = cognito.NumberAttributeConstraints(min=attr.min, max=attr.max)
    return _CustomAttribute(cognito.CustomAttributeConfig(data_type=attr.data_type, mutable=mutable, **extra))


def _federated(identity_pool_ref: str, amr: str) -> iam.FederatedPrincipal:
    return iam.FederatedPrincipal(
        _IDENTITY,
        {
            "StringEquals": {f"{_IDENTITY}:aud": identity_pool_ref},
            "ForAnyValue:StringLike": {f"{_IDENTITY}:amr": amr},
        },
        "sts:AssumeRoleWithWebIdentity",
    )


class AmplifyAuth(Construct):
    """A Cognito user pool, web client, identity pool, roles and groups, configured like Amplify's."""

    def __init__(self, scope: Construct, id: str, props: AuthProps | None = None) -> None:
        super().__init__(scope, id)
        props = props or AuthProps()
        self.props = props
        self._name = props.name or ""
        self.preferred_challenge = props.preferred_challenge
        login = props.login_with
        email_on, phone_on = bool(login.email), bool(login.phone)
        if not email_on and not phone_on:
            raise ValueError("At least one of email or phone must be enabled.")

        self._kms_key = self._custom_sender_key(props)
        self.user_pool = cognito.UserPool(self, f"{self._name}UserPool", **self._user_pool_props(props))
        self._order_schema(props)

        for kind, sender in (("email", props.email_sender), ("sms", props.sms_sender)):
            if isinstance(sender, CustomSenderProps) and self._kms_key is not None:
                self._kms_key.grant_decrypt(sender.handler)
                self._kms_key.grant_encrypt(sender.handler)
                self.user_pool.add_trigger(cognito.UserPoolOperation.of(defaults.SENDER_EVENTS[kind]), sender.handler)

        oauth_mappings, oauth_settings = self._external_providers(login.external_providers, email_on, phone_on)

        self.user_pool_client = cognito.UserPoolClient(
            self,
            f"{self._name}UserPoolAppClient",
            user_pool=self.user_pool,
            auth_flows=cognito.AuthFlow(**defaults.AUTH_FLOWS),
            prevent_user_existence_errors=defaults.PREVENT_USER_EXISTENCE_ERRORS,
            o_auth=oauth_settings,
        )
        cfn_client = self.user_pool_client.node.default_child
        if self._passwordless(props):
            cfn_client.explicit_auth_flows = [*(cfn_client.explicit_auth_flows or []), "ALLOW_USER_AUTH"]

        identity_pool, attachment, auth_role, unauth_role = self._identity_pool(oauth_mappings)
        groups = self._groups(props.groups, identity_pool)

        for operation, fn in props.triggers.items():
            self.user_pool.add_trigger(cognito.UserPoolOperation.of(operation), fn)

        self.resources = AuthResources(
            user_pool=self.user_pool,
            user_pool_client=self.user_pool_client,
            identity_pool=identity_pool,
            identity_pool_id=identity_pool.ref,
            authenticated_user_iam_role=auth_role,
            unauthenticated_user_iam_role=unauth_role,
            cfn_resources=AuthCfnResources(
                cfn_user_pool=self.user_pool.node.default_child,
                cfn_user_pool_client=cfn_client,
                cfn_identity_pool=identity_pool,
                cfn_identity_pool_role_attachment=attachment,
            ),
            groups=groups,
        )
        if props.store_outputs:
            store_outputs(self)

    # ------------------------------------------------------------------ user pool

    @staticmethod
    def _passwordless(props: AuthProps) -> dict[str, bool] | None:
        login = props.login_with
        email_otp = isinstance(login.email, EmailLoginProps) and login.email.otp_login
        sms_otp = isinstance(login.phone, PhoneLoginProps) and login.phone.otp_login
        passkey = bool(login.web_authn)
        if not (email_otp or sms_otp or passkey):
            return None
        return {"password": True, "email_otp": bool(email_otp), "sms_otp": bool(sms_otp), "passkey": passkey}

    def _custom_sender_key(self, props: AuthProps) -> kms.IKey | None:
        email = props.email_sender if isinstance(props.email_sender, CustomSenderProps) else None
        sms = props.sms_sender if isinstance(props.sms_sender, CustomSenderProps) else None
        if email is None and sms is None:
            return None
        if email and sms and email.kms_key_arn and sms.kms_key_arn and email.kms_key_arn != sms.kms_key_arn:
            raise ValueError("KMS key ARN must be the same for both email and sms senders")
        arn = (sms.kms_key_arn if sms else None) or (email.kms_key_arn if email else None)
        if arn:
            return kms.Key.from_key_arn(self, f"{self._name}CustomSenderKey", arn)
        handler = (sms or email).handler
        # Amplify places the key in the handler's stack.
        return kms.Key(handler.stack, f"{self._name}CustomSenderKey", enable_key_rotation=True)

    def _relying_party_id(self, value: str) -> str:
        if value != "AUTO":
            return value
        deployment = self.node.try_get_context(CONTEXT_DEPLOYMENT_TYPE)
        if deployment == "branch":
            app_id = self.node.try_get_context(CONTEXT_BACKEND_NAMESPACE)
            branch = self.node.try_get_context(CONTEXT_BACKEND_NAME)
            if app_id and branch:
                return f"{branch}.{app_id}.amplifyapp.com"
        if deployment == "standalone":
            raise ValueError(
                'WebAuthn relyingPartyId "AUTO" is not supported for standalone deployments because there is no '
                "Amplify Hosting domain to resolve against. Set an explicit relying_party_id matching your hosting domain."
            )
        return "localhost"

    def _user_pool_props(self, props: AuthProps) -> dict[str, Any]:
        login = props.login_with
        email_on, phone_on = bool(login.email), bool(login.phone)
        verification: dict[str, Any] = {}
        if isinstance(login.email, EmailLoginProps):
            style = login.email.verification_email_style
            verification.update(
                email_body=login.email.verification_email_body,
                email_style=getattr(cognito.VerificationEmailStyle, style) if style else None,
                email_subject=login.email.verification_email_subject,
            )
        if isinstance(login.phone, PhoneLoginProps):
            verification["sms_message"] = login.phone.verification_message

        mfa = props.multifactor
        mfa_mode = getattr(cognito.Mfa, mfa.mode) if mfa else None
        second = (
            cognito.MfaSecondFactor(sms=mfa.sms, otp=mfa.totp, email=mfa.email) if mfa and mfa.mode != "OFF" else None
        )
        if phone_on and mfa and mfa.mode != "OFF" and not mfa.sms:
            raise ValueError("Invalid MFA settings. SMS must be enabled in multiFactor if loginWith phone is enabled")

        standard: dict[str, Any] = {}
        if email_on:
            standard["email"] = cognito.StandardAttribute(required=True, mutable=True)
        if phone_on:
            standard["phone_number"] = cognito.StandardAttribute(required=True, mutable=True)
        custom: dict[str, Any] = {}
        for key, attr in props.user_attributes.items():
            if key.startswith("custom:"):
                custom[key[len("custom:"):]] = _custom_attribute(attr)
            else:
                standard[key] = cognito.StandardAttribute(mutable=attr.mutable, required=attr.required)

        result: dict[str, Any] = dict(
            sign_in_case_sensitive=defaults.SIGN_IN_CASE_SENSITIVE,
            sign_in_aliases=cognito.SignInAliases(phone=phone_on, email=email_on),
            keep_original=cognito.KeepOriginalAttrs(email=email_on, phone=phone_on),
            auto_verify=cognito.AutoVerifiedAttrs(email=email_on, phone=phone_on),
            user_verification=cognito.UserVerificationConfig(**verification),
            password_policy=cognito.PasswordPolicy(**defaults.PASSWORD_POLICY),
            standard_attributes=cognito.StandardAttributes(**standard),
            custom_attributes=custom,
            self_sign_up_enabled=defaults.ALLOW_SELF_SIGN_UP,
            mfa=mfa_mode,
            mfa_message=mfa.sms_message if mfa and mfa.mode != "OFF" else None,
            mfa_second_factor=second,
            account_recovery=self._account_recovery(props.account_recovery, email_on, phone_on),
            removal_policy=RemovalPolicy.DESTROY,
            custom_sender_kms_key=self._kms_key,
            user_pool_name=props.name or None,
        )
        factors = self._passwordless(props)
        if factors:
            result["sign_in_policy"] = cognito.SignInPolicy(
                allowed_first_auth_factors=cognito.AllowedFirstAuthFactors(**factors)
            )
        if login.web_authn:
            web = login.web_authn if isinstance(login.web_authn, WebAuthnProps) else WebAuthnProps()
            result["passkey_relying_party_id"] = self._relying_party_id(web.relying_party_id)
            result["passkey_user_verification"] = (
                cognito.PasskeyUserVerification.REQUIRED
                if web.user_verification == "required"
                else cognito.PasskeyUserVerification.PREFERRED
            )
        if isinstance(login.email, EmailLoginProps) and login.email.user_invitation:
            inv = login.email.user_invitation
            result["user_invitation"] = cognito.UserInvitationConfig(
                email_subject=inv.email_subject, email_body=inv.email_body, sms_message=inv.sms_message
            )
        if isinstance(props.email_sender, SesEmailSenderProps):
            s = props.email_sender
            result["email"] = cognito.UserPoolEmail.with_ses(
                from_email=s.from_email, from_name=s.from_name, reply_to=s.reply_to, ses_region=Stack.of(self).region
            )
        if isinstance(props.sms_sender, SnsSmsSenderProps):
            s = props.sms_sender
            if bool(s.sns_caller_arn) != bool(s.external_id):
                raise ValueError(
                    "Both externalId and snsCallerArn are required when providing a custom IAM role. Ensure that your "
                    "IAM role trust policy have an sts:ExternalId condition and is equal to the externalId value"
                )
            if s.sns_caller_arn:
                result["sms_role"] = iam.Role.from_role_arn(self, f"{self._name}SmsSenderRole", s.sns_caller_arn)
            result["sms_role_external_id"] = s.external_id
            result["sns_region"] = s.sns_region
            result["enable_sms_role"] = True
        return result

    def _order_schema(self, props: AuthProps) -> None:
        """Schema order as Amplify's: email, phone_number, the definition's standard then custom attributes.

        (jsii passes ``StandardAttributes`` in field order, which would sort them alphabetically.)
        """
        cfn_pool = self.user_pool.node.default_child
        schema = list(cfn_pool.schema or [])
        # email and phone_number always lead (Amplify sets them first, then overlays the definition's attributes).
        wanted: list[str] = ["email", "phone_number"]
        # The user pool lists standard attributes before custom ones.
        wanted += [defaults.STANDARD_ATTRIBUTES[k] for k in props.user_attributes if not k.startswith("custom:")]
        wanted += [k[len("custom:"):] for k in props.user_attributes if k.startswith("custom:")]
        rank = {name: i for i, name in enumerate(dict.fromkeys(wanted))}

        def name_of(entry: Any) -> str:
            return entry["name"] if isinstance(entry, dict) else entry.name

        ordered = sorted(schema, key=lambda entry: rank.get(name_of(entry), len(rank)))
        if ordered != schema:
            cfn_pool.schema = ordered

    @staticmethod
    def _account_recovery(value: str | None, email_on: bool, phone_on: bool) -> cognito.AccountRecovery | None:
        if value is not None:
            return getattr(cognito.AccountRecovery, value)
        if email_on:
            return cognito.AccountRecovery.EMAIL_ONLY
        if phone_on:
            return cognito.AccountRecovery.PHONE_ONLY_WITHOUT_MFA
        return None

    # ------------------------------------------------------------------ external providers

    @staticmethod
    def _attribute_mapping(mapping: Any, email_default: Any) -> cognito.AttributeMapping:
        kwargs: dict[str, Any] = {}
        if email_default is not None:
            kwargs["email"] = email_default
        for key, value in (mapping or {}).items():
            if key == "custom" and isinstance(value, dict):
                kwargs["custom"] = {k: cognito.ProviderAttribute.other(v) for k, v in value.items()}
            elif isinstance(value, str):
                kwargs[key] = cognito.ProviderAttribute.other(value)
        return cognito.AttributeMapping(**kwargs)

    @staticmethod
    def _plain(value: Any) -> Any:
        return value.unsafe_unwrap() if isinstance(value, SecretValue) else value

    def _external_providers(
        self, external: ExternalProvidersProps | None, email_on: bool, phone_on: bool
    ) -> tuple[dict[str, str], cognito.OAuthSettings]:
        flows = cognito.OAuthFlows(**defaults.OAUTH_FLOWS)
        mappings: dict[str, str] = {}
        if external is None:
            return mappings, cognito.OAuthSettings(flows=flows)
        if not external.logout_urls:
            raise ValueError("You must define logoutUrls when configuring external login providers.")
        if not external.callback_urls:
            raise ValueError("You must define callbackUrls when configuring external login providers.")
        map_email = email_on and not phone_on
        pool, n = self.user_pool, self._name
        P = cognito.ProviderAttribute

        if external.google:
            g = external.google
            secret = g.client_secret
            if isinstance(secret, str):
                secret = SecretValue.unsafe_plain_text(secret)
            cognito.UserPoolIdentityProviderGoogle(
                self, f"{n}GoogleIdP", user_pool=pool, client_id=g.client_id, client_secret_value=secret,
                attribute_mapping=self._attribute_mapping(g.attribute_mapping, P.GOOGLE_EMAIL if map_email else None),
                scopes=list(g.scopes) if g.scopes is not None else None,
            )
            mappings[defaults.OAUTH_PROVIDER_DOMAINS["google"]] = g.client_id
        if external.facebook:
            f = external.facebook
            cognito.UserPoolIdentityProviderFacebook(
                self, f"{n}FacebookIDP", user_pool=pool, client_id=f.client_id, client_secret=self._plain(f.client_secret),
                scopes=list(f.scopes) if f.scopes is not None else None, api_version=f.api_version,
                attribute_mapping=self._attribute_mapping(f.attribute_mapping, P.FACEBOOK_EMAIL if map_email else None),
            )
            mappings[defaults.OAUTH_PROVIDER_DOMAINS["facebook"]] = f.client_id
        if external.login_with_amazon:
            a = external.login_with_amazon
            cognito.UserPoolIdentityProviderAmazon(
                self, f"{n}AmazonIDP", user_pool=pool, client_id=a.client_id, client_secret=self._plain(a.client_secret),
                scopes=list(a.scopes) if a.scopes is not None else None,
                attribute_mapping=self._attribute_mapping(a.attribute_mapping, P.AMAZON_EMAIL if map_email else None),
            )
            mappings[defaults.OAUTH_PROVIDER_DOMAINS["login_with_amazon"]] = a.client_id
        if external.sign_in_with_apple:
            a = external.sign_in_with_apple
            key = a.private_key
            cognito.UserPoolIdentityProviderApple(
                self, f"{n}AppleIDP", user_pool=pool, client_id=a.client_id, team_id=a.team_id, key_id=a.key_id,
                # privateKey is deprecated in the CDK; the value renders the same in ProviderDetails.
                private_key_value=SecretValue.unsafe_plain_text(key) if isinstance(key, str) else key,
                scopes=list(a.scopes) if a.scopes is not None else None,
                attribute_mapping=self._attribute_mapping(a.attribute_mapping, P.APPLE_EMAIL if map_email else None),
            )
            mappings[defaults.OAUTH_PROVIDER_DOMAINS["sign_in_with_apple"]] = a.client_id
        for index, o in enumerate(external.oidc):
            method = o.attribute_request_method or defaults.OIDC_ATTRIBUTE_REQUEST_METHOD
            cognito.UserPoolIdentityProviderOidc(
                self, f"{n}{o.name if o.name is not None else index}OidcIDP", user_pool=pool,
                attribute_request_method=getattr(cognito.OidcAttributeRequestMethod, method),
                client_id=o.client_id, client_secret=self._plain(o.client_secret),
                endpoints=cognito.OidcEndpoints(**o.endpoints) if o.endpoints else None,
                identifiers=list(o.identifiers) if o.identifiers is not None else None,
                issuer_url=o.issuer_url, name=o.name,
                scopes=list(o.scopes) if o.scopes is not None else None,
                attribute_mapping=self._attribute_mapping(o.attribute_mapping, P.other("email") if map_email else None),
            )
        if external.saml:
            s = external.saml
            metadata = (
                cognito.UserPoolIdentityProviderSamlMetadata.file(s.metadata_content)
                if s.metadata_type == "FILE"
                else cognito.UserPoolIdentityProviderSamlMetadata.url(s.metadata_content)
            )
            cognito.UserPoolIdentityProviderSaml(
                self, f"{n}SamlIDP", user_pool=pool, metadata=metadata, name=s.name,
                identifiers=list(s.identifiers) if s.identifiers is not None else None, idp_signout=s.idp_signout,
                attribute_mapping=self._attribute_mapping(s.attribute_mapping, None) if s.attribute_mapping else None,
            )
        if not external.domain_prefix:
            raise ValueError("Cognito Domain Prefix is missing when external providers are configured.")
        self.user_pool.add_domain(
            f"{n}UserPoolDomain", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=external.domain_prefix)
        )
        scopes = external.scopes if external.scopes is not None else defaults.OAUTH_SCOPES
        return mappings, cognito.OAuthSettings(
            callback_urls=list(external.callback_urls),
            logout_urls=list(external.logout_urls),
            scopes=[getattr(cognito.OAuthScope, s) for s in scopes],
            flows=flows,
        )

    # ------------------------------------------------------------------ identity pool and groups

    def _identity_pool(
        self, oauth_mappings: dict[str, str]
    ) -> tuple[cognito.CfnIdentityPool, cognito.CfnIdentityPoolRoleAttachment, iam.Role, iam.Role]:
        n = self._name
        region = Stack.of(self).region
        identity_pool = cognito.CfnIdentityPool(
            self, f"{n}IdentityPool", allow_unauthenticated_identities=defaults.ALLOW_UNAUTHENTICATED_IDENTITIES
        )
        auth_role = iam.Role(self, f"{n}authenticatedUserRole", assumed_by=_federated(identity_pool.ref, "authenticated"))
        unauth_role = iam.Role(
            self, f"{n}unauthenticatedUserRole", assumed_by=_federated(identity_pool.ref, "unauthenticated")
        )
        pool_id = self.user_pool.user_pool_id
        client_id = self.user_pool_client.user_pool_client_id
        attachment = cognito.CfnIdentityPoolRoleAttachment(
            self,
            f"{n}IdentityPoolRoleAttachment",
            identity_pool_id=identity_pool.ref,
            roles={"unauthenticated": unauth_role.role_arn, "authenticated": auth_role.role_arn},
            role_mappings={
                "UserPoolWebClientRoleMapping": cognito.CfnIdentityPoolRoleAttachment.RoleMappingProperty(
                    type="Token",
                    ambiguous_role_resolution="AuthenticatedRole",
                    identity_provider=f"cognito-idp.{region}.amazonaws.com/{pool_id}:{client_id}",
                )
            },
        )
        attachment.add_resource_dependency(identity_pool)
        attachment.node.add_dependency(self.user_pool_client)
        identity_pool.cognito_identity_providers = [
            cognito.CfnIdentityPool.CognitoIdentityProviderProperty(
                client_id=client_id, provider_name=f"cognito-idp.{region}.amazonaws.com/{pool_id}"
            )
        ]
        identity_pool.supported_login_providers = oauth_mappings
        return identity_pool, attachment, auth_role, unauth_role

    def _groups(self, names: tuple[str, ...], identity_pool: cognito.CfnIdentityPool) -> dict[str, UserPoolGroup]:
        groups: dict[str, UserPoolGroup] = {}
        for index, group in enumerate(names):
            role = iam.Role(self, f"{self._name}{group}GroupRole", assumed_by=_federated(identity_pool.ref, "authenticated"))
            cfn_group = cognito.CfnUserPoolGroup(
                self,
                f"{self._name}{group}Group",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=group,
                role_arn=role.role_arn,
                precedence=index,
            )
            groups[group] = UserPoolGroup(cfn_user_group=cfn_group, role=role)
        return groups
