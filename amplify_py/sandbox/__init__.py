"""``ampy sandbox``: deploy the backend, write amplify_outputs.json, watch and redeploy."""

from amplify_py.sandbox.console import SandboxConsole
from amplify_py.sandbox.identifiers import (
    app_name,
    backend_stack_name,
    branch_stack_name,
    default_identifier,
    sandbox_stack_name,
    validate_identifier,
)
from amplify_py.sandbox.lifecycle import OutputsPublisher, Sandbox, SandboxSettings

__all__ = [
    "Sandbox",
    "SandboxSettings",
    "SandboxConsole",
    "OutputsPublisher",
    "app_name",
    "backend_stack_name",
    "branch_stack_name",
    "default_identifier",
    "sandbox_stack_name",
    "validate_identifier",
]
