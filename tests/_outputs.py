"""amplify_outputs.json for a reference case deployed to the local engine (a stand-in for the outputs module).

The reference `<case>.amplify_outputs.json` is what @aws-amplify/client-config
derives from the TS construct's stack, with deploy-time values left as
`${LogicalId}` / `${AWS::Region}` placeholders; filling them with the engine's
physical IDs gives the file `ampy sandbox` would write. `custom.local_engine`
carries the engine's endpoints, which clients need in place of the AWS ones.
Shared by the client tier (tests/client/engine_backend.py) and the e2e tier.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


def local_outputs(reference_dir: Path, case: str, physical_ids: dict[str, str], region: str, endpoint: str) -> dict[str, Any]:
    template = json.loads((reference_dir / "cases" / f"{case}.amplify_outputs.json").read_text())

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, str):
            return _PLACEHOLDER.sub(placeholder, value)
        return value

    def placeholder(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "AWS::Region":
            return region
        if name not in physical_ids:
            raise KeyError(f"the engine's deployment has no physical ID for {name} (has {sorted(physical_ids)})")
        return physical_ids[name]

    outputs = fill(template)
    outputs["custom"] = {"local_engine": {"user_pool_endpoint": endpoint, "identity_pool_endpoint": endpoint}}
    return outputs
