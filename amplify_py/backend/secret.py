"""``secret("NAME")``: a named secret whose value is resolved when the backend is synthesized.

Amplify stores secrets outside the code (``ampy sandbox secret set NAME``) and resolves
them at deploy time. The definition only records the name; ``Backend`` asks its
secret resolver for the value: by default the sandbox's secret store (when the
backend is synthesized for a sandbox), then the environment variable ``AMPY_SECRET_<NAME>``.
Values are never logged or put in error messages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from amplify_py.errors import AmpyUserError

__all__ = [
    "Secret",
    "secret",
    "SecretNotSetError",
    "SecretValueSource",
    "env_var_name",
    "resolve_secret_from_env",
    "secret_resolver",
]

_NAME = re.compile(r"^[A-Za-z0-9_.\-/]{1,128}$")


@dataclass(frozen=True)
class Secret:
    """A reference to a secret by name (never its value)."""

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise AmpyUserError(
                "InvalidSecretNameError",
                f"Invalid secret name {self.name!r}.",
                "Use 1 to 128 letters, digits, '_', '.', '-' or '/'.",
            )

    def __repr__(self) -> str:
        return f"secret({self.name!r})"


def secret(name: str) -> Secret:
    """Reference the secret ``name``; its value is looked up at synth time."""
    return Secret(name)


def env_var_name(name: str) -> str:
    return "AMPY_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


class SecretValueSource(Protocol):
    """Where a resolver looks first (a sandbox's secret store): the value, or None when it is not set."""

    def get_value(self, name: str) -> str | None: ...


class SecretNotSetError(AmpyUserError):
    """A ``secret("NAME")`` used in the backend has no value (Amplify's ``SecretNotSetError``)."""

    def __init__(self, secret_name: str, *, set_command: str | None = None, used_at: str | None = None) -> None:
        self.secret_name = secret_name
        self.set_command = set_command
        self.used_at = used_at
        where = f" (used at {used_at})" if used_at else ""
        how = f"Set it with `{set_command}`, or set" if set_command else "Set"
        super().__init__(
            "SecretNotSetError",
            f"The secret {secret_name!r}{where} has no value.",
            f"{how} the environment variable {env_var_name(secret_name)}, or pass a secret resolver to define_backend().",
        )

    def at(self, used_at: str) -> "SecretNotSetError":
        """The same error, saying where the definition uses the secret."""
        return SecretNotSetError(self.secret_name, set_command=self.set_command, used_at=used_at)


def resolve_secret_from_env(name: str) -> str:
    """``AMPY_SECRET_<NAME>`` from the environment."""
    value = os.environ.get(env_var_name(name))
    if value is None:
        raise SecretNotSetError(name)
    return value


def secret_resolver(
    source: SecretValueSource | None = None, *, set_command: Callable[[str], str] | None = None
) -> Callable[[str], Any]:
    """The default resolver: ``source`` first (a sandbox's store), then ``AMPY_SECRET_<NAME>``.

    ``set_command(name)`` is the exact command that stores the secret where ``source`` reads it.
    """

    def resolve(name: str) -> str:
        if source is not None:
            value = source.get_value(name)
            if value is not None:
                return value
        value = os.environ.get(env_var_name(name))
        if value is None:
            raise SecretNotSetError(name, set_command=set_command(name) if set_command else None)
        return value

    return resolve
