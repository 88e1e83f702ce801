"""Cognito's operations, one module per API family; ``registry`` is the one table of them all."""
