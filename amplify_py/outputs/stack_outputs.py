"""Evaluate a template's ``Outputs`` the way CloudFormation would after a deployment.

On AWS, CloudFormation hands back resolved outputs. The local engine has no
CloudFormation, so they are resolved here from the physical ids it assigned,
by the shared evaluator in ``amplify_py._cfn`` in its strict mode: anything it
cannot evaluate is a bug to report, not a value to guess.
"""

from __future__ import annotations

from typing import Any

from amplify_py._cfn import IntrinsicError, Intrinsics, to_string
from amplify_py.errors import AmpyFault

__all__ = ["resolve_stack_outputs"]

_FAULT = "UnresolvableOutputError"


def resolve_stack_outputs(
    template: dict[str, Any],
    physical_ids: dict[str, str],
    region: str,
    *,
    attributes: dict[tuple[str, str], str] | None = None,
    account_id: str = "000000000000",
    partition: str = "aws",
    url_suffix: str = "amazonaws.com",
    stack_name: str = "amplify-local",
) -> dict[str, str]:
    """Resolve every output of ``template`` to a string, keyed by output name (template order).

    ``physical_ids`` maps logical id → what ``Ref`` returns; ``attributes`` maps
    ``(logical id, attribute)`` → what ``Fn::GetAtt`` returns.
    """
    pseudo = {
        "AWS::Region": region,
        "AWS::AccountId": account_id,
        "AWS::Partition": partition,
        "AWS::URLSuffix": url_suffix,
        "AWS::StackName": stack_name,
    }
    known = attributes or {}
    intrinsics = Intrinsics(
        template,
        pseudo=pseudo,
        physical_id=physical_ids.get,
        get_att=lambda logical_id, attribute: known.get((logical_id, attribute)),
        strict=True,
    )
    resolved: dict[str, str] = {}
    for name, output in (template.get("Outputs") or {}).items():
        if "Condition" in output:
            raise AmpyFault(_FAULT, f"Output {name!r} has a Condition, which cannot be evaluated locally.")
        try:
            resolved[name] = to_string(intrinsics.resolve(output.get("Value"), f"Outputs.{name}.Value"), "An output")
        except IntrinsicError as exc:
            raise AmpyFault(_FAULT, str(exc)) from exc
    return resolved
