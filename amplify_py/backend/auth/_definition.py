"""``define_auth``: validate a definition now, build the construct when the backend is synthesized."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from amplify_py.backend.auth import defaults
from amplify_py.backend.auth.translate import to_props
from amplify_py.backend.auth.types import (
    AuthConfig,
    LoginWith,
    Multifactor,
    PasswordlessOptions,
    Senders,
)
from amplify_py.backend.auth.validation import validate_auth
from amplify_py.backend.secret import resolve_secret_from_env

if TYPE_CHECKING:  # pragma: no cover
    from amplify_py.backend.auth.construct import AmplifyAuth
    from amplify_py.backend.auth.props import AuthProps

__all__ = ["AuthDefinition", "define_auth"]

_UNSET: Any = None


class AuthDefinition:
    """A validated auth definition (``define_auth``'s result). ``config`` is the parsed DSL model."""

    def __init__(self, config: AuthConfig) -> None:
        self.config = config

    def __repr__(self) -> str:
        return f"AuthDefinition({self.config!r})"

    def to_props(self, scope: Any = None, *, resolve_secret: Callable[[str], Any] = resolve_secret_from_env) -> "AuthProps":
        """The construct props; functions given as definitions are resolved in ``scope``."""

        def resolve_function(fn: Any) -> Any:
            resolver = getattr(fn, "resolve_function", None)
            if callable(resolver):
                if scope is None:
                    raise ValueError("a scope is needed to resolve function definitions")
                return resolver(scope)
            return fn

        return to_props(self.config, resolve_secret=resolve_secret, resolve_function=resolve_function)

    def build(
        self,
        scope: Any,
        id: str = defaults.CONSTRUCT_ID,
        *,
        resolve_secret: Callable[[str], Any] = resolve_secret_from_env,
    ) -> "AmplifyAuth":
        """Create the ``AmplifyAuth`` construct in ``scope`` (imports aws_cdk)."""
        from amplify_py.backend.auth.construct import AmplifyAuth

        return AmplifyAuth(scope, id, self.to_props(scope, resolve_secret=resolve_secret))


def define_auth(
    *,
    login_with: LoginWith | Mapping[str, Any] = _UNSET,
    user_attributes: Mapping[str, Any] | None = _UNSET,
    multifactor: Multifactor | Mapping[str, Any] | None = _UNSET,
    account_recovery: str | None = _UNSET,
    groups: list[str] | None = _UNSET,
    senders: Senders | Mapping[str, Any] | None = _UNSET,
    passwordless_options: PasswordlessOptions | Mapping[str, Any] | None = _UNSET,
    triggers: Mapping[str, Any] | None = _UNSET,
    name: str | None = _UNSET,
    **unknown: Any,
) -> AuthDefinition:
    """Define the auth backend (Amplify's ``defineAuth``). Raises ``DefinitionError`` listing every problem."""
    given = {
        "login_with": login_with,
        "user_attributes": user_attributes,
        "multifactor": multifactor,
        "account_recovery": account_recovery,
        "groups": groups,
        "senders": senders,
        "passwordless_options": passwordless_options,
        "triggers": triggers,
        "name": name,
        **unknown,  # reported as problems (a camelCase name gets its snake_case spelling)
    }
    return AuthDefinition(validate_auth({k: v for k, v in given.items() if v is not None}))
