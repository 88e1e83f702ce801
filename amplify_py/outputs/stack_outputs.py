"""Evaluate a template's ``Outputs`` the way CloudFormation would after a deployment.

On AWS, CloudFormation hands back resolved outputs. The local engine has no
CloudFormation, so it resolves them here from the physical ids it assigned.
Only the intrinsics CDK emits for outputs are supported; anything else is a
bug to report, not a value to guess.
"""

from __future__ import annotations

from typing import Any

from amplify_py.errors import AmpyFault

__all__ = ["resolve_stack_outputs", "resolve_value"]

_PSEUDO_DEFAULTS = {"AWS::AccountId": "000000000000", "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}


def resolve_stack_outputs(
    template: dict[str, Any],
    physical_ids: dict[str, str],
    region: str,
    *,
    attributes: dict[tuple[str, str], str] | None = None,
    account_id: str = _PSEUDO_DEFAULTS["AWS::AccountId"],
    partition: str = _PSEUDO_DEFAULTS["AWS::Partition"],
    url_suffix: str = _PSEUDO_DEFAULTS["AWS::URLSuffix"],
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
        "AWS::NoValue": None,
    }
    context = _Context(template, physical_ids, attributes or {}, pseudo)
    resolved: dict[str, str] = {}
    for name, output in (template.get("Outputs") or {}).items():
        if "Condition" in output:
            raise AmpyFault("UnresolvableOutputError", f"Output {name!r} has a Condition, which cannot be evaluated locally.")
        value = context.resolve(output.get("Value"), f"Outputs.{name}.Value")
        resolved[name] = _to_output_string(value)
    return resolved


def resolve_value(
    value: Any,
    physical_ids: dict[str, str],
    region: str,
    *,
    attributes: dict[tuple[str, str], str] | None = None,
    template: dict[str, Any] | None = None,
) -> Any:
    """Resolve one template value (for callers that need a single property, e.g. a domain)."""
    pseudo = {"AWS::Region": region, **_PSEUDO_DEFAULTS, "AWS::StackName": "amplify-local", "AWS::NoValue": None}
    return _Context(template or {}, physical_ids, attributes or {}, pseudo).resolve(value, "value")


def _to_output_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return ",".join(_to_output_string(v) for v in value)
    raise AmpyFault("UnresolvableOutputError", f"An output resolved to {type(value).__name__}, not a string: {value!r}")


class _Context:
    def __init__(
        self,
        template: dict[str, Any],
        physical_ids: dict[str, str],
        attributes: dict[tuple[str, str], str],
        pseudo: dict[str, str | None],
    ) -> None:
        self.template = template
        self.physical_ids = physical_ids
        self.attributes = attributes
        self.pseudo = pseudo

    def resolve(self, value: Any, where: str) -> Any:
        if isinstance(value, list):
            return [self.resolve(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            handler = _INTRINSICS.get(key)
            if handler is not None:
                return handler(self, arg, f"{where}.{key}")
            if key.startswith("Fn::") or key == "Ref":
                raise AmpyFault("UnresolvableOutputError", f"{where}: intrinsic {key} cannot be evaluated locally.")
        return {k: self.resolve(v, f"{where}.{k}") for k, v in value.items()}

    def ref(self, name: Any, where: str) -> Any:
        if not isinstance(name, str):
            raise AmpyFault("UnresolvableOutputError", f"{where}: Ref needs a name, got {name!r}.")
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.physical_ids:
            return self.physical_ids[name]
        parameters = self.template.get("Parameters") or {}
        if name in parameters and "Default" in parameters[name]:
            return parameters[name]["Default"]
        raise AmpyFault("UnresolvableOutputError", f"{where}: no physical id for Ref {name!r}.")

    def get_att(self, arg: Any, where: str) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not (isinstance(arg, list) and len(arg) == 2):
            raise AmpyFault("UnresolvableOutputError", f"{where}: Fn::GetAtt needs [LogicalId, Attribute], got {arg!r}.")
        logical_id, attribute = arg[0], self.resolve(arg[1], where)
        try:
            return self.attributes[(logical_id, attribute)]
        except KeyError as exc:
            raise AmpyFault(
                "UnresolvableOutputError", f"{where}: no value for Fn::GetAtt {logical_id}.{attribute}."
            ) from exc

    def join(self, arg: Any, where: str) -> str:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            raise AmpyFault("UnresolvableOutputError", f"{where}: Fn::Join needs [delimiter, [values]], got {arg!r}.")
        items = self.resolve(arg[1], where)
        if not isinstance(items, list):
            raise AmpyFault("UnresolvableOutputError", f"{where}: Fn::Join values must be a list, got {items!r}.")
        return arg[0].join(_to_output_string(item) for item in items if item is not None)

    def select(self, arg: Any, where: str) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            raise AmpyFault("UnresolvableOutputError", f"{where}: Fn::Select needs [index, list], got {arg!r}.")
        index, items = self.resolve(arg[0], where), self.resolve(arg[1], where)
        try:
            return items[int(index)]
        except (IndexError, ValueError, TypeError) as exc:
            raise AmpyFault("UnresolvableOutputError", f"{where}: Fn::Select index {index!r} is not in {items!r}.") from exc

    def split(self, arg: Any, where: str) -> list[str]:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            raise AmpyFault("UnresolvableOutputError", f"{where}: Fn::Split needs [delimiter, string], got {arg!r}.")
        source = self.resolve(arg[1], where)
        if not isinstance(source, str):
            raise AmpyFault("UnresolvableOutputError", f"{where}: Fn::Split needs a string, got {source!r}.")
        return source.split(arg[0])


_INTRINSICS = {
    "Ref": _Context.ref,
    "Fn::GetAtt": _Context.get_att,
    "Fn::Join": _Context.join,
    "Fn::Select": _Context.select,
    "Fn::Split": _Context.split,
}
