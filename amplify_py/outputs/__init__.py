"""amplify_outputs.json: the model (schema 1.5), the conversion from stack outputs, the writers."""

from amplify_py.outputs.convert import AUTH_OUTPUT_KEYS, DEFAULT_OUTPUTS_VERSION, build_outputs, local_engine_custom
from amplify_py.outputs.model import OUTPUTS_VERSIONS, AmplifyOutputs, AuthOutputs
from amplify_py.outputs.stack_outputs import resolve_stack_outputs
from amplify_py.outputs.writers import format_outputs, write_outputs

__all__ = [
    "AUTH_OUTPUT_KEYS",
    "DEFAULT_OUTPUTS_VERSION",
    "OUTPUTS_VERSIONS",
    "AmplifyOutputs",
    "AuthOutputs",
    "build_outputs",
    "format_outputs",
    "local_engine_custom",
    "resolve_stack_outputs",
    "write_outputs",
]
