"""Writing amplify_outputs.json / .dart as ampx does, and never half-written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from amplify_py.errors import AmpyUserError
from amplify_py.outputs import build_outputs, format_outputs, resolve_stack_outputs, write_outputs
from amplify_py import _files
from tests.outputs_schema import assert_valid_outputs

CASES_DIR = Path(__file__).resolve().parents[1] / "data" / "reference" / "cases"


@pytest.fixture(scope="module")
def outputs():
    template = json.loads((CASES_DIR / "external_google.template.json").read_text())
    ids = {lid: "${" + lid + "}" for lid in template["Resources"]}
    return build_outputs(resolve_stack_outputs(template, ids, "${AWS::Region}"))


def test_json_file_is_json_stringify_with_two_spaces(tmp_path: Path, outputs) -> None:
    path = write_outputs(outputs, tmp_path)
    assert path == tmp_path / "amplify_outputs.json"
    text = path.read_text()
    assert text + "\n" == (CASES_DIR / "external_google.amplify_outputs.json").read_text()
    assert not text.endswith("\n")
    assert_valid_outputs(path)


def test_dart_file_wraps_the_json_in_a_raw_string(tmp_path: Path, outputs) -> None:
    path = write_outputs(outputs, tmp_path, "dart")
    assert path == tmp_path / "amplify_outputs.dart"
    text = path.read_text()
    prefix, suffix = "const amplifyConfig = r'''", "''';"
    assert text.startswith(prefix) and text.endswith(suffix)
    body = text[len(prefix) : -len(suffix)]
    assert body == outputs.to_json()
    # Values with '$' survive because the raw string disables Dart interpolation.
    assert "${AWS::Region}" in body
    assert_valid_outputs(json.loads(body))


def test_out_dir_is_created(tmp_path: Path, outputs) -> None:
    path = write_outputs(outputs, tmp_path / "src" / "config")
    assert path.read_text() == outputs.to_json()


def test_unknown_format_is_a_user_error(outputs) -> None:
    with pytest.raises(AmpyUserError, match=r"Unsupported outputs format 'mjs'"):
        format_outputs(outputs, "mjs")  # type: ignore[arg-type]


def test_failure_mid_write_leaves_the_old_file_intact(tmp_path: Path, outputs, monkeypatch) -> None:
    target = tmp_path / "amplify_outputs.json"
    target.write_text('{"version": "1.5"}')

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_files.os, "replace", broken_replace)
    with pytest.raises(OSError, match=r"No space left on device"):
        write_outputs(outputs, tmp_path)
    assert target.read_text() == '{"version": "1.5"}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["amplify_outputs.json"]


def test_failure_while_writing_the_temp_file_leaves_no_debris(tmp_path: Path, outputs, monkeypatch) -> None:
    target = tmp_path / "amplify_outputs.json"
    target.write_text("old")

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(_files.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match=r"Input/output error"):
        write_outputs(outputs, tmp_path)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["amplify_outputs.json"]


def test_rewrite_keeps_the_file_mode(tmp_path: Path, outputs) -> None:
    target = tmp_path / "amplify_outputs.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_outputs(outputs, tmp_path)
    assert target.stat().st_mode & 0o777 == 0o640


def test_unwritable_directory_is_a_permissions_error(tmp_path: Path, outputs, monkeypatch) -> None:
    def denied(**kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_files.tempfile, "mkstemp", denied)
    with pytest.raises(AmpyUserError, match=r"You do not have the permissions to write to this file: .*amplify_outputs\.json"):
        write_outputs(outputs, tmp_path)
