"""Names of sandboxes and of the stacks they deploy, following Amplify's rules.

ampx names a sandbox by ``--identifier`` (default: the OS user name) and a
branch deployment by the Amplify app id and the branch. Both become a
CloudFormation stack name ``amplify-<namespace>-<name>-<type>-<hash>``
(amplify-backend's ``BackendIdentifierConversions.toStackName``): only ASCII
letters and digits survive in namespace and name, the name is cut to 50
characters, the namespace to what fits in 128, and the hash is the first 10 hex
digits of SHA-512 over namespace then name (both unsanitized). The rule must
not drift: a different name is a different stack.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from amplify_py.backend.identifier import BackendIdentifier, stack_name
from amplify_py.deploy.records import default_identifier, validate_identifier
from amplify_py.errors import AmpyUserError

__all__ = [
    "validate_identifier",
    "default_identifier",
    "app_name",
    "backend_stack_name",
    "sandbox_backend_id",
    "sandbox_stack_name",
    "branch_stack_name",
    "identifier_flag",
]


def identifier_flag(identifier: str) -> str:
    """`` --identifier NAME`` for a hint that names a command, or nothing for the default sandbox."""
    return "" if identifier == default_identifier() else f" --identifier {identifier}"


def app_name(project_dir: Path) -> str:
    """The project's name: ``[project].name`` of pyproject.toml, else the folder's name.

    ampx takes package.json's ``name``; a Python project's equivalent is
    pyproject.toml. A project without one still gets a stable name.
    """
    pyproject = project_dir / "pyproject.toml"
    if pyproject.is_file():
        try:
            name = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("name")
        except tomllib.TOMLDecodeError as exc:
            raise AmpyUserError(
                "InvalidPyprojectError",
                f"{pyproject} is not valid TOML: {exc}",
                "Fix the syntax of pyproject.toml; ampy reads the project name from it.",
            ) from exc
        if isinstance(name, str) and name.strip():
            return name.strip()
    return project_dir.resolve().name


def backend_stack_name(namespace: str, name: str, kind: str, hash_: str | None = None) -> str:
    """``amplify-<namespace>-<name>-<kind>-<hash>``, exactly as Amplify names backend stacks."""
    return stack_name(namespace, name, kind, hash_)


def sandbox_backend_id(project_dir: Path, identifier: str) -> BackendIdentifier:
    """The sandbox's backend identity: (app name, identifier, sandbox), as ampx's SandboxBackendIdResolver."""
    return BackendIdentifier.sandbox(app_name(project_dir), identifier)


def sandbox_stack_name(project_dir: Path, identifier: str) -> str:
    return backend_stack_name(app_name(project_dir), identifier, "sandbox")


def branch_stack_name(app_id: str, branch: str) -> str:
    return backend_stack_name(app_id, branch, "branch")
