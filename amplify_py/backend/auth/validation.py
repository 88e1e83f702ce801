"""Validate a define_auth definition and report every problem at once.

Two passes: pydantic checks shapes and types (its errors are rewritten with DSL
paths, snake_case hints and "did you mean"), then the semantic checks the
reference construct makes (and a few more) run on the parsed model. Both
passes' problems are raised together as one ``DefinitionError``.
"""

from __future__ import annotations

import copy
import difflib
import re
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from amplify_py.backend.auth import defaults
from amplify_py.backend.auth._messages import (
    Rendered,
    render_code_message,
    render_invitation,
    render_verification_email_body,
)
from amplify_py.backend.auth.types import (
    AuthConfig,
    CustomAttribute,
    CustomSender,
    DslModel,
    EmailLogin,
    PhoneLogin,
    SmsMfa,
    SnsSmsSender,
    StandardAttribute,
)
from amplify_py.errors import REFERENCE_PAGES, DefinitionError, Problem

__all__ = ["validate_auth", "collect_problems", "is_function_like", "camel_to_snake", "domain_prefix_problem"]

_CUSTOM_NAME = re.compile(r"^[^\s]{1,20}$")
_GROUP_NAME = re.compile(r"^[^\s]{1,128}$")
# AWS::Cognito::UserPoolDomain's Domain pattern; Cognito also reserves these words in prefix domains.
_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$")
_DOMAIN_RESERVED = ("aws", "amazon", "cognito")


def domain_prefix_problem(prefix: str) -> str | None:
    """Why Cognito would reject ``prefix`` as a hosted UI domain prefix, or None."""
    if not _DOMAIN_PREFIX.match(prefix):
        return (f"'{prefix}' is not a valid Cognito domain prefix: use 1 to 63 lowercase letters, digits and hyphens, "
                "not starting or ending with a hyphen.")
    reserved = [word for word in _DOMAIN_RESERVED if word in prefix]
    if reserved:
        return f"'{prefix}' is not a valid Cognito domain prefix: it must not contain '{reserved[0]}'."
    return None


_MAX_STRING_LEN = 2048


def camel_to_snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def is_function_like(value: Any) -> bool:
    """A CDK ``IFunction`` (duck-typed, no aws_cdk import) or a definition with ``resolve_function``."""
    return callable(getattr(value, "resolve_function", None)) or hasattr(value, "function_arn")


def validate_auth(data: Mapping[str, Any] | AuthConfig) -> AuthConfig:
    """Parse and check a definition; raise ``DefinitionError`` listing every problem."""
    config, problems = collect_problems(data)
    if problems:
        raise DefinitionError("define_auth", problems)
    assert config is not None
    return config


def collect_problems(data: Mapping[str, Any] | AuthConfig) -> tuple[AuthConfig | None, list[Problem]]:
    if isinstance(data, AuthConfig):
        config = data
    else:
        try:
            config = AuthConfig.model_validate(dict(data))
        except ValidationError as exc:
            problems = _problems_from_pydantic(exc)
            return None, problems + _semantic_problems_of_valid_parts(dict(data), exc, problems)
    return config, _semantic_problems(config)


_INDEPENDENT = ("user_attributes", "groups", "triggers", "senders")


def _semantic_problems_of_valid_parts(data: dict[str, Any], exc: ValidationError, known: list[Problem]) -> list[Problem]:
    """Also report the semantic problems of the parts that did parse, so one run shows everything.

    Failing entries are dropped (a failing user attribute drops only itself); checks that
    depend on login_with run only if login_with itself parsed.
    """
    partial = copy.deepcopy({k: v for k, v in data.items() if k in AuthConfig.model_fields})
    errors = exc.errors(include_url=False)
    # An unknown key only hides the checks of its parent: drop the key, keep the parent.
    for error in errors:
        if error["type"] == "extra_forbidden":
            _drop_key(partial, error["loc"])
    for error in errors:
        if error["type"] == "extra_forbidden":
            continue
        loc = error["loc"]
        top = loc[0] if loc else None
        if top in ("user_attributes", "triggers") and len(loc) > 1 and isinstance(partial.get(top), Mapping):
            partial[top] = {k: v for k, v in partial[top].items() if k != loc[1]}
        else:
            partial.pop(top, None)
    login_ok = "login_with" in partial
    if not login_ok:
        partial["login_with"] = {"email": True}
    try:
        config = AuthConfig.model_validate(partial)
    except ValidationError:
        return []
    problems = _semantic_problems(config) if login_ok else _independent_problems(config)
    seen = {p.path for p in known}
    return [p for p in problems if p.path not in seen]


def _drop_key(data: Any, loc: tuple[Any, ...]) -> None:
    """Remove the value at ``loc`` (a pydantic location, possibly with union markers) if present."""
    node = data
    for part in loc[:-1]:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
    if isinstance(node, dict):
        node.pop(loc[-1], None)


# ---------------------------------------------------------------- pydantic errors

_MEMBER = re.compile(r"^(literal|function-|is-instance|json-or-python|lax-or-strict|chain|list|dict|union)\b|\[")
_PRIMITIVES = {"bool", "str", "int", "float", "none"}


def _model_names() -> set[str]:
    seen: set[str] = set()
    stack = [DslModel]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            seen.add(sub.__name__)
            stack.append(sub)
    return seen


def _is_member_marker(loc: tuple[Any, ...], i: int, model_names: set[str]) -> bool:
    part = loc[i]
    if not isinstance(part, str):
        return False
    if part in model_names or part in _PRIMITIVES or _MEMBER.search(part):
        return True
    # discriminated-union tags
    if part in ("standard", "custom") and i >= 2 and loc[i - 2] == "user_attributes":
        return True
    if part in ("service", "custom") and i >= 2 and loc[i - 2] == "senders":
        return True
    return False


def _format_path(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif text:
            text += f".{part}"
        else:
            text = str(part)
    return text


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """DslModel classes reachable in an annotation (through Optional/Union/Annotated/list/dict)."""
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, DslModel):
        return [annotation]
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _parent_models(parts: list[Any]) -> list[type[BaseModel]]:
    """The model(s) whose field the last element of ``parts`` names."""
    current: list[type[BaseModel]] = [AuthConfig]
    i = 0
    parents = parts[:-1]
    while i < len(parents):
        part = parents[i]
        nxt: list[type[BaseModel]] = []
        for model in current:
            field = model.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                continue
            annotation = field.annotation
            origin_args = typing.get_args(annotation)
            nxt.extend(_models_in(annotation))
            # list/dict containers: the next element is an index or key
            if any(typing.get_origin(a) in (list, dict) for a in (annotation, *origin_args)):
                i += 1
        current = nxt
        i += 1
        if not current:
            return []
    return current


def _suggest(word: str, options: list[str]) -> str | None:
    snake = camel_to_snake(word)
    if snake != word and snake in options:
        return snake
    match = difflib.get_close_matches(snake, options, n=1, cutoff=0.6)
    return match[0] if match else None


def _problems_from_pydantic(exc: ValidationError) -> list[Problem]:
    model_names = _model_names()
    by_path: dict[str, list[dict[str, Any]]] = {}
    order: list[str] = []
    union_paths: set[str] = set()
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        parts: list[Any] = []
        for i, part in enumerate(loc):
            if _is_member_marker(loc, i, model_names):
                union_paths.add(_format_path(parts))
                continue
            parts.append(part)
        error = dict(error, parts=parts)
        path = _format_path(parts)
        if path not in by_path:
            by_path[path] = []
            order.append(path)
        by_path[path].append(error)

    problems: list[Problem] = []
    for path in order:
        errors = by_path[path]
        # A union whose model member produced specific errors deeper down: drop the "not this member" noise.
        if path in union_paths and any(p.startswith(path + ".") or p.startswith(path + "[") for p in by_path):
            continue
        problems.append(_problem_for(path, errors))
    return problems


def _problem_for(path: str, errors: list[dict[str, Any]]) -> Problem:
    first = errors[0]
    parts = first["parts"]
    kind = first["type"]
    if kind == "extra_forbidden":
        key = str(parts[-1])
        parent_path = _format_path(parts[:-1])
        parents = _parent_models(parts)
        options = sorted({name for model in parents for name in model.model_fields})
        if key == "required" and CustomAttribute in parents:
            return Problem(
                path,
                "custom attributes cannot be required: Cognito does not support required custom attributes.",
                "Remove 'required' (only standard attributes can be required); check the value in a pre_sign_up trigger instead.",
            )
        suggestion = _suggest(key, options)
        where = f" in {parent_path}" if parent_path else ""
        message = f"unknown key '{key}'{where}."
        if suggestion and camel_to_snake(key) == suggestion:
            return Problem(path, message, f"amplify-py uses snake_case names: write '{suggestion}' instead of '{key}'.")
        if suggestion:
            return Problem(path, message, f"Did you mean '{suggestion}'? Allowed keys: {', '.join(options)}.")
        return Problem(path, message, f"Allowed keys: {', '.join(options)}.")
    if kind == "missing":
        return Problem(path, f"'{parts[-1]}' is required.", "Add it to the definition.")
    messages: list[str] = []
    for error in errors:
        msg = error["msg"]
        if msg not in messages:
            messages.append(msg)
    given = first.get("input")
    resolution = f"See {REFERENCE_PAGES['define_auth']} for the accepted values."
    strict = "booleans are strict ('yes', 'true' or 1 are not taken for True)"
    if any(error["type"] == "bool_type" for error in errors):
        resolution = f"Write True or False: {strict}. {resolution}"
    elif any((error.get("ctx") or {}).get("expected") == "True" for error in errors):
        resolution = f"Write True: {strict}. {resolution}"
    if len(errors) == 1 and kind == "bool_type":
        return Problem(path, f"expected True or False, got {_short(given)}.", resolution)
    if len(messages) > 1:
        text = "invalid value " + _short(given) + ": " + "; or ".join(m[0].lower() + m[1:] for m in messages) + "."
    else:
        text = f"{messages[0]}, got {_short(given)}."
    return Problem(path, text, resolution)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------- semantic checks


def _semantic_problems(config: AuthConfig) -> list[Problem]:
    problems: list[Problem] = []
    add = problems.append
    login = config.login_with
    email, phone = login.email, login.phone

    if not email and not phone:
        add(Problem("login_with", "At least one of email or phone must be enabled.",
                    "Set login_with={'email': True} and/or {'phone': True}."))

    def check(rendered: Rendered, path: str) -> None:
        if rendered.problem:
            add(Problem(path, rendered.problem, rendered.resolution))

    if isinstance(email, EmailLogin):
        if email.verification_email_body is not None:
            check(render_verification_email_body(email.verification_email_body, email.verification_email_style),
                  "login_with.email.verification_email_body")
        invitation = email.user_invitation
        if invitation is not None:
            for field in ("email_body", "sms_message"):
                fn = getattr(invitation, field)
                if fn is not None:
                    check(render_invitation(fn, field), f"login_with.email.user_invitation.{field}")
    if isinstance(phone, PhoneLogin) and phone.verification_message is not None:
        check(render_code_message(phone.verification_message, "verification_message", "phone"),
              "login_with.phone.verification_message")

    _check_mfa(config, add, check)
    _check_external(config, add)
    _check_passwordless(config, add)
    problems.extend(_independent_problems(config))
    return problems


def _independent_problems(config: AuthConfig) -> list[Problem]:
    """Checks that do not depend on login_with."""
    problems: list[Problem] = []
    _check_attributes(config, problems.append)
    _check_senders(config, problems.append)
    _check_triggers(config, problems.append)
    _check_groups(config, problems.append)
    return problems


def _check_mfa(config: AuthConfig, add: Any, check: Any) -> None:
    mfa = config.multifactor
    if mfa is None:
        return
    factors = {"totp": bool(mfa.totp), "sms": bool(mfa.sms), "email": bool(mfa.email)}
    if mfa.mode == "OFF":
        enabled = [name for name, on in factors.items() if on]
        if enabled:
            add(Problem("multifactor", f"mode 'OFF' cannot enable {', '.join(enabled)}.",
                        "Use mode 'OPTIONAL' or 'REQUIRED' to enable MFA factors, or remove them."))
        return
    if not any(factors.values()):
        add(Problem("multifactor", f"mode '{mfa.mode}' needs at least one of totp, sms or email.",
                    "Enable a factor, e.g. multifactor={'mode': 'OPTIONAL', 'totp': True}."))
    if config.login_with.phone and not factors["sms"]:
        add(Problem("multifactor.sms",
                    "Invalid MFA settings. SMS must be enabled in multifactor if login_with phone is enabled.",
                    "Add 'sms': True to multifactor (Cognito requires SMS MFA when users sign in with a phone number)."))
    if isinstance(mfa.sms, SmsMfa):
        check(render_code_message(mfa.sms.sms_message, "sms_message", "MFA"), "multifactor.sms.sms_message")
    if factors["email"]:
        sender = config.senders.email if config.senders else None
        if sender is None or isinstance(sender, CustomSender):
            add(Problem("multifactor.email",
                        "email MFA needs Amazon SES: Cognito's default email sender cannot send MFA codes.",
                        "Configure senders={'email': {'from_email': ...}} with a verified SES identity."))


def _check_attributes(config: AuthConfig, add: Any) -> None:
    standard = list(defaults.STANDARD_ATTRIBUTES)
    for key, value in (config.user_attributes or {}).items():
        path = f"user_attributes.{key}"
        if key.startswith("custom:"):
            name = key[len("custom:"):]
            if not _CUSTOM_NAME.match(name):
                add(Problem(path, f"invalid custom attribute name '{name}'.",
                            "Use 1 to 20 characters without spaces after 'custom:', e.g. 'custom:display_name'."))
            if isinstance(value, StandardAttribute):
                add(Problem(path, "custom attributes need a 'data_type'.",
                            "Add 'data_type': one of 'String', 'Number', 'Boolean', 'DateTime'."
                            + (" Custom attributes cannot be required." if value.required is not None else "")))
                continue
            _check_custom_attribute(path, value, add)
            continue
        if key not in defaults.STANDARD_ATTRIBUTES:
            suggestion = _suggest(key, standard)
            message = f"unknown user attribute '{key}'."
            if suggestion and camel_to_snake(key) == suggestion:
                add(Problem(path, message, f"amplify-py uses snake_case names: write '{suggestion}' instead of '{key}'."))
            elif suggestion:
                add(Problem(path, message, f"Did you mean '{suggestion}'? Custom attributes are named 'custom:<name>'."))
            else:
                add(Problem(path, message,
                            f"Use a standard attribute ({', '.join(standard)}) or a custom one named 'custom:<name>'."))
            continue
        if isinstance(value, CustomAttribute):
            add(Problem(path, f"'{key}' is a standard attribute and takes only 'mutable' and 'required'.",
                        f"Remove 'data_type' and its constraints, or name a custom attribute 'custom:{key}'."))


def _check_custom_attribute(path: str, attr: CustomAttribute, add: Any) -> None:
    string_fields = {"min_len": attr.min_len, "max_len": attr.max_len}
    number_fields = {"min": attr.min, "max": attr.max}
    if attr.data_type != "String":
        for name, value in string_fields.items():
            if value is not None:
                add(Problem(f"{path}.{name}", f"'{name}' applies only to data_type 'String', not '{attr.data_type}'.",
                            f"Remove '{name}' or use data_type 'String'."))
    if attr.data_type != "Number":
        for name, value in number_fields.items():
            if value is not None:
                add(Problem(f"{path}.{name}", f"'{name}' applies only to data_type 'Number', not '{attr.data_type}'.",
                            f"Remove '{name}' or use data_type 'Number'."))
    if attr.min_len is not None and attr.max_len is not None and attr.min_len > attr.max_len:
        add(Problem(path, f"min_len ({attr.min_len}) is greater than max_len ({attr.max_len}).",
                    "Make min_len less than or equal to max_len."))
    if attr.max_len is not None and attr.max_len > _MAX_STRING_LEN:
        add(Problem(f"{path}.max_len", f"max_len ({attr.max_len}) is greater than {_MAX_STRING_LEN}.",
                    f"Cognito string attributes hold at most {_MAX_STRING_LEN} characters."))
    if attr.min is not None and attr.max is not None and attr.min > attr.max:
        add(Problem(path, f"min ({attr.min}) is greater than max ({attr.max}).", "Make min less than or equal to max."))


def _check_external(config: AuthConfig, add: Any) -> None:
    external = config.login_with.external_providers
    if external is None:
        return
    base = "login_with.external_providers"
    if not external.logout_urls:
        add(Problem(f"{base}.logout_urls", "You must define logout_urls when configuring external login providers.",
                    "Add at least one URL, e.g. ['http://localhost:3000/']."))
    if not external.callback_urls:
        add(Problem(f"{base}.callback_urls", "You must define callback_urls when configuring external login providers.",
                    "Add at least one URL, e.g. ['http://localhost:3000/']."))
    for field in ("callback_urls", "logout_urls"):
        for i, url in enumerate(getattr(external, field)):
            if not url.strip():
                add(Problem(f"{base}.{field}[{i}]", "empty URL.", "Use a full URL such as 'https://example.com/'."))
    # No domain_prefix: derived from the backend's identity when it is built (as defineAuth does).
    if external.domain_prefix is not None:
        problem = domain_prefix_problem(external.domain_prefix)
        if problem:
            add(Problem(f"{base}.domain_prefix", problem,
                        "Use lowercase letters, digits and hyphens, or leave domain_prefix out to have one derived "
                        "from the sandbox or branch."))
    names = [p.name for p in external.oidc or [] if p.name]
    for name in {n for n in names if names.count(n) > 1}:
        add(Problem(f"{base}.oidc", f"two OIDC providers are named '{name}'.", "Give each provider a unique name."))


def _check_passwordless(config: AuthConfig, add: Any) -> None:
    preferred = config.passwordless_options.preferred_challenge if config.passwordless_options else None
    if not preferred:
        return
    login = config.login_with
    enabled = ["PASSWORD"]
    if isinstance(login.email, EmailLogin) and login.email.otp_login:
        enabled.append("EMAIL_OTP")
    if isinstance(login.phone, PhoneLogin) and login.phone.otp_login:
        enabled.append("SMS_OTP")
    if login.web_authn:
        enabled.append("WEB_AUTHN")
    if preferred not in enabled:
        add(Problem("passwordless_options.preferred_challenge",
                    f'Preferred challenge "{preferred}" is not enabled in your authentication configuration. '
                    f"Enabled challenges: {', '.join(enabled)}. "
                    "This will result in a broken authentication flow in the frontend.",
                    "Enable the factor (login_with.email.otp_login, login_with.phone.otp_login or login_with.web_authn) "
                    "or choose an enabled challenge."))


def _check_senders(config: AuthConfig, add: Any) -> None:
    senders = config.senders
    if senders is None:
        return
    for kind in ("email", "sms"):
        sender = getattr(senders, kind)
        if isinstance(sender, CustomSender) and not is_function_like(sender.handler):
            add(Problem(f"senders.{kind}.handler", f"expected a function, got {type(sender.handler).__name__}.",
                        "Pass a define_function(...) result or an aws_lambda.IFunction."))
    email, sms = senders.email, senders.sms
    if (isinstance(email, CustomSender) and isinstance(sms, CustomSender) and email.kms_key_arn and sms.kms_key_arn
            and email.kms_key_arn != sms.kms_key_arn):
        add(Problem("senders", "KMS key ARN must be the same for both email and sms senders.",
                    "Use one kms_key_arn for both custom senders."))
    if isinstance(sms, SnsSmsSender) and bool(sms.sns_caller_arn) != bool(sms.external_id):
        add(Problem("senders.sms",
                    "Both external_id and sns_caller_arn are required when providing a custom IAM role.",
                    "Ensure that your IAM role trust policy has an sts:ExternalId condition equal to the external_id value."))


def _check_triggers(config: AuthConfig, add: Any) -> None:
    events = list(defaults.TRIGGER_EVENTS)
    for key, fn in (config.triggers or {}).items():
        path = f"triggers.{key}"
        if key not in defaults.TRIGGER_EVENTS:
            suggestion = _suggest(key, events)
            hint = f"Did you mean '{suggestion}'? " if suggestion else ""
            add(Problem(path, f"unknown trigger event '{key}'.", f"{hint}Trigger events: {', '.join(events)}."))
            continue
        if not is_function_like(fn):
            add(Problem(path, f"expected a function, got {type(fn).__name__}.",
                        "Pass a define_function(...) result or an aws_lambda.IFunction."))


def _check_groups(config: AuthConfig, add: Any) -> None:
    groups = config.groups or []
    for i, name in enumerate(groups):
        if not _GROUP_NAME.match(name):
            add(Problem(f"groups[{i}]", f"invalid group name {name!r}.", "Use 1 to 128 characters without spaces."))
        elif groups.index(name) != i:
            add(Problem(f"groups[{i}]", f"group '{name}' is listed twice.", "List each group once."))

