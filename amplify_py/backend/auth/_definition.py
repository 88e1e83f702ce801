"""``define_auth``: validate a definition now, build the construct when the backend is synthesized."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

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
from amplify_py.backend.secret import Secret, SecretNotSetError, resolve_secret_from_env
from amplify_py.errors import AmpyUserError, DefinitionError

if TYPE_CHECKING:  # pragma: no cover
    from amplify_py.backend.identifier import BackendIdentifier
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

    def to_props(
        self,
        scope: Any = None,
        *,
        resolve_secret: Callable[[str], Any] = resolve_secret_from_env,
        backend_id: "BackendIdentifier | None" = None,
    ) -> "AuthProps":
        """The construct props; functions given as definitions are resolved in ``scope``.

        Without a ``domain_prefix``, external providers get ``backend_id``'s stable backend hash,
        as Amplify's defineAuth does (so each sandbox and branch has its own hosted UI domain).
        """

        def resolve(name: str) -> Any:
            try:
                return resolve_secret(name)
            except SecretNotSetError as error:
                paths = [path for path, found in _secrets(self.config) if found.name == name]
                raise (error.at(", ".join(paths)) if paths else error) from error

        props = to_props(self.config, resolve_secret=resolve, resolve_function=lambda fn: _function_in(scope, fn))
        external = props.login_with.external_providers
        if external is not None and not external.domain_prefix:
            if backend_id is None:
                raise AmpyUserError(
                    "MissingDomainPrefixError",
                    "define_auth: login_with.external_providers has no domain_prefix and the backend has no "
                    "identity (sandbox or branch) to derive one from.",
                    "Synthesize with `ampy sandbox`, `ampy synth` or `ampy pipeline-deploy`, pass the CDK context "
                    "amplify-backend-namespace, amplify-backend-name and amplify-backend-type, or set domain_prefix.",
                )
            external = dataclasses.replace(external, domain_prefix=backend_id.stable_backend_hash())
            props = dataclasses.replace(props, login_with=dataclasses.replace(props.login_with, external_providers=external))
        return props

    def build(
        self,
        scope: Any,
        id: str = defaults.CONSTRUCT_ID,
        *,
        resolve_secret: Callable[[str], Any] = resolve_secret_from_env,
        backend_id: "BackendIdentifier | None" = None,
    ) -> "AmplifyAuth":
        """Create the ``AmplifyAuth`` construct in ``scope`` (imports aws_cdk)."""
        from amplify_py.backend.auth.construct import AmplifyAuth

        props = self.to_props(scope, resolve_secret=resolve_secret, backend_id=backend_id)
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
            function = _function_in(scope, rule.grantee)
            grant_auth_access(function, auth.user_pool, rule.actions, auth_name=self.config.name or DEFAULT_AUTH_NAME,
                              set_user_pool_id=not any(function is w for w in wired))


def _function_in(scope: Any, fn: Any) -> Any:
    """A function definition (``define_function``) resolved in ``scope``; a CDK function as it is."""
    resolver = getattr(fn, "resolve_function", None)
    if not callable(resolver):
        return fn
    if scope is None:
        raise ValueError("a scope is needed to resolve function definitions")
    return resolver(scope)


def _secrets(value: Any, path: str = "") -> Iterator[tuple[str, Secret]]:
    """Every ``secret(...)`` in a definition, with its DSL path (for errors that say where it is used)."""
    if isinstance(value, Secret):
        yield path, value
    elif isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from _secrets(getattr(value, field), f"{path}.{field}" if path else field)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _secrets(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _secrets(item, f"{path}[{index}]")


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
