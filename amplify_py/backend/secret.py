"""``secret("NAME")``: a named secret whose value is resolved when the backend is synthesized.

Amplify stores secrets outside the code (``ampy sandbox secret set NAME``) and resolves
them at deploy time. The definition only records the name; ``Backend`` asks its
secret resolver for the value (default: the environment variable ``AMPY_SECRET_<NAME>``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from amplify_py.errors import AmpyUserError

__all__ = ["Secret", "secret", "resolve_secret_from_env"]

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


def resolve_secret_from_env(name: str) -> str:
    """Default resolver: ``AMPY_SECRET_<NAME>`` from the environment."""
    var = env_var_name(name)
    value = os.environ.get(var)
    if value is None:
        raise AmpyUserError(
            "SecretNotSetError",
            f"The secret {name!r} has no value.",
            f"Set the environment variable {var}, or pass a secret resolver to define_backend().",
        )
    return value
