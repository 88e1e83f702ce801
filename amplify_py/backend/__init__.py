"""Backend definition: define_backend, define_auth, define_function, secret (no aws_cdk import at module level)."""
