"""A small resolver for the intrinsic functions a synthesized auth template uses.

The engine deploys from the template dict itself, so ``Ref``, ``Fn::GetAtt``,
``Fn::Join``, ``Fn::Sub``, ``Fn::Select`` and the pseudo parameters are
resolved here against the physical ids the engine assigned.
"""

from __future__ import annotations

import re
from typing import Any, Callable

__all__ = ["Resolver", "ACCOUNT_ID", "NO_VALUE"]

ACCOUNT_ID = "000000000000"
NO_VALUE = object()

_ARN_KIND = {
    "AWS::IAM::Role": "arn:aws:iam::{account}:role/{id}",
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:{id}",
    "AWS::Cognito::UserPool": "arn:aws:cognito-idp:{region}:{account}:userpool/{id}",
}


class Resolver:
    """Resolves intrinsics; ``physical(logical_id)`` returns the id the engine gave a resource."""

    def __init__(self, template: dict, region: str, stack_name: str, physical: Callable[[str], str | None]) -> None:
        self._resources = template.get("Resources", {})
        self._region = region
        self._stack = stack_name
        self._physical = physical

    def pseudo(self, name: str) -> Any:
        return {
            "AWS::Region": self._region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self._stack,
            "AWS::StackId": f"arn:aws:cloudformation:{self._region}:{ACCOUNT_ID}:stack/{self._stack}/local",
            "AWS::NoValue": NO_VALUE,
        }.get(name)

    def ref(self, name: str) -> Any:
        value = self.pseudo(name)
        if value is not None:
            return value
        return self._physical(name) or name

    def get_att(self, logical_id: str, attribute: str) -> str:
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

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(v) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                return self.get_att(parts[0], parts[1])
            if key == "Fn::Join":
                sep, items = arg
                return sep.join(str(v) for v in self.resolve(items))
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                sep, text = arg
                return str(self.resolve(text)).split(sep)
            if key == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
                return re.sub(r"\$\{([^}!]+)\}", lambda m: str(self._sub_var(m.group(1), extra)), text)
        out = {}
        for k, v in value.items():
            r = self.resolve(v)
            if r is not NO_VALUE:
                out[k] = r
        return out

    def _sub_var(self, name: str, extra: dict) -> Any:
        if name in extra:
            return extra[name]
        if "." in name:
            logical, attribute = name.split(".", 1)
            return self.get_att(logical, attribute)
        return self.ref(name)
