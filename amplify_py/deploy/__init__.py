"""Deploying a backend: synthesis, the local and AWS targets, and the records they leave."""

__all__: list[str] = []  # the names live in the submodules
