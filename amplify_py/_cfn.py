"""One evaluator for the CloudFormation intrinsics a synthesized template uses.

Two places evaluate intrinsics without CloudFormation: the local engine, which
deploys resource properties from the template dict, and the outputs, which
resolve a template's ``Outputs`` after a local deployment. They differ only in
what they do with what they cannot know: the engine is lenient (an unknown
``Ref`` stays the name, an unknown intrinsic stays a plain map), the outputs are
strict (anything unknown is a bug to report, not a value to guess).

Neutral on purpose: no DSL, CDK, engine or outputs import, so both sides can use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["NO_VALUE", "IntrinsicError", "Intrinsics", "to_string"]

NO_VALUE = object()
"""What ``{"Ref": "AWS::NoValue"}`` evaluates to; dropped from the lists and maps that hold it."""

_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


class IntrinsicError(ValueError):
    """A value that cannot be evaluated; the message says where in the template and why."""


class Intrinsics:
    """Evaluates ``Ref``, ``Fn::GetAtt``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split`` and ``Fn::Sub``.

    ``pseudo`` maps pseudo parameters (``AWS::Region``, ...) to their values;
    ``physical_id(logical_id)`` is what ``Ref`` returns for a resource and
    ``get_att(logical_id, attribute)`` what ``Fn::GetAtt`` returns, ``None`` where unknown.
    A ``Ref`` to a template parameter falls back to its ``Default``. With ``strict``,
    anything still unknown raises ``IntrinsicError``; without, an unknown ``Ref``
    evaluates to the name, an unknown ``Fn::GetAtt`` to the logical id, and an
    unknown intrinsic stays a map whose values are evaluated.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        pseudo: Mapping[str, Any],
        physical_id: Callable[[str], Any],
        get_att: Callable[[str, str], Any],
        strict: bool,
    ) -> None:
        self._parameters = template.get("Parameters") or {}
        self._pseudo = {**pseudo, "AWS::NoValue": NO_VALUE}
        self._physical_id = physical_id
        self._get_att = get_att
        self._strict = strict

    def resolve(self, value: Any, where: str = "value") -> Any:
        """``value`` with every intrinsic in it evaluated; ``where`` names it in error messages."""
        if isinstance(value, list):
            items = (self.resolve(item, f"{where}[{i}]") for i, item in enumerate(value))
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            handler = _INTRINSICS.get(key)
            if handler is not None:
                return handler(self, arg, f"{where}.{key}")
            if self._strict and (key.startswith("Fn::") or key == "Ref"):
                raise IntrinsicError(f"{where}: intrinsic {key} cannot be evaluated locally.")
        resolved = ((k, self.resolve(v, f"{where}.{k}")) for k, v in value.items())
        return {k: v for k, v in resolved if v is not NO_VALUE}

    def ref(self, name: Any, where: str) -> Any:
        if not isinstance(name, str):
            raise IntrinsicError(f"{where}: Ref needs a name, got {name!r}.")
        if name in self._pseudo:
            return self._pseudo[name]
        physical = self._physical_id(name)
        if physical is not None:
            return physical
        parameter = self._parameters.get(name) or {}
        if "Default" in parameter:
            return parameter["Default"]
        if self._strict:
            raise IntrinsicError(f"{where}: no physical id for Ref {name!r}.")
        return name

    def get_att(self, arg: Any, where: str) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not (isinstance(arg, list) and len(arg) == 2):
            raise IntrinsicError(f"{where}: Fn::GetAtt needs [LogicalId, Attribute], got {arg!r}.")
        logical_id, attribute = arg[0], self.resolve(arg[1], where)
        value = self._get_att(logical_id, attribute)
        if value is not None:
            return value
        if self._strict:
            raise IntrinsicError(f"{where}: no value for Fn::GetAtt {logical_id}.{attribute}.")
        return logical_id

    def join(self, arg: Any, where: str) -> str:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            raise IntrinsicError(f"{where}: Fn::Join needs [delimiter, [values]], got {arg!r}.")
        items = self.resolve(arg[1], where)
        if not isinstance(items, list):
            raise IntrinsicError(f"{where}: Fn::Join values must be a list, got {items!r}.")
        return arg[0].join(to_string(item, f"{where}: a value") for item in items if item is not None)

    def select(self, arg: Any, where: str) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            raise IntrinsicError(f"{where}: Fn::Select needs [index, list], got {arg!r}.")
        index, items = self.resolve(arg[0], where), self.resolve(arg[1], where)
        try:
            return items[int(index)]
        except (IndexError, ValueError, TypeError, KeyError) as exc:
            raise IntrinsicError(f"{where}: Fn::Select index {index!r} is not in {items!r}.") from exc

    def split(self, arg: Any, where: str) -> list[str]:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            raise IntrinsicError(f"{where}: Fn::Split needs [delimiter, string], got {arg!r}.")
        source = self.resolve(arg[1], where)
        if not isinstance(source, str):
            raise IntrinsicError(f"{where}: Fn::Split needs a string, got {source!r}.")
        return source.split(arg[0])

    def sub(self, arg: Any, where: str) -> str:
        if isinstance(arg, str):
            text, variables = arg, {}
        elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
            text, variables = arg[0], self.resolve(arg[1], where)
        else:
            raise IntrinsicError(f"{where}: Fn::Sub needs a string or [string, {{variables}}], got {arg!r}.")

        def variable(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                value = variables[name]
            elif "." in name:
                value = self.get_att(name, where)
            else:
                value = self.ref(name, where)
            return to_string(value, f"{where}: ${{{name}}}")

        return _SUB_VARIABLE.sub(variable, text)


def to_string(value: Any, what: str) -> str:
    """``value`` as CloudFormation renders it into a string (booleans lower case, lists comma-joined)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return ",".join(to_string(item, what) for item in value)
    if value is NO_VALUE:
        raise IntrinsicError(f"{what} resolved to AWS::NoValue, not a string")
    raise IntrinsicError(f"{what} resolved to {type(value).__name__}, not a string: {value!r}")


_INTRINSICS: dict[str, Callable[[Intrinsics, Any, str], Any]] = {
    "Ref": Intrinsics.ref,
    "Fn::GetAtt": Intrinsics.get_att,
    "Fn::Join": Intrinsics.join,
    "Fn::Select": Intrinsics.select,
    "Fn::Split": Intrinsics.split,
    "Fn::Sub": Intrinsics.sub,
}
