"""``python -m amplify_py.testing._synth_worker PROJECT OUT IDENTIFIER``: synthesize for the pytest plugin.

Runs in its own process (see ``_synth_cache``). Writes ``OUT/template.json``, ``OUT/result.json``
(the stack name) and the cloud assembly in ``OUT/cdk.out``; an ``AmpyError`` goes to
``OUT/error.json`` (kind, name, message, resolution, details) for the parent to raise again.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path


def main(argv: list[str]) -> int:
    project_dir, out_dir, identifier = Path(argv[0]), Path(argv[1]), argv[2]
    from amplify_py.backend.identifier import BackendIdentifier
    from amplify_py.deploy.synth import Synthesizer
    from amplify_py.errors import AmpyError, AmpyUserError
    from amplify_py.sandbox.identifiers import app_name

    try:
        backend_id = BackendIdentifier.sandbox(app_name(project_dir), identifier)
        result = Synthesizer(project_dir, backend_id=backend_id).synth(outdir=out_dir / "cdk.out")
    except AmpyError as exc:
        kind = "user" if isinstance(exc, AmpyUserError) else "fault"
        details = exc.details
        if kind == "fault":
            details = "\n".join(filter(None, [details, "".join(traceback.format_exception(exc))]))
        error = {"kind": kind, "name": exc.name, "message": exc.message, "resolution": exc.resolution,
                 "details": details}
        (out_dir / "error.json").write_text(json.dumps(error), encoding="utf-8")
        return 2
    (out_dir / "template.json").write_text(json.dumps(result.template), encoding="utf-8")
    (out_dir / "result.json").write_text(json.dumps({"stack_name": result.stack_name}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
