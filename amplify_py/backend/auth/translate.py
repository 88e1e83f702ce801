"""Validated definition → ``AuthProps`` (pure: no aws_cdk, no I/O).

Messages are rendered with Cognito's placeholders, secrets and functions are
resolved through the callables the caller passes (the backend knows how).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from amplify_py.backend.auth import defaults
from amplify_py.backend.auth._messages import render_code_message, render_invitation, render_verification_email_body
from amplify_py.backend.auth.props import (
    AuthProps,
    CustomAttributeProps,
    CustomSenderProps,
    EmailLoginProps,
    ExternalProvidersProps,
    LoginWithProps,
    MultifactorProps,
    OidcProviderProps,
    PhoneLoginProps,
    ProviderProps,
    SamlProviderProps,
    SesEmailSenderProps,
    SnsSmsSenderProps,
    StandardAttributeProps,
    UserInvitationProps,
    WebAuthnProps,
)
from amplify_py.backend.auth.types import (
    AttributeMapping,
    AuthConfig,
    CustomAttribute,
    CustomSender,
    EmailLogin,
    PhoneLogin,
    SesEmailSender,
    SmsMfa,
    SnsSmsSender,
    WebAuthn,
)
from amplify_py.backend.secret import Secret

__all__ = ["to_props"]

SecretResolver = Callable[[str], Any]
FunctionResolver = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def to_props(
    config: AuthConfig,
    *,
    resolve_secret: SecretResolver,
    resolve_function: FunctionResolver = _identity,
) -> AuthProps:
    """Translate a validated ``AuthConfig``; ``resolve_secret(name)`` and ``resolve_function(fn)`` supply values."""

    def sec(value: Any) -> Any:
        return resolve_secret(value.name) if isinstance(value, Secret) else value

    login = config.login_with
    senders = config.senders
    return AuthProps(
        login_with=LoginWithProps(
            email=_email(login.email),
            phone=_phone(login.phone),
            web_authn=_web_authn(login.web_authn),
            external_providers=_external(login.external_providers, sec),
        ),
        user_attributes={key: _attribute(value) for key, value in (config.user_attributes or {}).items()},
        multifactor=_multifactor(config),
        account_recovery=config.account_recovery,
        groups=tuple(config.groups or ()),
        email_sender=_sender(senders.email if senders else None, resolve_function),
        sms_sender=_sender(senders.sms if senders else None, resolve_function),
        preferred_challenge=config.passwordless_options.preferred_challenge if config.passwordless_options else None,
        triggers={defaults.TRIGGER_EVENTS[event]: resolve_function(fn) for event, fn in (config.triggers or {}).items()},
        name=config.name or "",
    )


def _text(rendered: Any) -> str:
    if rendered.problem:  # validation reports these first; reaching here means an unvalidated config
        raise ValueError(rendered.problem)
    return rendered.text


def _email(email: Any) -> bool | EmailLoginProps:
    if not isinstance(email, EmailLogin):
        return bool(email)
    body = None
    if email.verification_email_body is not None:
        body = _text(render_verification_email_body(email.verification_email_body, email.verification_email_style))
    invitation = None
    if email.user_invitation is not None:
        inv = email.user_invitation
        invitation = UserInvitationProps(
            email_subject=inv.email_subject,
            email_body=_text(render_invitation(inv.email_body, "email_body")) if inv.email_body else None,
            sms_message=_text(render_invitation(inv.sms_message, "sms_message")) if inv.sms_message else None,
        )
    return EmailLoginProps(
        verification_email_style=email.verification_email_style,
        verification_email_subject=email.verification_email_subject,
        verification_email_body=body,
        user_invitation=invitation,
        otp_login=bool(email.otp_login),
    )


def _phone(phone: Any) -> bool | PhoneLoginProps:
    if not isinstance(phone, PhoneLogin):
        return bool(phone)
    message = None
    if phone.verification_message is not None:
        message = _text(render_code_message(phone.verification_message, "verification_message", "phone"))
    return PhoneLoginProps(verification_message=message, otp_login=bool(phone.otp_login))


def _web_authn(web_authn: Any) -> bool | WebAuthnProps:
    if isinstance(web_authn, WebAuthn):
        return WebAuthnProps(relying_party_id=web_authn.relying_party_id, user_verification=web_authn.user_verification)
    return bool(web_authn)


def _mapping(mapping: AttributeMapping | None) -> dict[str, Any] | None:
    if mapping is None:
        return None
    return mapping.model_dump(exclude_none=True)


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values is not None else None


def _external(external: Any, sec: Callable[[Any], Any]) -> ExternalProvidersProps | None:
    if external is None:
        return None

    def provider(p: Any, **extra: Any) -> ProviderProps | None:
        if p is None:
            return None
        return ProviderProps(
            client_id=sec(p.client_id),
            client_secret=sec(getattr(p, "client_secret", None)),
            scopes=_tuple(p.scopes),
            attribute_mapping=_mapping(p.attribute_mapping),
            **extra,
        )

    apple = external.sign_in_with_apple
    saml = external.saml
    return ExternalProvidersProps(
        callback_urls=tuple(external.callback_urls),
        logout_urls=tuple(external.logout_urls),
        domain_prefix=external.domain_prefix,
        scopes=_tuple(external.scopes),
        google=provider(external.google),
        facebook=provider(external.facebook, api_version=external.facebook.api_version) if external.facebook else None,
        login_with_amazon=provider(external.login_with_amazon),
        sign_in_with_apple=(
            provider(apple, team_id=sec(apple.team_id), key_id=sec(apple.key_id), private_key=sec(apple.private_key))
            if apple
            else None
        ),
        oidc=tuple(
            OidcProviderProps(
                client_id=sec(o.client_id),
                client_secret=sec(o.client_secret),
                issuer_url=o.issuer_url,
                name=o.name,
                scopes=_tuple(o.scopes),
                identifiers=_tuple(o.identifiers),
                attribute_request_method=o.attribute_request_method,
                endpoints=o.endpoints.model_dump() if o.endpoints else None,
                attribute_mapping=_mapping(o.attribute_mapping),
            )
            for o in external.oidc or ()
        ),
        saml=(
            SamlProviderProps(
                metadata_content=saml.metadata.metadata_content,
                metadata_type=saml.metadata.metadata_type,
                name=saml.name,
                identifiers=_tuple(saml.identifiers),
                idp_signout=saml.idp_signout,
                attribute_mapping=_mapping(saml.attribute_mapping),
            )
            if saml
            else None
        ),
    )


def _attribute(value: Any) -> StandardAttributeProps | CustomAttributeProps:
    if isinstance(value, CustomAttribute):
        return CustomAttributeProps(
            data_type=value.data_type,
            mutable=value.mutable,
            min_len=value.min_len,
            max_len=value.max_len,
            min=value.min,
            max=value.max,
        )
    return StandardAttributeProps(mutable=value.mutable, required=value.required)


def _multifactor(config: AuthConfig) -> MultifactorProps | None:
    mfa = config.multifactor
    if mfa is None:
        return None
    sms_message = None
    if isinstance(mfa.sms, SmsMfa):
        sms_message = _text(render_code_message(mfa.sms.sms_message, "sms_message", "MFA"))
    return MultifactorProps(
        mode=mfa.mode, totp=bool(mfa.totp), sms=bool(mfa.sms), email=bool(mfa.email), sms_message=sms_message
    )


def _sender(sender: Any, resolve_function: FunctionResolver) -> Any:
    if sender is None:
        return None
    if isinstance(sender, CustomSender):
        return CustomSenderProps(handler=resolve_function(sender.handler), kms_key_arn=sender.kms_key_arn)
    if isinstance(sender, SesEmailSender):
        return SesEmailSenderProps(from_email=sender.from_email, from_name=sender.from_name, reply_to=sender.reply_to)
    if isinstance(sender, SnsSmsSender):
        return SnsSmsSenderProps(
            external_id=sender.external_id, sns_caller_arn=sender.sns_caller_arn, sns_region=sender.sns_region
        )
    raise TypeError(f"unexpected sender {sender!r}")
