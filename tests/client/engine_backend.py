"""Client contract tests: amplify_py.auth against the real local engine over HTTP.

One engine per session; each test deploys its own copy of a reference template (a fresh
deployment id, so pools never share users) and configures the client with outputs made
from the reference amplify_outputs.json of the same case, ids filled in from the deploy.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from amplify_py.auth._config import Amplify
from amplify_py.local import LocalEngine
from tests._client import fresh_client  # noqa: F401  (autouse fixture, re-exported for conftest)
from tests._outputs import local_outputs

CASES = Path(__file__).resolve().parents[1] / "data" / "reference" / "cases"
_ids = itertools.count(1)


def outputs_for(case: str, physical_ids: dict[str, str], region: str, endpoint: str) -> dict[str, Any]:
    """The case's reference amplify_outputs.json with deploy-time ids and the local engine's endpoint."""
    return local_outputs(CASES.parent, case, physical_ids, region, endpoint)


class Backend:
    """One deployed case: the engine, its outputs, and the codes it "sent"."""

    def __init__(self, engine: LocalEngine, deployment: str, outputs: dict[str, Any]) -> None:
        self.engine = engine
        self.deployment = deployment
        self.outputs = outputs

    def codes(self, recipient: str) -> list[str]:
        return [
            m["code"]
            for m in self.engine.messages()
            if m["deployment"] == self.deployment and m["recipient"] == recipient and m.get("code")
        ]

    def last_code(self, recipient: str) -> str:
        codes = self.codes(recipient)
        assert codes, f"no code was sent to {recipient}"
        return codes[-1]


class Triggers:
    """Python stand-ins for Lambda triggers, by the function's logical id."""

    def __init__(self) -> None:
        self.handlers: dict[str, Callable[[dict], dict]] = {}

    def __call__(self, deployment: str, ref: Any, event: dict) -> dict:
        text = json.dumps(ref)
        for name, handler in self.handlers.items():
            if name in text:
                return handler(event)
        raise AssertionError(f"no trigger handler for {ref}")


@pytest.fixture(scope="session")
def triggers() -> Triggers:
    return Triggers()


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory, triggers: Triggers) -> LocalEngine:
    engine = LocalEngine(tmp_path_factory.mktemp("engine"), port=0, trigger_invoker=triggers)
    engine.start()
    yield engine
    engine.stop()


def template(case: str) -> dict[str, Any]:
    return json.loads((CASES / f"{case}.template.json").read_text())


def resource(tpl: dict[str, Any], kind: str) -> dict[str, Any]:
    """The properties of the template's only resource of type ``kind``."""
    [props] = [r["Properties"] for r in tpl["Resources"].values() if r["Type"] == kind]
    return props


@pytest.fixture
def deploy(engine: LocalEngine) -> Callable[..., Backend]:
    def deploy(case: str, change: Callable[[dict[str, Any]], None] | None = None) -> Backend:
        tpl = copy.deepcopy(template(case))
        if change is not None:
            change(tpl)
        deployment = f"{case}-{next(_ids)}"
        result = engine.deploy(deployment, tpl)
        outputs = outputs_for(case, result.physical_ids, result.region, engine.endpoint)
        Amplify.configure(outputs)
        return Backend(engine, deployment, outputs)

    return deploy
