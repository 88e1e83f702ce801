"""Evaluate message callables with Cognito's placeholders, as Amplify does at synth time.

``verification_email_body=lambda create_code: f"Code: {create_code()}"`` becomes
``"Code: {####}"``. Each evaluation records whether the callable used its
arguments, so validation can report a message that never inserts the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from amplify_py.backend.auth import defaults

__all__ = ["Rendered", "render_code_message", "render_link_message", "render_invitation", "render_verification_email_body"]


@dataclass(frozen=True)
class Rendered:
    """The message text, or the reason it could not be produced."""

    text: str | None
    problem: str | None = None
    resolution: str = ""


def _call(fn: Callable[..., Any], *args: Callable[..., str]) -> tuple[Any, BaseException | None]:
    try:
        return fn(*args), None
    except Exception as exc:  # noqa: BLE001 - user code; reported as a definition problem
        return None, exc


def _failed(property_name: str, exc: BaseException) -> Rendered:
    return Rendered(
        None,
        f"'{property_name}' raised {type(exc).__name__}: {exc}.",
        "The function must return the message text (a str).",
    )


def _not_str(property_name: str, value: Any) -> Rendered:
    return Rendered(
        None,
        f"'{property_name}' must return a str, got {type(value).__name__}.",
        "Return the message text, e.g. an f-string.",
    )


def render_code_message(fn: Callable[..., Any], property_name: str, kind: str) -> Rendered:
    """Render a message whose single argument is ``create_code()`` → ``{####}``."""
    used: list[bool] = []

    def create_code() -> str:
        used.append(True)
        return defaults.CODE_PLACEHOLDER

    value, exc = _call(fn, create_code)
    if exc is not None:
        return _failed(property_name, exc)
    if not isinstance(value, str):
        return _not_str(property_name, value)
    if not used or defaults.CODE_PLACEHOLDER not in value:
        return Rendered(
            value,
            f"Invalid {kind} settings. Property '{property_name}' must utilize the 'code' parameter at least once "
            "as a placeholder for the verification code.",
            f"Call the function it receives and include the result, e.g. lambda create_code: f\"Your code is {{create_code()}}\".",
        )
    return Rendered(value)


def render_link_message(fn: Callable[..., Any], property_name: str) -> Rendered:
    """Render a LINK-style email body: ``create_link(text=None)`` → ``{##<text or Verify Email>##}``."""
    links: list[str] = []

    def create_link(text: str | None = None) -> str:
        link = defaults.link_placeholder(text)
        links.append(link)
        return link

    value, exc = _call(fn, create_link)
    if exc is not None:
        return _failed(property_name, exc)
    if not isinstance(value, str):
        return _not_str(property_name, value)
    if not links or links[-1] not in value:
        return Rendered(
            value,
            f"Invalid email settings. Property '{property_name}' must utilize the 'link' parameter at least once "
            "as a placeholder for the verification link.",
            "Call the function it receives and include the result, e.g. lambda create_link: f\"Verify: {create_link()}\".",
        )
    return Rendered(value)


def render_verification_email_body(fn: Callable[..., Any], style: str | None) -> Rendered:
    """The verification email body in its style: a link for ``LINK``, else a code (Cognito's default)."""
    if style == "LINK":
        return render_link_message(fn, "verification_email_body")
    return render_code_message(fn, "verification_email_body", "email")


def render_invitation(fn: Callable[..., Any], property_name: str) -> Rendered:
    """Render an invitation message: ``user()`` → ``{username}``, ``code()`` → ``{####}``; both must be used."""
    used: set[str] = set()

    def user() -> str:
        used.add("user")
        return defaults.USERNAME_PLACEHOLDER

    def code() -> str:
        used.add("code")
        return defaults.CODE_PLACEHOLDER

    value, exc = _call(fn, user, code)
    if exc is not None:
        return _failed(property_name, exc)
    if not isinstance(value, str):
        return _not_str(property_name, value)
    missing = [
        name
        for name, placeholder in (("user", defaults.USERNAME_PLACEHOLDER), ("code", defaults.CODE_PLACEHOLDER))
        if name not in used or placeholder not in value
    ]
    if missing:
        return Rendered(
            value,
            f"Property '{property_name}' must utilize the {' and '.join(repr(m) for m in missing)} "
            f"parameter{'s' if len(missing) > 1 else ''} at least once (the username and the temporary password).",
            "Call both functions it receives, e.g. lambda user, code: f\"Sign in as {user()} with {code()}\".",
        )
    return Rendered(value)
