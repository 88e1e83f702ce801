"""Stack names follow amplify-backend's BackendIdentifierConversions exactly (its own test vectors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplify_py.sandbox.identifiers import (
    app_name,
    backend_stack_name,
    branch_stack_name,
    default_identifier,
    identifier_flag,
    sandbox_stack_name,
    validate_identifier,
)


@pytest.mark.parametrize(
    ("namespace", "name", "kind", "expected"),
    [
        (
            't-_e.s,@ t--T@,,  !@#$%^&*(){}:":<>?/|\\[]   H/I. .S',
            "t-_h.i,@ ng1-&&%2@@3-   _",
            "branch",
            "amplify-testTHIS-thing123-branch-70899a9dd1",
        ),
        (
            "reasonableName",
            "InsanelyLongUserNameProvidedByCustomerDoNotKnowWhatCustomersAreThinkingWhenChoosingThisGreatBigName",
            "sandbox",
            "amplify-reasonableName-InsanelyLongUserNameProvidedByCustomerDoNotKnowWha-sandbox-25ed708259",
        ),
        (
            "InsanelyLongNamespaceProvidedByCustomerDoNotKnowWhatCustomersAreThinkingWhenChoosingThisGreatBigNameButItIsStillTheoreticallyPossible",
            "userName",
            "sandbox",
            "amplify-InsanelyLongNamespaceProvidedByCustomerDoNotKnowWhatCustomersAreThinkingWhenChoosingThisGre-userName-sandbox-119c592989",
        ),
        (
            "InsanelyLongNameProvidedByCustomerDoNotKnowWhatCustomersAreThinkingWhenChoosingThisGreatBigNameButItIsStillTheoreticallyPossible",
            "InsanelyLongUserNameProvidedByCustomerDoNotKnowWhatCustomersAreThinkingWhenChoosingThisGreatBigName",
            "sandbox",
            "amplify-InsanelyLongNameProvidedByCustomerDoNotKnowWhatCu-InsanelyLongUserNameProvidedByCustomerDoNotKnowWha-sandbox-4abbed907b",
        ),
    ],
)
def test_stack_names_match_amplify(namespace: str, name: str, kind: str, expected: str) -> None:
    actual = backend_stack_name(namespace, name, kind)
    assert actual == expected
    assert len(actual) <= 128


def test_explicit_hash_passes_through() -> None:
    assert backend_stack_name("reasonableName", "userName", "sandbox", "testHash") == (
        "amplify-reasonableName-userName-sandbox-testHash"
    )


def test_branch_stack_name_uses_app_id_and_branch() -> None:
    name = branch_stack_name("d1a2b3c4", "main")
    assert name.startswith("amplify-d1a2b3c4-main-branch-")
    assert len(name.rsplit("-", 1)[1]) == 10


def test_app_name_from_pyproject_else_folder(tmp_path: Path) -> None:
    project = tmp_path / "my-app"
    project.mkdir()
    assert app_name(project) == "my-app"
    (project / "pyproject.toml").write_text('[project]\nname = "notes-app"\n')
    assert app_name(project) == "notes-app"
    assert sandbox_stack_name(project, "alice") == backend_stack_name("notes-app", "alice", "sandbox")
    assert sandbox_stack_name(project, "alice").startswith("amplify-notesapp-alice-sandbox-")


def test_broken_pyproject_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\nname=")
    with pytest.raises(Exception, match="is not valid TOML"):
        app_name(tmp_path)


@pytest.mark.parametrize("bad", ["", "has space", "sixteen-chars-xx", "dot.name", "ünï"])
def test_identifier_validation(bad: str) -> None:
    with pytest.raises(Exception, match="Invalid --identifier provided"):
        validate_identifier(bad)


def test_identifier_accepts_ampx_pattern() -> None:
    assert validate_identifier("alice-2") == "alice-2"


def test_identifier_flag_names_only_a_non_default_sandbox() -> None:
    assert identifier_flag(default_identifier()) == ""
    assert identifier_flag("second") == " --identifier second"
