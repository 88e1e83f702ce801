"""Where commands get their collaborators.

Typer commands stay thin: they ask this factory for the objects that do the
work (the project loader, the synthesizer, the deployer, the engine, the
sandbox). Tests replace the factory with ``set_factory`` to inject others.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["Factory", "get_factory", "set_factory"]


class Factory:
    """The default collaborators. Each method imports lazily so ``ampy --help`` stays fast."""

    def synthesizer(self, project_dir: Path, *, validate: bool = False) -> Any:
        from amplify_py.deploy.synth import Synthesizer

        return Synthesizer(project_dir, validate=validate)

    def cloudformation_client(self, region: str | None = None) -> Any:
        """A boto3 CloudFormation client (``ampy generate outputs --stack``)."""
        import boto3

        return boto3.client("cloudformation", region_name=region)


_factory: Factory = Factory()


def get_factory() -> Factory:
    return _factory


def set_factory(factory: Factory) -> Factory:
    """Replace the factory (for tests); returns the previous one."""
    global _factory
    previous, _factory = _factory, factory
    return previous
