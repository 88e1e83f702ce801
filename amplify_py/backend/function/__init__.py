"""define_function: Python Lambda functions for auth triggers, senders and access.

Importing this package never starts the CDK runtime; the construct module is
imported only when a definition is resolved into a function.
"""

from amplify_py.backend.function.access import AUTH_ACTIONS, AuthAccessBuilder, AuthAccessDefinition
from amplify_py.backend.function.types import FunctionDefinition, define_function

__all__ = ["define_function", "FunctionDefinition", "AuthAccessBuilder", "AuthAccessDefinition", "AUTH_ACTIONS"]
