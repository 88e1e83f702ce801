"""Amplify auth: ``define_auth`` (the DSL) and, in ``construct``, the ``AmplifyAuth`` CDK construct.

Importing this package never imports aws_cdk; ``construct`` does.
"""

from amplify_py.backend.auth._definition import AuthDefinition, define_auth
from amplify_py.backend.auth.props import AuthProps
from amplify_py.backend.auth.types import AuthConfig

__all__ = ["define_auth", "AuthDefinition", "AuthConfig", "AuthProps"]
