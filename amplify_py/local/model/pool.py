"""Deployed user pools, app clients and groups: read-only views over their stored, resolved properties.

The deployer (``local.deployer``) writes these from a template; everything else reads them through the
properties here, so a CloudFormation property and its Cognito default are spelled once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Pool", "Client", "Group", "SchemaAttribute", "STANDARD_ATTRIBUTES", "POOL", "CLIENT", "GROUP", "DOMAIN",
           "IDP", "IDENTITY_POOL", "ROLE_ATTACHMENT", "RESOURCE_SERVER", "RESOURCE_TYPES"]

POOL = "AWS::Cognito::UserPool"
CLIENT = "AWS::Cognito::UserPoolClient"
GROUP = "AWS::Cognito::UserPoolGroup"
DOMAIN = "AWS::Cognito::UserPoolDomain"
IDP = "AWS::Cognito::UserPoolIdentityProvider"
IDENTITY_POOL = "AWS::Cognito::IdentityPool"
ROLE_ATTACHMENT = "AWS::Cognito::IdentityPoolRoleAttachment"
RESOURCE_SERVER = "AWS::Cognito::UserPoolResourceServer"
RESOURCE_TYPES = (POOL, IDP, RESOURCE_SERVER, CLIENT, GROUP, DOMAIN, IDENTITY_POOL, ROLE_ATTACHMENT)
"""The types the engine deploys, in the order it creates them."""

# Cognito's standard attributes and their types (all mutable except sub).
STANDARD_ATTRIBUTES: dict[str, str] = {
    **{
        name: "String"
        for name in (
            "address", "birthdate", "email", "family_name", "gender", "given_name", "locale",
            "middle_name", "name", "nickname", "phone_number", "picture", "preferred_username",
            "profile", "zoneinfo", "website", "sub",
        )
    },
    "updated_at": "Number",
    "email_verified": "Boolean",
    "phone_number_verified": "Boolean",
}


@dataclass(frozen=True)
class SchemaAttribute:
    name: str
    data_type: str
    mutable: bool = True
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None


class Pool:
    """A deployed user pool: its id, resolved properties and raw LambdaConfig."""

    def __init__(self, pool_id: str, deployment: str, logical_id: str, config: dict) -> None:
        self.id = pool_id
        self.deployment = deployment
        self.logical_id = logical_id
        self.props: dict = config["props"]
        self.raw_lambda_config: dict = config.get("raw_lambda_config", {})
        self.created: float = config.get("created", 0.0)
        self.region = pool_id.split("_", 1)[0]
        self._schema: dict[str, SchemaAttribute] | None = None

    # --- sign-in identifiers ----------------------------------------------
    @property
    def username_attributes(self) -> list[str]:
        return list(self.props.get("UsernameAttributes") or [])

    @property
    def alias_attributes(self) -> list[str]:
        return list(self.props.get("AliasAttributes") or [])

    @property
    def case_sensitive(self) -> bool:
        return bool((self.props.get("UsernameConfiguration") or {}).get("CaseSensitive", True))

    # --- schema -----------------------------------------------------------
    def schema(self) -> dict[str, SchemaAttribute]:
        """Every attribute the pool knows, by full name (a copy: the pool is shared by requests)."""
        if self._schema is None:
            self._schema = self._read_schema()
        return dict(self._schema)

    def _read_schema(self) -> dict[str, SchemaAttribute]:
        out = {name: SchemaAttribute(name, t, mutable=name != "sub", required=name == "sub")
               for name, t in STANDARD_ATTRIBUTES.items()}
        for item in self.props.get("Schema") or []:
            name = item["Name"]
            full = name if name in STANDARD_ATTRIBUTES else f"custom:{name}"
            base = out.get(full)
            s = item.get("StringAttributeConstraints") or {}
            n = item.get("NumberAttributeConstraints") or {}
            out[full] = SchemaAttribute(
                full,
                item.get("AttributeDataType") or (base.data_type if base else "String"),
                mutable=bool(item.get("Mutable", True)),
                required=bool(item.get("Required", False)),
                min_length=_num(s.get("MinLength"), int),
                max_length=_num(s.get("MaxLength"), int),
                min_value=_num(n.get("MinValue"), float),
                max_value=_num(n.get("MaxValue"), float),
            )
        return out

    # --- policies ---------------------------------------------------------
    @property
    def password_policy(self) -> dict:
        policy = (self.props.get("Policies") or {}).get("PasswordPolicy") or {}
        return {
            "MinimumLength": int(policy.get("MinimumLength", 8)),
            "RequireLowercase": bool(policy.get("RequireLowercase", True)),
            "RequireUppercase": bool(policy.get("RequireUppercase", True)),
            "RequireNumbers": bool(policy.get("RequireNumbers", True)),
            "RequireSymbols": bool(policy.get("RequireSymbols", True)),
            "TemporaryPasswordValidityDays": int(policy.get("TemporaryPasswordValidityDays", 7)),
        }

    @property
    def first_factors(self) -> list[str]:
        policy = (self.props.get("Policies") or {}).get("SignInPolicy") or {}
        return list(policy.get("AllowedFirstAuthFactors") or ["PASSWORD"])

    @property
    def web_authn_relying_party_id(self) -> str | None:
        """WebAuthnRelyingPartyID as deployed (define_auth resolves Amplify's AUTO, to localhost in a sandbox)."""
        return self.props.get("WebAuthnRelyingPartyID") or None

    @property
    def web_authn_user_verification(self) -> str:
        """WebAuthnUserVerification: "required" or Cognito's default "preferred"."""
        return self.props.get("WebAuthnUserVerification") or "preferred"

    @property
    def auto_verified(self) -> list[str]:
        return list(self.props.get("AutoVerifiedAttributes") or [])

    @property
    def verify_before_update(self) -> list[str]:
        settings = self.props.get("UserAttributeUpdateSettings") or {}
        return list(settings.get("AttributesRequireVerificationBeforeUpdate") or [])

    @property
    def mfa_configuration(self) -> str:
        return self.props.get("MfaConfiguration") or "OFF"

    @property
    def enabled_mfas(self) -> list[str]:
        if self.mfa_configuration == "OFF":
            return []
        return list(self.props.get("EnabledMfas") or ["SMS_MFA"])

    # --- devices (DeviceConfiguration) ---------------------------------------
    @property
    def tracks_devices(self) -> bool:
        """Any DeviceConfiguration property turns device tracking on (Cognito: "When you provide a value for
        any property of DeviceConfiguration, you activate the device remembering")."""
        return bool(self.props.get("DeviceConfiguration"))

    @property
    def challenge_required_on_new_device(self) -> bool:
        """True: a remembered device signs in with device authentication instead of SMS and TOTP MFA."""
        return bool((self.props.get("DeviceConfiguration") or {}).get("ChallengeRequiredOnNewDevice", False))

    @property
    def device_only_remembered_on_user_prompt(self) -> bool:
        """True: ConfirmDevice leaves the device not remembered until UpdateDeviceStatus says so."""
        return bool((self.props.get("DeviceConfiguration") or {}).get("DeviceOnlyRememberedOnUserPrompt", False))

    @property
    def recovery_mechanisms(self) -> list[str]:
        setting = self.props.get("AccountRecoverySetting") or {}
        mechanisms = sorted(setting.get("RecoveryMechanisms") or [], key=lambda m: m.get("Priority", 0))
        if not setting:
            return ["verified_phone_number", "verified_email"]
        return [m["Name"] for m in mechanisms]

    @property
    def admin_create_only(self) -> bool:
        return bool((self.props.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly", False))

    # --- messages ---------------------------------------------------------
    def verification_message(self) -> tuple[str, str, str]:
        """(email subject, email body, sms body) for sign-up, attribute and reset codes."""
        tpl = self.props.get("VerificationMessageTemplate") or {}
        subject = tpl.get("EmailSubject") or self.props.get("EmailVerificationSubject") or "Your verification code"
        body = tpl.get("EmailMessage") or self.props.get("EmailVerificationMessage") or "Your verification code is {####}. "
        sms = tpl.get("SmsMessage") or self.props.get("SmsVerificationMessage") or "Your verification code is {####}. "
        return subject, body, sms

    def authentication_message(self) -> tuple[str, str, str]:
        """(email subject, email body, sms body) for MFA and one-time sign-in codes."""
        sms = self.props.get("SmsAuthenticationMessage") or "Your authentication code is {####}. "
        email_mfa = self.props.get("EmailAuthenticationMessage") or "Your authentication code is {####}. "
        subject = self.props.get("EmailAuthenticationSubject") or "Your authentication code"
        return subject, email_mfa, sms

    def invitation_message(self) -> tuple[str, str, str]:
        tpl = (self.props.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
        default = "Your username is {username} and temporary password is {####}. "
        return (
            tpl.get("EmailSubject") or "Your temporary password",
            tpl.get("EmailMessage") or default,
            tpl.get("SMSMessage") or default,
        )

    def describe(self) -> dict:
        """The DescribeUserPool shape (the fields a client or test reads)."""
        schema = []
        for attr in self.schema().values():
            item: dict[str, Any] = {
                "Name": attr.name, "AttributeDataType": attr.data_type, "DeveloperOnlyAttribute": False,
                "Mutable": attr.mutable, "Required": attr.required,
            }
            if attr.data_type == "String":
                item["StringAttributeConstraints"] = {
                    "MinLength": str(attr.min_length if attr.min_length is not None else 0),
                    "MaxLength": str(attr.max_length if attr.max_length is not None else 2048),
                }
            if attr.data_type == "Number" and (attr.min_value is not None or attr.max_value is not None):
                item["NumberAttributeConstraints"] = {
                    k: str(int(v)) for k, v in (("MinValue", attr.min_value), ("MaxValue", attr.max_value)) if v is not None
                }
            schema.append(item)
        out = {
            "Id": self.id,
            "Name": self.props.get("UserPoolName") or self.logical_id,
            "Arn": f"arn:aws:cognito-idp:{self.region}:000000000000:userpool/{self.id}",
            "Policies": {"PasswordPolicy": self.password_policy,
                         "SignInPolicy": {"AllowedFirstAuthFactors": self.first_factors}},
            "SchemaAttributes": schema,
            "AutoVerifiedAttributes": self.auto_verified,
            "MfaConfiguration": self.mfa_configuration,
            "CreationDate": self.created,
            "LastModifiedDate": self.created,
            "LambdaConfig": self.props.get("LambdaConfig") or {},
            "AdminCreateUserConfig": self.props.get("AdminCreateUserConfig") or {"AllowAdminCreateUserOnly": False},
            "UsernameConfiguration": {"CaseSensitive": self.case_sensitive},
            "DeletionProtection": self.props.get("DeletionProtection") or "INACTIVE",
        }
        for key in ("UsernameAttributes", "AliasAttributes", "VerificationMessageTemplate",
                    "UserAttributeUpdateSettings", "AccountRecoverySetting", "EmailVerificationMessage",
                    "EmailVerificationSubject", "SmsVerificationMessage", "SmsAuthenticationMessage",
                    "EmailConfiguration", "SmsConfiguration", "UserPoolTags", "DeviceConfiguration"):
            if self.props.get(key) is not None:
                out[key] = self.props[key]
        return out


class Client:
    """A deployed app client."""

    def __init__(self, client_id: str, deployment: str, logical_id: str, config: dict) -> None:
        self.id = client_id
        self.deployment = deployment
        self.logical_id = logical_id
        self.props: dict = config["props"]
        self.pool_id: str = self.props["UserPoolId"]
        self.secret: str | None = config.get("secret")
        self.created: float = config.get("created", 0.0)

    @property
    def auth_flows(self) -> list[str]:
        flows = self.props.get("ExplicitAuthFlows")
        if not flows:
            return ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        return list(flows)

    @property
    def prevent_user_existence_errors(self) -> bool:
        return self.props.get("PreventUserExistenceErrors", "ENABLED") == "ENABLED"

    def validity_seconds(self, which: str) -> int:
        """Token validity from the client's settings; Cognito's defaults 60 min / 60 min / 30 days."""
        defaults = {"AccessToken": (60, "minutes"), "IdToken": (60, "minutes"), "RefreshToken": (30, "days")}
        default_units = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}
        value = self.props.get(f"{which}Validity")
        if value is None:
            value, unit = defaults[which]
        else:
            unit = (self.props.get("TokenValidityUnits") or {}).get(which, default_units[which])
        scale = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}[unit]
        return int(value) * scale

    # --- OAuth 2.0 (managed login and the /oauth2 endpoints) ---------------
    @property
    def oauth_enabled(self) -> bool:
        """AllowedOAuthFlowsUserPoolClient: the client may use the OAuth endpoints at all."""
        return bool(self.props.get("AllowedOAuthFlowsUserPoolClient"))

    @property
    def oauth_flows(self) -> list[str]:
        return list(self.props.get("AllowedOAuthFlows") or [])

    @property
    def oauth_scopes(self) -> list[str]:
        return list(self.props.get("AllowedOAuthScopes") or [])

    @property
    def callback_urls(self) -> list[str]:
        return list(self.props.get("CallbackURLs") or [])

    @property
    def logout_urls(self) -> list[str]:
        return list(self.props.get("LogoutURLs") or [])

    @property
    def identity_providers(self) -> list[str]:
        """SupportedIdentityProviders: "COGNITO" (the pool's own users) and provider names."""
        return list(self.props.get("SupportedIdentityProviders") or [])

    @property
    def auth_session_seconds(self) -> int:
        return int(self.props.get("AuthSessionValidity", 3)) * 60

    def describe(self) -> dict:
        out = {
            "UserPoolId": self.pool_id,
            "ClientName": self.props.get("ClientName") or self.logical_id,
            "ClientId": self.id,
            "ExplicitAuthFlows": self.auth_flows,
            "PreventUserExistenceErrors": "ENABLED" if self.prevent_user_existence_errors else "LEGACY",
            "EnableTokenRevocation": bool(self.props.get("EnableTokenRevocation", True)),
            "AccessTokenValidity": self.validity_seconds("AccessToken") // 60,
            "IdTokenValidity": self.validity_seconds("IdToken") // 60,
            "RefreshTokenValidity": self.validity_seconds("RefreshToken") // 86400 or 1,
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
            "AuthSessionValidity": self.auth_session_seconds // 60,
            "CreationDate": self.created,
            "LastModifiedDate": self.created,
        }
        if self.secret:
            out["ClientSecret"] = self.secret
        for key in ("AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient", "CallbackURLs",
                    "LogoutURLs", "SupportedIdentityProviders", "ReadAttributes", "WriteAttributes"):
            if self.props.get(key) is not None:
                out[key] = self.props[key]
        return out


@dataclass(frozen=True)
class Group:
    """A deployed group (its name is its physical id)."""

    name: str
    pool_id: str
    description: str | None = None
    precedence: int | None = None
    role_arn: str | None = None

    @classmethod
    def from_props(cls, props: dict) -> "Group":
        precedence = props.get("Precedence")
        return cls(str(props.get("GroupName") or ""), str(props.get("UserPoolId") or ""), props.get("Description"),
                   None if precedence is None else int(precedence), props.get("RoleArn"))

    def to_group_type(self) -> dict:
        """Cognito's GroupType."""
        out: dict = {"GroupName": self.name, "UserPoolId": self.pool_id}
        for key, value in (("Description", self.description), ("Precedence", self.precedence),
                           ("RoleArn", self.role_arn)):
            if value is not None:
                out[key] = value
        return out


def _num(value: Any, kind: type) -> Any:
    return None if value in (None, "") else kind(value)
