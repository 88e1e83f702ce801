"""The hosted UI domain prefix: derived from the backend's identity as Amplify's defineAuth does.

Without the DSL, AmplifyAuth still needs an explicit prefix and fails with the reference's error.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from aws_cdk import App, Stack

from amplify_py import define_auth, define_backend
from amplify_py.backend.auth.construct import AmplifyAuth
from amplify_py.backend.auth.props import AuthProps, ExternalProvidersProps, LoginWithProps, ProviderProps
from amplify_py.backend.identifier import BackendIdentifier
from amplify_py.errors import AmpyUserError, DefinitionError
from amplify_py.local.deployer import new_physical_id
from amplify_py.local.model.pool import DOMAIN
from amplify_py.outputs import build_outputs, resolve_stack_outputs
from tests._reference import CASES_DIR, EXTERNAL_URLS
from tests.outputs_schema import assert_valid_outputs

SANDBOX = BackendIdentifier.sandbox("my-app", "alice")
SANDBOX_PREFIX = "a4479c3b5a14bd4113f8"  # Node: sha512 of "sandbox" "my-app" "alice", first 20 hex digits


def _external(**extra: Any) -> dict[str, Any]:
    return {"email": True, "external_providers": {"google": {"client_id": "g-id", "client_secret": "g-secret"},
                                                  **EXTERNAL_URLS, **extra}}


def _domains(template: dict[str, Any]) -> list[str]:
    return [r["Properties"]["Domain"] for r in template["Resources"].values() if r["Type"] == DOMAIN]


def _outputs(template: dict[str, Any]) -> dict[str, Any]:
    ids = {lid: (new_physical_id(r["Type"], "eu-west-1", r.get("Properties", {})) if r["Type"] == DOMAIN
                 else f"id-of-{lid}") for lid, r in template["Resources"].items()}
    outputs = build_outputs(resolve_stack_outputs(template, ids, "eu-west-1")).to_dict()
    assert_valid_outputs(outputs)
    return outputs


def test_construct_without_domain_prefix_raises_the_reference_error() -> None:
    reference = (CASES_DIR / "external_no_domain_prefix.error.txt").read_text().removeprefix("Error: ").strip()
    props = AuthProps(login_with=LoginWithProps(email=True, external_providers=ExternalProvidersProps(
        callback_urls=("https://a.example/",), logout_urls=("https://a.example/",),
        google=ProviderProps(client_id="g-id", client_secret="g-secret"))))
    with pytest.raises(ValueError, match=re.escape(reference)):
        AmplifyAuth(Stack(App(), "NoPrefix"), "amplifyAuth", props)


def test_sandbox_backend_gets_the_stable_backend_hash_as_domain_prefix() -> None:
    backend = define_backend(auth=define_auth(login_with=_external()))
    backend.configure(backend_id=SANDBOX)
    template = backend.synth()
    assert _domains(template) == [SANDBOX_PREFIX]
    assert backend.stack_name != SANDBOX.stack_name  # the prefix follows the identity, not the stack name
    oauth = _outputs(template)["auth"]["oauth"]
    assert oauth["domain"] == f"{SANDBOX_PREFIX}.auth.eu-west-1.amazoncognito.com"
    # the identity is in the CDK context under Amplify's keys, as ampx passes it
    assert backend.app.node.try_get_context("amplify-backend-name") == "alice"


def test_identity_from_cdk_context() -> None:
    """`cdk synth -c amplify-backend-namespace=... -c amplify-backend-name=... -c amplify-backend-type=branch`."""
    branch = BackendIdentifier.branch("d1a2b3c4", "main")
    backend = define_backend(auth=define_auth(login_with=_external()))
    backend.configure(context=branch.to_context())
    template = backend.synth()
    assert backend.backend_id == branch
    assert _domains(template) == [branch.stable_backend_hash()]


def test_explicit_domain_prefix_is_kept() -> None:
    backend = define_backend(auth=define_auth(login_with=_external(domain_prefix="my-login")))
    backend.configure(backend_id=SANDBOX)
    template = backend.synth()
    assert _domains(template) == ["my-login"]
    assert _outputs(template)["auth"]["oauth"]["domain"] == "my-login.auth.eu-west-1.amazoncognito.com"


def test_backend_without_identity_or_prefix_says_how_to_fix() -> None:
    backend = define_backend(auth=define_auth(login_with=_external()))
    with pytest.raises(AmpyUserError, match=r"no domain_prefix and the backend has no identity") as info:
        backend.synth()
    assert info.value.name == "MissingDomainPrefixError"
    assert "amplify-backend-namespace" in info.value.resolution


@pytest.mark.parametrize(("prefix", "reason"), [
    ("My_App", "lowercase letters, digits and hyphens"),
    ("my-aws-login", "must not contain 'aws'"),
])
def test_invalid_explicit_domain_prefix_is_a_definition_problem(prefix: str, reason: str) -> None:
    with pytest.raises(DefinitionError, match=re.escape(reason)) as info:
        define_auth(login_with=_external(domain_prefix=prefix))
    assert [p.path for p in info.value.problems] == ["login_with.external_providers.domain_prefix"]
