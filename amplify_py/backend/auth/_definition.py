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
from amplify_py.errors import DefinitionError

if TYPE_CHECKING:  # pragma: no cover
    from amplify_py.backend.auth.construct import AmplifyAuth
    from amplify_py.backend.auth.props import AuthProps

__all__ = ["AuthDefinition", "define_auth"]

_UNSET: Any = None


class AuthDefinition:
    """A validated auth definition (``define_auth``'s result). ``config`` is the parsed DSL model."""

    def __init__(self, config: AuthConfig, access: list[Any] | None = None) -> None:
        self.config = config
        self.access = list(access or [])  # AuthAccessDefinition rules from define_auth(access=...)

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

        props = self.to_props(scope, resolve_secret=resolve_secret)
        auth = AmplifyAuth(scope, id, props)
        if self.access:
            self._grant_access(scope, auth, props)
        return auth

    def _grant_access(self, scope: Any, auth: "AmplifyAuth", props: "AuthProps") -> None:
        """Amplify's access grants: a policy per rule on the function's role, and the pool ID in its environment.

        A function that is also one of this pool's triggers or senders gets no pool ID variable (the pool
        already depends on it; the reverse would be a cycle) and reads ``userPoolId`` from its events.
        """
        from amplify_py.backend.function.access import DEFAULT_AUTH_NAME, grant_auth_access

        wired = [*props.triggers.values()]
        for sender in (props.email_sender, props.sms_sender):
            if getattr(sender, "handler", None) is not None:  # a custom sender Lambda
                wired.append(sender.handler)
        for rule in self.access:
            resolver = getattr(rule.grantee, "resolve_function", None)
            function = resolver(scope) if callable(resolver) else rule.grantee
            grant_auth_access(function, auth.user_pool, rule.actions, auth_name=self.config.name or DEFAULT_AUTH_NAME,
                              set_user_pool_id=not any(function is w for w in wired))


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
    access: Callable[[Any], Any] | None = _UNSET,
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
    problems: list[Any] = []
    config: Any = None
    rules: list[Any] | None = None
    try:
        config = validate_auth({k: v for k, v in given.items() if v is not None})
    except DefinitionError as error:
        problems += error.problems
    if access is not None:  # access=lambda allow: [allow.resource(fn).to(["manage_users"])]
        from amplify_py.backend.function.access import collect_auth_access

        try:
            rules = collect_auth_access(access)
        except DefinitionError as error:
            problems += error.problems
    if problems:
        raise DefinitionError("define_auth", problems)
    return AuthDefinition(config, rules)
