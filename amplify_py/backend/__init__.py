"""Backend definition: define_backend, define_auth, define_function, secret (no aws_cdk import at module level)."""

__all__: list[str] = []  # the names live in the submodules (and amplify_py re-exports them lazily)
