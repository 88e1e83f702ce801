"""Messages that carry codes: rendered from the pool's templates (or the CustomMessage trigger), delivered
to the outbox, described to the client with Cognito's masked destination.

A pool with a custom sender for the medium (CustomEmailSender, CustomSMSSender) sends nothing itself: as on
AWS, the code goes, encrypted under the pool's KMS key, to the sender function, whose output the console
shows; the outbox gets nothing for that medium (no message exists to record, and no template is rendered).
"""

from __future__ import annotations

import html
from enum import StrEnum
from typing import Any

from amplify_py.local.context import EngineContext
from amplify_py.local.model.code import OneTimeCode
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.user import User
from amplify_py.local.rules import codes, kms, triggers
from amplify_py.local.rules.trigger_events import CODE_PARAMETER, USERNAME_PARAMETER

__all__ = ["MessageKind", "mask_email", "mask_phone", "delivery_details", "deliver_code", "send_verification",
           "disguised_delivery", "verification_disguise", "challenge_delivery_parameters", "render_only"]


class MessageKind(StrEnum):
    """Why a message was sent: the outbox's ``kind`` field, and which template and CustomMessage source apply."""

    SIGN_UP = "SIGN_UP"
    RESEND = "RESEND"
    FORGOT_PASSWORD = "FORGOT_PASSWORD"
    VERIFY_ATTRIBUTE = "VERIFY_ATTRIBUTE"
    UPDATE_ATTRIBUTE = "UPDATE_ATTRIBUTE"
    MFA = "MFA"
    EMAIL_OTP = "EMAIL_OTP"
    SMS_OTP = "SMS_OTP"
    INVITATION = "INVITATION"


_CUSTOM_MESSAGE_SOURCES = {
    MessageKind.SIGN_UP: "CustomMessage_SignUp", MessageKind.RESEND: "CustomMessage_ResendCode",
    MessageKind.FORGOT_PASSWORD: "CustomMessage_ForgotPassword",
    MessageKind.VERIFY_ATTRIBUTE: "CustomMessage_VerifyUserAttribute",
    MessageKind.UPDATE_ATTRIBUTE: "CustomMessage_UpdateUserAttribute", MessageKind.MFA: "CustomMessage_Authentication",
    MessageKind.EMAIL_OTP: "CustomMessage_Authentication", MessageKind.SMS_OTP: "CustomMessage_Authentication",
    MessageKind.INVITATION: "CustomMessage_AdminCreateUser",
}
_AUTHENTICATION = (MessageKind.MFA, MessageKind.EMAIL_OTP, MessageKind.SMS_OTP)
# The custom senders' trigger source suffix (CustomEmailSender_<suffix>, CustomSMSSender_<suffix>) per kind.
_SENDER_SOURCES = {
    MessageKind.SIGN_UP: "SignUp", MessageKind.RESEND: "ResendCode", MessageKind.FORGOT_PASSWORD: "ForgotPassword",
    MessageKind.VERIFY_ATTRIBUTE: "VerifyUserAttribute", MessageKind.UPDATE_ATTRIBUTE: "UpdateUserAttribute",
    MessageKind.MFA: "Authentication", MessageKind.EMAIL_OTP: "Authentication",
    MessageKind.SMS_OTP: "Authentication", MessageKind.INVITATION: "AdminCreateUser",
}


def mask_email(email: str) -> str:
    """Cognito's masked destination, e.g. ``a***@e***``."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def mask_phone(phone: str) -> str:
    """Cognito's masked destination, e.g. ``+*******1234``."""
    return "+" + "*" * max(len(phone) - 5, 0) + phone[-4:]


def delivery_details(attribute: str, destination: str) -> dict[str, str]:
    """Cognito's CodeDeliveryDetails for a message to ``destination``."""
    email = attribute == "email"
    return {"Destination": mask_email(destination) if email else mask_phone(destination),
            "DeliveryMedium": "EMAIL" if email else "SMS", "AttributeName": attribute}


def disguised_delivery(attribute: str, given_name: str) -> dict[str, str]:
    """What Cognito describes for an unknown user under existence-error prevention: a plausible destination
    made from the name the client gave."""
    if attribute == "email":
        return delivery_details("email", given_name if "@" in given_name else "u@example.com")
    return delivery_details("phone_number", given_name if given_name.startswith("+") else "+10000000000")


def verification_disguise(pool: Pool, given_name: str) -> dict[str, str]:
    """CodeDeliveryDetails of a sign-up or reset code for an unknown user (existence errors prevented): the
    medium follows the name's format where the pool verifies that medium, else the pool's verified attributes
    ("determined by the input username format and verification settings of the user pool")."""
    if given_name.startswith("+") and "phone_number" in pool.auto_verified:
        return disguised_delivery("phone_number", given_name)
    if "@" in given_name and "email" in pool.auto_verified:
        return disguised_delivery("email", given_name)
    sms = "phone_number" in pool.auto_verified and "email" not in pool.auto_verified
    return disguised_delivery("phone_number" if sms else "email", given_name)


def render_only(ctx: EngineContext, pool: Pool, user: User, details: dict[str, str], kind: MessageKind,
                ttl: float) -> None:
    """Draw a code and make its message as ``send_verification`` and ``deliver_code`` would for ``details``
    (CodeDeliveryDetails), storing and delivering nothing: the work of a code that is not sent
    (``rules.phantoms``)."""
    code = OneTimeCode.issue(ctx.now(), ttl).code or ""
    medium = details["DeliveryMedium"]
    triggers.custom_sender_configured(ctx, pool, medium)
    subject, email_body, sms_body = pool.verification_message()
    ctx.outbox.rehearse(deployment=pool.deployment, pool_id=pool.id, recipient=details["Destination"],
                        medium=medium, subject=subject if medium == "EMAIL" else None,
                        body=_fill(email_body if medium == "EMAIL" else sms_body, code, user.username) or "",
                        kind=str(kind), now=ctx.now())


def challenge_delivery_parameters(details: dict[str, str]) -> dict[str, str]:
    """CodeDeliveryDetails as a sign-in challenge's parameters."""
    return {"CODE_DELIVERY_DELIVERY_MEDIUM": details["DeliveryMedium"],
            "CODE_DELIVERY_DESTINATION": details["Destination"]}


def deliver_code(ctx: EngineContext, pool: Pool, user: User, attribute: str, code: str, kind: MessageKind,
                 *, destination: str | None = None, client_id: str | None = None,
                 client_metadata: dict | None = None) -> dict[str, str]:
    """Render and deliver ``code`` to the user's email or phone; returns CodeDeliveryDetails."""
    recipient = destination or user.attributes.get(attribute, "")
    medium = "EMAIL" if attribute == "email" else "SMS"
    if triggers.custom_sender_configured(ctx, pool, medium):
        _to_custom_sender(ctx, pool, user, attribute, recipient, code, kind, client_id, client_metadata)
        return delivery_details(attribute, recipient)
    if kind in _AUTHENTICATION:
        subject, email_body, sms_body = pool.authentication_message()
    elif kind == MessageKind.INVITATION:
        subject, email_body, sms_body = pool.invitation_message()
    else:
        subject, email_body, sms_body = pool.verification_message()
    body = _fill(email_body if medium == "EMAIL" else sms_body, code, user.username) or ""
    custom = triggers.custom_message(ctx, pool, user, _CUSTOM_MESSAGE_SOURCES[kind], client_id, client_metadata)
    if custom is not None:
        if medium == "EMAIL":
            subject = custom.email_subject or subject
            body = _fill(custom.email_message, code, user.username) or body
        else:
            body = _fill(custom.sms_message, code, user.username) or body
    ctx.outbox.deliver(
        deployment=pool.deployment, pool_id=pool.id, recipient=recipient, medium=medium,
        subject=subject if medium == "EMAIL" else None, body=body, code=code, kind=str(kind), now=ctx.now(),
    )
    return delivery_details(attribute, recipient)


def _to_custom_sender(ctx: EngineContext, pool: Pool, user: User, attribute: str, recipient: str, code: str,
                      kind: MessageKind, client_id: str | None, client_metadata: dict | None) -> None:
    """The code, encrypted as Cognito encrypts it, to the pool's sender for the medium. A temporary password is
    HTML-escaped first, as Cognito does (its codes have no such characters); ``userAttributes`` names the
    address the code is for (a pending email or phone number before it is verified) and the user's status."""
    medium = "EMAIL" if attribute == "email" else "SMS"
    secret = html.escape(code, quote=False) if kind == MessageKind.INVITATION else code
    attributes = {**user.attributes, attribute: recipient, "cognito:user_status": str(user.status)}
    triggers.custom_sender(ctx, pool, user, medium, f"{triggers.SENDERS[medium]}_{_SENDER_SOURCES[kind]}",
                           code=kms.encrypt_sender_code(ctx, pool, secret), user_attributes=attributes,
                           client_id=client_id, client_metadata=client_metadata)


def send_verification(ctx: EngineContext, pool: Pool, user: User, purpose: str, kind: MessageKind, ttl: float,
                      *, attribute: str | None = None, client_id: str | None = None,
                      client_metadata: dict | None = None) -> dict[str, Any] | None:
    """Issue a stored code for the first auto-verified attribute (or ``attribute``) and deliver it."""
    attrs = {**user.attributes, **user.pending}
    if attribute is None:
        candidates = [a for a in ("phone_number", "email") if a in pool.auto_verified and attrs.get(a)]
        if not candidates:
            return None
        attribute = candidates[0]
    code = codes.issue(ctx, pool, user.username, purpose, ttl)
    return deliver_code(ctx, pool, user, attribute, code, kind, destination=attrs.get(attribute),
                        client_id=client_id, client_metadata=client_metadata)


def _fill(message: str | None, code: str, username: str) -> str | None:
    """Put the code (and, for invitations, the user name) where the template or the trigger left Cognito's
    placeholders."""
    if message is None:
        return None
    return message.replace(CODE_PARAMETER, code).replace(USERNAME_PARAMETER, username)
