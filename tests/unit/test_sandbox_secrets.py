"""Sandbox secret stores: the local file (0600, atomic, versioned) and SSM at ampx's paths (botocore Stubber)."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from amplify_py.backend.identifier import BackendIdentifier
from amplify_py.backend.secret import SecretNotSetError, secret_resolver
from amplify_py.errors import AmpyFault, AmpyUserError
from amplify_py.sandbox.secrets import LocalSecretStore, SsmSecretStore

VALUE = "s3cr3t-value-never-shown"


def _local(tmp_path: Path, identifier: str = "alice") -> LocalSecretStore:
    return LocalSecretStore(tmp_path / ".amplify" / "sandbox" / identifier, identifier, default_identifier="alice")


def test_local_set_get_list_remove(tmp_path: Path) -> None:
    store = _local(tmp_path)
    assert store.list() == []
    first = store.set("GOOGLE_ID", "one")
    second = store.set("GOOGLE_ID", VALUE)
    store.set("APPLE_KEY", "k")
    assert (first.version, second.version) == (1, 2)
    got = store.get("GOOGLE_ID")
    assert (got.name, got.version, got.value) == ("GOOGLE_ID", 2, VALUE)
    assert got.last_updated is not None and got.last_updated.tzinfo is not None
    assert [r.name for r in store.list()] == ["APPLE_KEY", "GOOGLE_ID"]
    assert all(r.value is None for r in store.list())
    assert store.get_value("GOOGLE_ID") == VALUE and store.get_value("NOPE") is None
    store.remove("APPLE_KEY")
    assert [r.name for r in store.list()] == ["GOOGLE_ID"]
    assert store.remove_all() == ["GOOGLE_ID"] and store.list() == []
    assert VALUE not in repr(got)


def test_local_file_is_private_and_written_atomically(tmp_path: Path) -> None:
    store = _local(tmp_path)
    store.set("A", VALUE)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.path.chmod(0o644)  # a rewrite makes it private again
    store.set("B", "x")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert sorted(json.loads(store.path.read_text())["secrets"]) == ["A", "B"]
    assert [p.name for p in store.path.parent.iterdir()] == ["secrets.json"]  # no temporary files left


def test_local_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _local(tmp_path)
    store.set("A", "old")

    def fail(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        store.set("A", "new")
    monkeypatch.undo()
    assert store.get("A").value == "old"
    assert [p.name for p in store.path.parent.iterdir()] == ["secrets.json"]


def test_local_errors_name_the_secret_and_the_command(tmp_path: Path) -> None:
    store = _local(tmp_path, "feature1")
    with pytest.raises(AmpyUserError, match=r"Failed to get GOOGLE_ID secret: it is not set for sandbox feature1") as info:
        store.get("GOOGLE_ID")
    assert "`ampy sandbox secret set GOOGLE_ID --identifier feature1`" in info.value.resolution
    with pytest.raises(AmpyUserError, match="Failed to remove GOOGLE_ID secret"):
        store.remove("GOOGLE_ID")
    with pytest.raises(AmpyUserError, match=r"Invalid secret name provided: a/b") as info:
        store.set("a/b", "x")
    assert info.value.resolution == "Use a secret name that matches [a-zA-Z0-9_.-]+"


def test_local_corrupt_file_does_not_leak_its_content(tmp_path: Path) -> None:
    store = _local(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_text('{"secrets": {"A": {"value": "' + VALUE + '"')
    with pytest.raises(AmpyUserError, match="is not a valid secrets file") as info:
        store.list()
    assert VALUE not in str(info.value)


def test_resolver_reads_the_store_then_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _local(tmp_path, "feature1")
    store.set("GOOGLE_ID", "from-store")
    monkeypatch.setenv("AMPY_SECRET_GOOGLE_ID", "from-env")
    monkeypatch.setenv("AMPY_SECRET_OTHER", "other-from-env")
    monkeypatch.delenv("AMPY_SECRET_MISSING", raising=False)
    resolve = secret_resolver(store, set_command=store.set_command)
    assert resolve("GOOGLE_ID") == "from-store"
    assert resolve("OTHER") == "other-from-env"
    with pytest.raises(SecretNotSetError, match=r"The secret 'MISSING' has no value\.") as info:
        resolve("MISSING")
    assert info.value.resolution.startswith("Set it with `ampy sandbox secret set MISSING --identifier feature1`, or set")
    assert "AMPY_SECRET_MISSING" in info.value.resolution


# -- SSM --------------------------------------------------------------------------------------------

SANDBOX = BackendIdentifier.sandbox("my-app", "alice")
PREFIX = SANDBOX.parameter_prefix()


@pytest.fixture
def ssm() -> tuple[SsmSecretStore, Stubber]:
    client = boto3.client("ssm", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(client) as stubber:
        yield SsmSecretStore(SANDBOX, client=client, default_identifier="alice"), stubber
        stubber.assert_no_pending_responses()


def test_ssm_set_get_list_remove_use_ampx_paths(ssm: tuple[SsmSecretStore, Stubber]) -> None:
    store, stubber = ssm
    when = datetime(2026, 1, 2, tzinfo=timezone.utc)
    stubber.add_response("put_parameter", {"Version": 3}, {
        "Name": f"{PREFIX}/GOOGLE_ID", "Type": "SecureString", "Value": VALUE, "Description": "Amplify Secret",
        "Overwrite": True})
    stubber.add_response("get_parameter", {"Parameter": {
        "Name": f"{PREFIX}/GOOGLE_ID", "Value": VALUE, "Version": 3, "LastModifiedDate": when}},
        {"Name": f"{PREFIX}/GOOGLE_ID", "WithDecryption": True})
    stubber.add_response("get_parameters_by_path", {"Parameters": [{"Name": f"{PREFIX}/A", "Value": "1", "Version": 1}],
                                                    "NextToken": "t"}, {"Path": PREFIX, "WithDecryption": True})
    stubber.add_response("get_parameters_by_path", {"Parameters": [{"Name": f"{PREFIX}/B", "Value": "2", "Version": 4}]},
                         {"Path": PREFIX, "WithDecryption": True, "NextToken": "t"})
    stubber.add_response("delete_parameter", {}, {"Name": f"{PREFIX}/GOOGLE_ID"})

    assert store.set("GOOGLE_ID", VALUE).version == 3
    got = store.get("GOOGLE_ID")
    assert (got.value, got.version, got.last_updated) == (VALUE, 3, when)
    assert [(r.name, r.version) for r in store.list()] == [("A", 1), ("B", 4)]
    store.remove("GOOGLE_ID")


def test_ssm_missing_parameter_and_credentials_errors(ssm: tuple[SsmSecretStore, Stubber]) -> None:
    store, stubber = ssm
    stubber.add_client_error("get_parameter", "ParameterNotFound", "not there")
    stubber.add_client_error("get_parameter", "ParameterNotFound", "not there")
    stubber.add_client_error("put_parameter", "ExpiredTokenException", "expired")
    stubber.add_client_error("delete_parameter", "ThrottlingException", "slow down")
    with pytest.raises(AmpyUserError, match=r"Failed to get GOOGLE_ID secret\. ParameterNotFound: not there") as info:
        store.get("GOOGLE_ID")
    assert info.value.name == "SSMParameterNotFoundError"
    assert "`ampy sandbox secret set GOOGLE_ID --target aws`" in info.value.resolution
    assert store.get_value("GOOGLE_ID") is None
    with pytest.raises(AmpyUserError, match=r"Failed to set secrets\. ExpiredTokenException: expired") as info:
        store.set("GOOGLE_ID", VALUE)
    assert info.value.name == "SSMCredentialsError" and VALUE not in str(info.value)
    with pytest.raises(AmpyFault, match=r"Failed to remove secrets\. ThrottlingException: slow down"):
        store.remove("GOOGLE_ID")


def test_ssm_unknown_profile_is_a_user_error() -> None:
    store = SsmSecretStore(SANDBOX, profile="no-such-profile-for-ampy-tests")
    with pytest.raises(AmpyUserError, match=r"Failed to create an SSM client\. ProfileNotFound") as info:
        store.list()
    assert info.value.name == "SSMCredentialsError"
