"""The identity of a deployed backend, and the names Amplify derives from it.

amplify-backend identifies every deployment by ``(namespace, name, type)``: a
sandbox is (app name, sandbox identifier, ``sandbox``), a branch deployment
(Amplify app id, branch, ``branch``). From it come the CloudFormation stack
name (platform-core's ``BackendIdentifierConversions.toStackName``), the SSM
path of its secrets (``ParameterPathConversions``) and the stable backend hash
that ``defineAuth`` uses as the hosted UI's domain prefix
(backend's ``BackendIdScopedStableBackendIdentifiers``). These rules must not
drift: a different name is a different stack, a different domain.

The identity travels in CDK context under Amplify's keys, so a plain
``cdk synth -c amplify-backend-namespace=...`` yields the same names.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from amplify_py.errors import AmpyFault

__all__ = [
    "BackendIdentifier",
    "DeploymentType",
    "CONTEXT_BACKEND_NAMESPACE",
    "CONTEXT_BACKEND_NAME",
    "CONTEXT_DEPLOYMENT_TYPE",
    "stack_name",
]

DeploymentType = Literal["sandbox", "branch", "standalone"]
_TYPES = ("sandbox", "branch", "standalone")

# platform-core's CDKContextKey
CONTEXT_BACKEND_NAMESPACE = "amplify-backend-namespace"
CONTEXT_BACKEND_NAME = "amplify-backend-name"
CONTEXT_DEPLOYMENT_TYPE = "amplify-backend-type"

_STACK_NAME_LIMIT = 128
_PREFIX = "amplify"
_STACK_HASH_LENGTH = 10
_STABLE_HASH_LENGTH = 20
_DASHES = 4
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


@dataclass(frozen=True)
class BackendIdentifier:
    """``(namespace, name, type)`` of one deployment, unsanitized (hashes are taken over the raw values)."""

    namespace: str
    name: str
    type: DeploymentType

    @classmethod
    def sandbox(cls, app_name: str, identifier: str) -> "BackendIdentifier":
        return cls(app_name, identifier, "sandbox")

    @classmethod
    def branch(cls, app_id: str, branch: str) -> "BackendIdentifier":
        return cls(app_id, branch, "branch")

    def stable_backend_hash(self) -> str:
        """First 20 hex digits of SHA-512 over type, namespace, name: ``defineAuth``'s domain prefix.

        Lowercase hex can never spell "aws", "amazon" or "cognito", so it always is a valid Cognito prefix.
        """
        digest = hashlib.sha512()
        for part in (self.type, self.namespace, self.name):
            digest.update(part.encode("utf-8"))
        return digest.hexdigest()[:_STABLE_HASH_LENGTH]

    @property
    def stack_name(self) -> str:
        """``amplify-<namespace>-<name>-<type>-<hash>`` (``toStackName``)."""
        return stack_name(self.namespace, self.name, self.type)

    def parameter_prefix(self) -> str:
        """``/amplify/<namespace>/<name>-<type>-<hash>``: the SSM path of this backend's secrets.

        Amplify round-trips the identifier through the stack name so the path gets the same sanitizing.
        """
        parts = self.stack_name.split("-")
        if len(parts) != 5 or parts[0] != _PREFIX:  # pragma: no cover - the rule above always gives 5 parts
            raise AmpyFault("BackendIdConversionFault", "Could not sanitize the backendId to construct the parameter path")
        _, namespace, name, kind, hash_ = parts
        return f"/amplify/{namespace}/{name}-{kind}-{hash_}"

    def parameter_path(self, parameter_name: str) -> str:
        return f"{self.parameter_prefix()}/{parameter_name}"

    def to_context(self) -> dict[str, str]:
        return {
            CONTEXT_BACKEND_NAMESPACE: self.namespace,
            CONTEXT_BACKEND_NAME: self.name,
            CONTEXT_DEPLOYMENT_TYPE: self.type,
        }

    @classmethod
    def from_context(cls, get: Callable[[str], Any]) -> "BackendIdentifier | None":
        """The identity in CDK context (``get`` = ``node.try_get_context``), or None when it is not all there."""
        namespace, name, kind = get(CONTEXT_BACKEND_NAMESPACE), get(CONTEXT_BACKEND_NAME), get(CONTEXT_DEPLOYMENT_TYPE)
        if isinstance(namespace, str) and isinstance(name, str) and kind in _TYPES:
            return cls(namespace, name, kind)
        return None


def stack_name(namespace: str, name: str, kind: str, hash_: str | None = None) -> str:
    """Amplify's backend stack name; the hash is SHA-512 over namespace then name, both unsanitized."""
    digest = hash_ or hashlib.sha512((namespace + name).encode("utf-8")).hexdigest()[:_STACK_HASH_LENGTH]
    short_name = _NOT_ALNUM.sub("", name)[:50]
    namespace_room = _STACK_NAME_LIMIT - len(_PREFIX) - len(kind) - len(short_name) - _DASHES - _STACK_HASH_LENGTH
    short_namespace = _NOT_ALNUM.sub("", namespace)[: namespace_room - 1]
    return "-".join([_PREFIX, short_namespace, short_name, kind, digest])
