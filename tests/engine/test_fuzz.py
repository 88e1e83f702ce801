"""A bounded, seeded batch of bad requests to every operation (tests/engine/fuzzing.py): never a 5xx, never a
dropped connection, never a request left unanswered, and every 4xx in Cognito's format. ``benchmarks/fuzz.py``
runs the long version (10,000 requests)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pytest

from amplify_py.local import LocalEngine
from tests.engine.conftest import CASES, CLIENT, IDENTITY_POOL, POOL
from tests.engine.fuzzing import Fuzzer, Ids, operations, prepare, send_all

PER_OPERATION = 16
STACKS = [("h11", "asyncio", 20261201), ("httptools", "uvloop", 11)]
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"]


@pytest.fixture(scope="module", params=STACKS, ids=[f"{h}+{loop}" for h, loop, _ in STACKS])
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalEngine, Ids, int]]:
    http, loop, seed = request.param
    pytest.importorskip(http)
    if loop == "uvloop":
        pytest.importorskip("uvloop")
    body = copy.deepcopy(json.loads((CASES / "groups.template.json").read_text()))
    body["Resources"][CLIENT]["Properties"]["ExplicitAuthFlows"] = FLOWS
    engine = LocalEngine(tmp_path_factory.mktemp(f"fuzz-{http}")).start(http=http, loop=loop)
    ids = engine.deploy("fuzz", body).physical_ids
    yield engine, prepare(engine.endpoint, ids[POOL], ids[CLIENT], ids[IDENTITY_POOL],
                          credentials=engine.credentials), seed
    engine.stop()


def test_every_operation_answers_every_bad_request_with_a_cognito_4xx(target: tuple[LocalEngine, Ids, int]) -> None:
    engine, ids, seed = target
    count = PER_OPERATION * len(operations())
    outcome = send_all(engine.host, engine.port, Fuzzer(seed, ids).requests(count), credentials=engine.credentials)
    assert outcome.sent == count
    assert outcome.failures == []
    assert (outcome.server_errors, outcome.dropped, outcome.hangs, outcome.not_cognito_errors) == (0, 0, 0, 0)
    # the batch reached past the first checks: the model's constraints, lookups and the operations' own rules
    assert {"SerializationException", "InvalidParameterException", "ResourceNotFoundException",
            "NotAuthorizedException", "UserNotFoundException"} <= set(outcome.error_types)
    assert outcome.statuses.get(200, 0) > 0


def test_the_batch_covers_every_operation_the_engine_serves_and_repeats_for_a_seed() -> None:
    ids = Ids(pool_id="us-east-1_x", client_id="c", username="u@example.com", password="p")
    count = 3 * len(operations())
    first = list(Fuzzer(7, ids).requests(count))
    assert {r.operation for r in first} == {name for _, name in operations()}
    assert [(r.target, r.body, r.headers) for r in first] == [
        (r.target, r.body, r.headers) for r in Fuzzer(7, ids).requests(count)]
    assert [r.body for r in first] != [r.body for r in Fuzzer(8, ids).requests(count)]
