"""Backend definition: define_backend, define_auth, define_function, secret."""
