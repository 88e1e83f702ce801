"""amplify-py: Amplify Gen 2 auth for Python.

Backend definition (``define_auth``, ``define_backend``, ``define_function``,
``secret``) and the client configuration (``Amplify``). Names are imported
lazily so that ``import amplify_py`` never starts the CDK runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["define_auth", "define_backend", "define_function", "secret", "Amplify"]

_EXPORTS = {
    "define_auth": "amplify_py.backend.auth",
    "secret": "amplify_py.backend.secret",
    "define_backend": "amplify_py.backend.backend",
    "define_function": "amplify_py.backend.function",
    "Amplify": "amplify_py.auth._config",
}

if TYPE_CHECKING:  # pragma: no cover
    from amplify_py.auth._config import Amplify
    from amplify_py.backend.auth import define_auth
    from amplify_py.backend.backend import define_backend
    from amplify_py.backend.function import define_function
    from amplify_py.backend.secret import secret


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'amplify_py' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
