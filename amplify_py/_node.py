"""Choose the Node.js runtime that aws-cdk-lib's jsii kernel runs on.

aws-cdk-lib (Python) drives the CDK through jsii, which runs ``node``. The
machine's Node 20 is past its end of life, and jsii prints a large warning on
every synth. The install step puts Node 22 from the npm registry (package
``node@22``) inside the virtualenv at ``<venv>/node``; we point ``JSII_NODE`` at
it unless the user already chose a runtime. Without it the system ``node`` is
used, which works, with the warning.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["bundled_node", "ensure_jsii_node", "expect_jsii_node_interrupted"]


def bundled_node() -> Path | None:
    candidate = Path(sys.prefix) / "node" / "node_modules" / ".bin" / "node"
    return candidate if candidate.exists() else None


def ensure_jsii_node() -> None:
    """Set ``JSII_NODE`` to the virtualenv's Node if present and not set. Call before importing aws_cdk."""
    if os.environ.get("JSII_NODE"):
        return
    node = bundled_node()
    if node is not None:
        os.environ["JSII_NODE"] = str(node)


def expect_jsii_node_interrupted() -> None:
    """After Ctrl-C: keep jsii's exit hook from printing a BrokenPipeError traceback.

    A terminal's Ctrl-C reaches the whole process group, so jsii's node process has already exited; jsii's
    atexit hook then writes its goodbye to the closed pipe. Nothing is lost, the process is gone.
    """
    previous = sys.unraisablehook

    def hook(unraisable: "sys.UnraisableHookArgs") -> None:
        owner = getattr(unraisable.object, "__module__", "") or ""
        if isinstance(unraisable.exc_value, BrokenPipeError) and owner.startswith("jsii."):
            return
        previous(unraisable)

    sys.unraisablehook = hook
