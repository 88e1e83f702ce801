"""Deployment records under <project>/.amplify/deployments."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from amplify_py.deploy.records import (
    DeploymentRecord,
    default_identifier,
    delete_record,
    list_records,
    load_record,
    outputs_for_record,
    save_record,
    validate_identifier,
)
from amplify_py.errors import AmpyUserError
from amplify_py import _files


def _record(identifier: str = "alice", **overrides) -> DeploymentRecord:
    values = {
        "identifier": identifier,
        "target": "local",
        "stack_name": f"amplify-app-{identifier}-sandbox-0123456789",
        "region": "us-east-1",
        "stack_outputs": {"userPoolId": "us-east-1_abc", "authRegion": "us-east-1"},
        "custom": {"local_engine": {"user_pool_endpoint": "http://127.0.0.1:4566"}},
        "deployed_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    }
    values.update(overrides)
    return DeploymentRecord(**values)


def test_save_then_load(tmp_path: Path) -> None:
    record = _record()
    path = save_record(tmp_path, record)
    assert path == tmp_path / ".amplify" / "deployments" / "alice.json"
    stored = json.loads(path.read_text())
    assert stored == {
        "identifier": "alice",
        "target": "local",
        "stack_name": "amplify-app-alice-sandbox-0123456789",
        "region": "us-east-1",
        "stack_outputs": {"userPoolId": "us-east-1_abc", "authRegion": "us-east-1"},
        "custom": {"local_engine": {"user_pool_endpoint": "http://127.0.0.1:4566"}},
        "deployed_at": "2026-01-02T03:04:05Z",
    }
    assert load_record(tmp_path, "alice") == record


def test_save_replaces_atomically(tmp_path: Path, monkeypatch) -> None:
    save_record(tmp_path, _record())

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_files.os, "replace", broken_replace)
    with pytest.raises(OSError, match=r"No space left"):
        save_record(tmp_path, _record(region="eu-west-1"))
    monkeypatch.undo()
    assert load_record(tmp_path, "alice").region == "us-east-1"
    assert [p.name for p in (tmp_path / ".amplify" / "deployments").iterdir()] == ["alice.json"]


def test_missing_record_says_what_and_how(tmp_path: Path) -> None:
    with pytest.raises(AmpyUserError, match=r"No sandbox deployment named bob in .*\.") as info:
        load_record(tmp_path, "bob")
    assert info.value.name == "DeploymentNotFoundError"
    assert "Run `ampy sandbox` first" in info.value.resolution


def test_missing_record_lists_existing_ones(tmp_path: Path) -> None:
    save_record(tmp_path, _record("alice"))
    with pytest.raises(AmpyUserError, match=r"No sandbox deployment named bob") as info:
        load_record(tmp_path, "bob")
    assert "(existing: alice)" in info.value.resolution


def test_corrupt_record_is_a_user_error(tmp_path: Path) -> None:
    path = save_record(tmp_path, _record())
    path.write_text('{"identifier": "alice"}')
    with pytest.raises(AmpyUserError, match=r"The deployment record .*alice\.json is not valid"):
        load_record(tmp_path, "alice")


def test_delete_and_list(tmp_path: Path) -> None:
    assert list_records(tmp_path) == []
    save_record(tmp_path, _record("bob", target="aws"))
    save_record(tmp_path, _record("alice"))
    assert [r.identifier for r in list_records(tmp_path)] == ["alice", "bob"]
    assert delete_record(tmp_path, "alice") is True
    assert delete_record(tmp_path, "alice") is False
    assert [r.identifier for r in list_records(tmp_path)] == ["bob"]


def test_deployed_at_defaults_to_now_in_utc() -> None:
    record = DeploymentRecord(identifier="a", target="aws", stack_name="s", region="r", stack_outputs={})
    assert record.deployed_at.tzinfo is not None
    assert record.custom == {}


def test_target_must_be_local_or_aws() -> None:
    with pytest.raises(ValueError, match=r"Input should be 'local' or 'aws'"):
        _record(target="gcp")


@pytest.mark.parametrize("bad", ["", "..", "a/b", "a\\b"])
def test_identifiers_that_are_not_file_names_are_rejected(tmp_path: Path, bad: str) -> None:
    with pytest.raises(AmpyUserError, match=r"Invalid sandbox identifier"):
        load_record(tmp_path, bad)


def test_explicit_identifier_follows_ampx_rule() -> None:
    assert validate_identifier("my-sandbox-01") == "my-sandbox-01"
    with pytest.raises(AmpyUserError, match=r"Invalid --identifier provided: has_underscore"):
        validate_identifier("has_underscore")
    with pytest.raises(AmpyUserError, match=r"Invalid --identifier provided: sixteen-chars-xx"):
        validate_identifier("sixteen-chars-xx")


def test_default_identifier_is_the_os_user(monkeypatch) -> None:
    monkeypatch.setenv("LOGNAME", "carol")
    monkeypatch.setenv("USER", "carol")
    assert default_identifier() == "carol"


def test_outputs_for_record_adds_custom_entries() -> None:
    record = _record(stack_outputs={}, custom={"local_engine": {"user_pool_endpoint": "http://127.0.0.1:1"}})
    assert outputs_for_record(record, "1.3").to_dict() == {
        "version": "1.3",
        "custom": {"local_engine": {"user_pool_endpoint": "http://127.0.0.1:1"}},
    }
    assert outputs_for_record(_record(stack_outputs={}, custom={})).to_dict() == {"version": "1.5"}
