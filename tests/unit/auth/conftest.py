"""Fixtures for the auth client's unit tests (helpers live in fake_cognito.py, importable by name)."""

from fake_cognito import fake  # noqa: F401  (the fixture)
