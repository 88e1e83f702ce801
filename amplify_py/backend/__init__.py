"""Backend definition: define_backend, define_auth, secret (no aws_cdk import at module level)."""
