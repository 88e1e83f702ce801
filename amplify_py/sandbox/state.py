"""Where a sandbox keeps its local state: ``<project>/.amplify/sandbox/<identifier>/``.

The folder holds the local engine's data (SQLite, ``outbox.jsonl``, and ``credentials.json``: the local
AWS credentials its admin operations must be signed with, readable by its owner only), the cloud
assembly its trigger functions run from (``cdk.out``), the background engine's
``server.json`` and ``server.log``, and the sandbox's ``secrets.json``.
``ampy sandbox delete`` removes the folder but keeps :data:`KEPT_ON_DELETE`
(ampx keeps a deleted sandbox's secrets too). The deploy target is told both;
it does not know this layout.
"""

from __future__ import annotations

from pathlib import Path

from amplify_py.sandbox.secrets import SECRETS_FILE

__all__ = ["KEPT_ON_DELETE", "sandbox_state_dir"]

KEPT_ON_DELETE: frozenset[str] = frozenset({SECRETS_FILE})


def sandbox_state_dir(project_dir: Path, identifier: str) -> Path:
    """The state folder of the sandbox ``identifier`` in ``project_dir``."""
    return project_dir / ".amplify" / "sandbox" / identifier
