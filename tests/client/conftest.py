"""Fixtures for the client contract tests (helpers live in engine_backend.py, importable by name)."""

from engine_backend import deploy, engine, fresh_client, triggers  # noqa: F401  (fixtures)
