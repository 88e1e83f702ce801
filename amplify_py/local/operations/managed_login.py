"""Managed login (Cognito's hosted UI): each page's form, driven through the same sign-in, sign-up and
password operations as the API, and finished by the authorize flow (a code or tokens back to the app).

Every function takes the authorize request the page carries and the submitted form, re-checks the request
(client, redirect URI, scopes), and answers with the next page or a redirect. Cognito's errors show on the
page that caused them, next to the field they are about.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from amplify_py.local.context import EngineContext
from amplify_py.local.errors import CognitoError
from amplify_py.local.model.oauth import AuthorizeRequest
from amplify_py.local.model.pool import Pool
from amplify_py.local.model.session import ConfirmedSession
from amplify_py.local.operations import mfa, passwords, sign_in, sign_up
from amplify_py.local.operations import _sign_in_steps as steps
from amplify_py.local.operations.oauth import Outcome, Page, checked_request, finish_sign_in
from amplify_py.local.rules import directory, federation, sessions
from amplify_py.local.rules.clients import secret_hash

__all__ = ["sign_in_page", "sign_in_with_password", "sign_up_page", "sign_up_user", "confirm_sign_up",
           "forgot_password_page", "forgot_password", "confirm_forgot_password", "answer_challenge",
           "choose_mfa_setup", "verify_totp_setup", "MFA_LABELS"]

MFA_LABELS = {"SMS_MFA": "Text message (SMS)", "SOFTWARE_TOKEN_MFA": "Authenticator app", "EMAIL_OTP": "Email"}
_CODE_PROMPTS = {"SMS_MFA": "the code we sent by text message", "EMAIL_OTP": "the code we sent by email",
                 "SOFTWARE_TOKEN_MFA": "the code from your authenticator app"}
_SIGNED_IN = "_signed_in"


class _Flow:
    """One page's request: its pool, client, granted scopes and the authorize parameters it carries."""

    def __init__(self, ctx: EngineContext, request: AuthorizeRequest) -> None:
        self.ctx, self.request = ctx, request
        self.pool, self.client, self.scopes = checked_request(ctx, request)

    def sign_in(self) -> steps.SignIn:
        return steps.SignIn(self.ctx, self.pool, self.client, finish=lambda user: {_SIGNED_IN: user})

    def page(self, template: str, status: int = 200, **context: Any) -> Page:
        return Page(template, {"client_name": self.client.props.get("ClientName") or self.client.id, **context},
                    status)

    def hash(self, username: str) -> str | None:
        return secret_hash(self.client, username)

    def next(self, result: dict, username: str) -> Outcome:
        """The page for what the sign-in steps answered: a challenge, or done (back to the app)."""
        if _SIGNED_IN in result:
            return finish_sign_in(self.ctx, self.pool, self.client, self.request, self.scopes, result[_SIGNED_IN],
                                  new_session=True)
        name, session = result.get("ChallengeName", ""), result.get("Session", "")
        params = result.get("ChallengeParameters") or {}
        common = {"username": username, "session": session, "challenge": name}
        if name == "NEW_PASSWORD_REQUIRED":
            required = [a.removeprefix("userAttributes.") for a in json.loads(params.get("requiredAttributes") or "[]")]
            return self.page("new_password", required=required, **common)
        if name == "SELECT_MFA_TYPE":
            choices = json.loads(params.get("MFAS_CAN_CHOOSE") or "[]")
            return self.page("mfa_select", choices=[(c, MFA_LABELS.get(c, c)) for c in choices], **common)
        if name == "MFA_SETUP":
            can = [m for m in json.loads(params.get("MFAS_CAN_SETUP") or "[]") if m in ("SOFTWARE_TOKEN_MFA", "EMAIL_OTP")]
            if len(can) == 1:
                return choose_mfa_setup(self.ctx, self.request, {**common, "mfa": can[0]})
            return self.page("mfa_setup", choices=[(c, MFA_LABELS[c]) for c in can], **common)
        return self.page("mfa_code", destination=params.get("CODE_DELIVERY_DESTINATION"),
                         prompt=_CODE_PROMPTS.get(name, "the code"), **common)


def _flow(ctx: EngineContext, request: AuthorizeRequest) -> _Flow:
    return _Flow(ctx, request)


def _identifier(pool: Pool) -> tuple[str, str, str]:
    """(field name, label, input type) of the name a user signs up and signs in with."""
    names = pool.username_attributes
    if names == ["email"]:
        return "email", "Email address", "email"
    if names == ["phone_number"]:
        return "phone_number", "Phone number", "tel"
    return "username", "Email address or phone number" if names else "Username", "text"


# --- sign in ----------------------------------------------------------------------------
def sign_in_page(ctx: EngineContext, request: AuthorizeRequest, *, error: str | None = None,
                 notice: str | None = None, username: str | None = None, status: int = 200) -> Page:
    f = _flow(ctx, request)
    _name, label, kind = _identifier(f.pool)
    only_pool = request.identity_provider == federation.COGNITO  # identity_provider=COGNITO: no provider buttons
    providers = [] if only_pool else [(p.name, p.type) for p in federation.providers_for(ctx, f.pool, f.client)]
    return f.page("sign_in", status, error=error, notice=notice, username=username or request.login_hint or "",
                  username_label=label, username_type=kind, providers=providers,
                  local=federation.COGNITO in f.client.identity_providers, can_sign_up=not f.pool.admin_create_only)


def sign_in_with_password(ctx: EngineContext, request: AuthorizeRequest, form: Mapping[str, str]) -> Outcome:
    f = _flow(ctx, request)
    username, password = form.get("username", "").strip(), form.get("password", "")
    if not username or not password:
        return sign_in_page(ctx, request, error="Enter your user name and password.", username=username, status=400)
    try:
        result = sign_in.sign_in_with_password(f.sign_in(), username, password)
    except CognitoError as exc:
        if exc.name == "UserNotConfirmedException":
            return _send_confirmation(f, username, exc.message)
        if exc.name == "PasswordResetRequiredException":
            return forgot_password(ctx, request, {"username": username}, notice=exc.message)
        return sign_in_page(ctx, request, error=exc.message, username=username, status=400)
    return f.next(result, username)


# --- sign up and confirm ------------------------------------------------------------------
def _sign_up_fields(pool: Pool, form: Mapping[str, str]) -> list[dict[str, str]]:
    name, label, kind = _identifier(pool)
    fields = [{"name": name, "label": label, "type": kind, "value": form.get(name, "")}]
    for attr in pool.schema().values():
        if attr.required and attr.name not in ("sub", name):
            key = f"attributes.{attr.name}"
            fields.append({"name": key, "label": attr.name.removeprefix("custom:").replace("_", " ").capitalize(),
                           "type": {"email": "email", "phone_number": "tel"}.get(attr.name, "text"),
                           "value": form.get(key, "")})
    return fields


def sign_up_page(ctx: EngineContext, request: AuthorizeRequest, form: Mapping[str, str] | None = None, *,
                 error: str | None = None, error_field: str | None = None, status: int = 200) -> Page:
    f = _flow(ctx, request)
    return f.page("sign_up", status, fields=_sign_up_fields(f.pool, form or {}), error=error, error_field=error_field,
                  policy=f.pool.password_policy)


def sign_up_user(ctx: EngineContext, request: AuthorizeRequest, form: Mapping[str, str]) -> Outcome:
    f = _flow(ctx, request)
    name, _label, _kind = _identifier(f.pool)
    username, password = form.get(name, "").strip(), form.get("password", "")
    attributes = [{"Name": k.removeprefix("attributes."), "Value": v.strip()} for k, v in form.items()
                  if k.startswith("attributes.") and v.strip()]
    if name in ("email", "phone_number"):
        attributes.append({"Name": name, "Value": username})
    try:
        out = sign_up.sign_up(ctx, {"ClientId": f.client.id, "Username": username, "Password": password,
                                    "UserAttributes": attributes, "SecretHash": f.hash(username)})
    except CognitoError as exc:
        field = "password" if exc.name == "InvalidPasswordException" else name
        return sign_up_page(ctx, request, form, error=exc.message, error_field=field, status=400)
    if out["UserConfirmed"]:
        return sign_in_with_password(ctx, request, {"username": username, "password": password})
    return _confirm_page(f, username, out.get("CodeDeliveryDetails"))


def _confirm_page(f: _Flow, username: str, delivery: Mapping[str, str] | None, *, error: str | None = None,
                  notice: str | None = None, status: int = 200) -> Page:
    return f.page("confirm", status, username=username, error=error, notice=notice,
                  destination=(delivery or {}).get("Destination"), medium=(delivery or {}).get("DeliveryMedium"))


def _send_confirmation(f: _Flow, username: str, notice: str | None = None) -> Page:
    try:
        out = sign_up.resend_confirmation_code(f.ctx, {"ClientId": f.client.id, "Username": username,
                                                       "SecretHash": f.hash(username)})
    except CognitoError as exc:
        return _confirm_page(f, username, None, error=exc.message, status=400)
    return _confirm_page(f, username, out.get("CodeDeliveryDetails"), notice=notice)


def confirm_sign_up(ctx: EngineContext, request: AuthorizeRequest, form: Mapping[str, str]) -> Outcome:
    """The sign-up code; a confirmed user is signed in (MFA still asked for) and goes back to the app."""
    f = _flow(ctx, request)
    username = form.get("username", "")
    if form.get("action") == "resend":
        return _send_confirmation(f, username, "We sent you a new code.")
    try:
        out = sign_up.confirm_sign_up(ctx, {"ClientId": f.client.id, "Username": username,
                                            "ConfirmationCode": form.get("code", "").strip(),
                                            "SecretHash": f.hash(username)})
        session = sessions.load(ctx, out["Session"], f.client)
        sessions.end(ctx, out["Session"])
        user = directory.get_user(ctx, f.pool, session.username)
        if not isinstance(session, ConfirmedSession) or user is None:
            raise CognitoError("NotAuthorizedException", sessions.INVALID)
        result = steps.after_first_factor(f.sign_in(), user)
    except CognitoError as exc:
        return _confirm_page(f, username, None, error=exc.message, status=400)
    return f.next(result, username)


# --- forgotten password -----------------------------------------------------------------
def forgot_password_page(ctx: EngineContext, request: AuthorizeRequest, *, error: str | None = None,
                         username: str = "", status: int = 200) -> Page:
    f = _flow(ctx, request)
    _name, label, kind = _identifier(f.pool)
    return f.page("forgot", status, error=error, username=username, username_label=label, username_type=kind)


def forgot_password(ctx: EngineContext, request: AuthorizeRequest, form: Mapping[str, str], *,
                    notice: str | None = None) -> Outcome:
    f = _flow(ctx, request)
    username = form.get("username", "").strip()
    try:
        out = passwords.forgot_password(ctx, {"ClientId": f.client.id, "Username": username,
                                              "SecretHash": f.hash(username)})
    except CognitoError as exc:
        return forgot_password_page(ctx, request, error=exc.message, username=username, status=400)
    delivery = out.get("CodeDeliveryDetails") or {}
    return f.page("confirm_forgot", username=username, destination=delivery.get("Destination"), notice=notice,
                  error=None, error_field=None, policy=f.pool.password_policy)


def confirm_forgot_password(ctx: EngineContext, request: AuthorizeRequest, form: Mapping[str, str]) -> Outcome:
    f = _flow(ctx, request)
    username = form.get("username", "")
    try:
        passwords.confirm_forgot_password(ctx, {
            "ClientId": f.client.id, "Username": username, "ConfirmationCode": form.get("code", "").strip(),
            "Password": form.get("password", ""), "SecretHash": f.hash(username)})
    except CognitoError as exc:
        field = "password" if exc.name == "InvalidPasswordException" else "code"
        return f.page("confirm_forgot", 400, username=username, destination=None, notice=None, error=exc.message,
                      error_field=field, policy=f.pool.password_policy)
    return sign_in_page(ctx, request, notice="Your password has been reset. Sign in with your new password.",
                        username=username)


# --- challenges: new password, MFA, MFA setup -----------------------------------------------
def answer_challenge(ctx: EngineContext, request: AuthorizeRequest, form: Mapping[str, str]) -> Outcome:
    """One answer to the challenge the page showed (its session and name travel in hidden fields)."""
    f = _flow(ctx, request)
    name, session, username = form.get("challenge", ""), form.get("session", ""), form.get("username", "")
    if name == "NEW_PASSWORD_REQUIRED":
        responses = {"NEW_PASSWORD": form.get("password", ""),
                     **{f"userAttributes.{k.removeprefix('attributes.')}": v for k, v in form.items()
                        if k.startswith("attributes.")}}
    elif name == "SELECT_MFA_TYPE":
        responses = {"ANSWER": form.get("mfa", "")}
    elif name == "MFA_SETUP":  # the email address of email MFA being set up
        responses = {"EMAIL": form.get("email", "").strip()}
    else:
        responses = {steps.MFA_CODE_KEYS.get(name, "ANSWER"): form.get("code", "").strip()}
    try:
        result = sign_in.answer_challenge(f.sign_in(), name, {"USERNAME": username, **responses}, session)
    except CognitoError as exc:
        return _challenge_error(f, exc, name, form)
    return f.next(result, username)


def _challenge_error(f: _Flow, exc: CognitoError, name: str, form: Mapping[str, str]) -> Page:
    """A wrong answer shows the same page again; a dead session starts the sign-in over."""
    if exc.name == "NotAuthorizedException" and "session" in exc.message.lower():
        return sign_in_page(f.ctx, f.request, error=exc.message, username=form.get("username"), status=400)
    template = {"NEW_PASSWORD_REQUIRED": "new_password", "SELECT_MFA_TYPE": "mfa_select",
                "MFA_SETUP": "email_setup"}.get(name, "mfa_code")
    common = {"username": form.get("username", ""), "session": form.get("session", ""), "challenge": name,
              "error": exc.message}
    if template == "new_password":
        return f.page(template, 400, required=[k.removeprefix("attributes.") for k in form if k.startswith("attributes.")],
                      **common)
    if template == "mfa_select":
        return f.page(template, 400, choices=[(c, MFA_LABELS.get(c, c)) for c in MFA_LABELS], **common)
    if template == "email_setup":
        return f.page(template, 400, **common)
    return f.page(template, 400, destination=form.get("destination"), prompt=_CODE_PROMPTS.get(name, "the code"),
                  **common)


def choose_mfa_setup(ctx: EngineContext, request: AuthorizeRequest, form: Mapping[str, str]) -> Outcome:
    """MFA_SETUP: an authenticator app (AssociateSoftwareToken with the session) or an email address."""
    f = _flow(ctx, request)
    common = {"username": form.get("username", ""), "session": form.get("session", ""), "challenge": "MFA_SETUP"}
    if form.get("mfa") == "EMAIL_OTP":
        return f.page("email_setup", error=None, **common)
    try:
        out = mfa.associate_software_token(ctx, {"Session": common["session"]})
    except CognitoError as exc:
        return sign_in_page(ctx, request, error=exc.message, username=common["username"], status=400)
    return _totp_page(f, out["SecretCode"], {**common, "session": out.get("Session", common["session"])})


def _totp_page(f: _Flow, secret: str, common: dict[str, str], *, error: str | None = None, status: int = 200) -> Page:
    issuer = f.client.props.get("ClientName") or f.pool.props.get("UserPoolName") or "amplify"
    uri = f"otpauth://totp/{quote(issuer)}:{quote(common['username'])}?secret={secret}&issuer={quote(issuer)}"
    return f.page("totp_setup", status, secret=secret, uri=uri, error=error, **common)


def verify_totp_setup(ctx: EngineContext, request: AuthorizeRequest, form: Mapping[str, str]) -> Outcome:
    """VerifySoftwareToken with the MFA_SETUP session, then the MFA_SETUP answer that finishes the sign-in."""
    f = _flow(ctx, request)
    common = {"username": form.get("username", ""), "session": form.get("session", ""), "challenge": "MFA_SETUP"}
    try:
        out = mfa.verify_software_token(ctx, {"Session": common["session"], "UserCode": form.get("code", "").strip()})
        result = sign_in.answer_challenge(f.sign_in(), "MFA_SETUP", {"USERNAME": common["username"]},
                                          out.get("Session", common["session"]))
    except CognitoError as exc:
        if exc.name == "NotAuthorizedException":
            return sign_in_page(ctx, request, error=exc.message, username=common["username"], status=400)
        return _totp_page(f, form.get("secret", ""), common, error=exc.message, status=400)
    return f.next(result, common["username"])
