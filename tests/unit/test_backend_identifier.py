"""The backend identity rules of amplify-backend: stable backend hash, SSM parameter paths, CDK context."""

from __future__ import annotations

import hashlib

import pytest

from amplify_py.backend.auth.validation import domain_prefix_problem
from amplify_py.backend.identifier import BackendIdentifier


def test_stable_backend_hash_matches_amplify_test_vector() -> None:
    # amplify-backend packages/backend/src/backend_id_scoped_stable_backend_identifiers.test.ts
    assert BackendIdentifier("testBackendId", "testBranchName", "branch").stable_backend_hash() == "00034dcf3444861c3ca5"


def test_stable_backend_hash_is_sha512_over_type_namespace_name() -> None:
    backend_id = BackendIdentifier.sandbox("my-app", "alice")
    expected = hashlib.sha512(b"sandbox" + b"my-app" + b"alice").hexdigest()[:20]
    # vector computed with Node: createHash("sha512").update("sandbox").update("my-app").update("alice")
    assert backend_id.stable_backend_hash() == expected == "a4479c3b5a14bd4113f8"
    # a different sandbox of the same app, or the same names as a branch, get another domain
    assert BackendIdentifier.sandbox("my-app", "bob").stable_backend_hash() != expected
    assert BackendIdentifier.branch("my-app", "alice").stable_backend_hash() != expected


@pytest.mark.parametrize("backend_id", [
    BackendIdentifier.sandbox("my-app", "alice"),
    BackendIdentifier.branch("d1a2b3c4", "main"),
    BackendIdentifier("Weird_Name!!", "x" * 60, "standalone"),
])
def test_stable_backend_hash_is_a_valid_cognito_domain_prefix(backend_id: BackendIdentifier) -> None:
    prefix = backend_id.stable_backend_hash()
    assert len(prefix) == 20
    assert domain_prefix_problem(prefix) is None


def test_domain_prefix_rules() -> None:
    assert domain_prefix_problem("my-app-1") is None
    assert "lowercase letters, digits and hyphens" in domain_prefix_problem("MyApp")
    assert "lowercase letters, digits and hyphens" in domain_prefix_problem("-app")
    assert "lowercase letters, digits and hyphens" in domain_prefix_problem("a" * 64)
    assert domain_prefix_problem("a" * 63) is None
    assert "must not contain 'aws'" in domain_prefix_problem("my-aws-app")
    assert "must not contain 'amazon'" in domain_prefix_problem("amazonapp")
    assert "must not contain 'cognito'" in domain_prefix_problem("mycognito")


def test_stack_name_and_parameter_path_follow_amplify() -> None:
    backend_id = BackendIdentifier.sandbox("my-app", "alice")
    short = hashlib.sha512(b"my-app" + b"alice").hexdigest()[:10]
    assert backend_id.stack_name == f"amplify-myapp-alice-sandbox-{short}"
    # ParameterPathConversions: the identifier round-tripped through the stack name
    assert backend_id.parameter_prefix() == f"/amplify/myapp/alice-sandbox-{short}"
    assert backend_id.parameter_path("GOOGLE_ID") == f"/amplify/myapp/alice-sandbox-{short}/GOOGLE_ID"


def test_cdk_context_round_trip() -> None:
    backend_id = BackendIdentifier.branch("d1a2b3c4", "main")
    context = backend_id.to_context()
    assert context == {"amplify-backend-namespace": "d1a2b3c4", "amplify-backend-name": "main",
                       "amplify-backend-type": "branch"}
    assert BackendIdentifier.from_context(context.get) == backend_id
    assert BackendIdentifier.from_context({**context, "amplify-backend-type": "other"}.get) is None
    assert BackendIdentifier.from_context({}.get) is None
