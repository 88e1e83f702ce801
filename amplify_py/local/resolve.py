"""The engine's view of a template's intrinsics: the ids and ARNs it assigned.

The engine deploys from the template dict itself, so ``Ref``, ``Fn::GetAtt``,
``Fn::Join``, ``Fn::Sub``, ``Fn::Select`` and the pseudo parameters are
resolved (by the shared evaluator in ``amplify_py._cfn``, leniently) against
the physical ids the engine assigned.
"""

from __future__ import annotations

from typing import Any, Callable

from amplify_py._cfn import Intrinsics

__all__ = ["Resolver", "ACCOUNT_ID"]

ACCOUNT_ID = "000000000000"

_ARN_KIND = {
    "AWS::IAM::Role": "arn:aws:iam::{account}:role/{id}",
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:{id}",
    "AWS::Cognito::UserPool": "arn:aws:cognito-idp:{region}:{account}:userpool/{id}",
    "AWS::KMS::Key": "arn:aws:kms:{region}:{account}:key/{id}",
}


class Resolver:
    """Resolves intrinsics; ``physical(logical_id)`` returns the id the engine gave a resource."""

    def __init__(self, template: dict, region: str, stack_name: str, physical: Callable[[str], str | None]) -> None:
        self._resources = template.get("Resources", {})
        self._region = region
        self._physical = physical
        pseudo = {
            "AWS::Region": region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{ACCOUNT_ID}:stack/{stack_name}/local",
        }
        self._intrinsics = Intrinsics(template, pseudo=pseudo, physical_id=physical, get_att=self.get_att, strict=False)

    def resolve(self, value: Any) -> Any:
        """``value`` with its intrinsics evaluated; ``AWS::NoValue`` items are dropped."""
        return self._intrinsics.resolve(value)

    def get_att(self, logical_id: str, attribute: str) -> str:
        """What ``Fn::GetAtt`` returns for a resource the engine deployed (or would deploy)."""
        rtype = self._resources.get(logical_id, {}).get("Type", "")
        physical = self._physical(logical_id) or logical_id
        if attribute == "Arn":
            pattern = _ARN_KIND.get(rtype, "arn:aws:local:{region}:{account}:{id}")
            return pattern.format(region=self._region, account=ACCOUNT_ID, id=physical)
        if attribute == "ProviderName":
            return f"cognito-idp.{self._region}.amazonaws.com/{physical}"
        if attribute == "ProviderURL":
            return f"https://cognito-idp.{self._region}.amazonaws.com/{physical}"
        return physical
