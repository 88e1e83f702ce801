"""What the local runner needs to run a function, read from a synthesized template."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FunctionSpec", "function_specs_from_template", "SOURCE_METADATA_KEY", "ASSET_PATH_METADATA_KEY"]

SOURCE_METADATA_KEY = "amplify_py:source"  # written by AmplifyFunction: the live source folder
ASSET_PATH_METADATA_KEY = "aws:asset:path"  # written by the CDK when asset metadata is enabled
_FRIENDLY_NAME_TAG = "amplify:friendly-name"


@dataclass(frozen=True)
class FunctionSpec:
    """One Python function: where its code is, which handler, its limits and environment."""

    entry_dir: Path
    module: str
    handler: str
    timeout_seconds: int = 3
    memory_mb: int = 128
    environment: Mapping[str, str] = field(default_factory=dict)
    name: str = "function"
    runtime: str = "python3.13"
    # Importable after entry_dir, e.g. the synthesized asset holding installed requirements.
    extra_paths: tuple[Path, ...] = ()
    # Variables whose template value could not be resolved locally (left out of environment).
    unresolved_environment: tuple[str, ...] = ()


def function_specs_from_template(
    template: Mapping[str, Any],
    assembly_dir: Path,
    *,
    resolve: Callable[[Any], str | None] | None = None,
) -> dict[str, FunctionSpec]:
    """The Python Lambda functions of ``template`` by logical ID.

    The code folder is the ``amplify_py:source`` metadata when present (so watch
    mode runs the user's live files), else the asset named by ``aws:asset:path``
    or by the ``S3Key`` hash, relative to ``assembly_dir`` (the cloud assembly).
    Environment values that are intrinsics (``{"Ref": ...}``) go through
    ``resolve``; those it cannot resolve are left out and listed in
    ``unresolved_environment``. Functions of other runtimes are skipped.
    """
    specs: dict[str, FunctionSpec] = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        props = resource.get("Properties") or {}
        runtime = props.get("Runtime")
        if not isinstance(runtime, str) or not runtime.startswith("python"):
            continue
        handler_string = props.get("Handler")
        if not isinstance(handler_string, str) or "." not in handler_string:
            continue
        module, handler = handler_string.rsplit(".", 1)
        module = module.replace("/", ".")
        entry_dir, extra_paths = _code_folders(resource, props, Path(assembly_dir))
        if entry_dir is None:
            continue
        environment, unresolved = _environment(props, resolve)
        specs[logical_id] = FunctionSpec(
            entry_dir=entry_dir,
            module=module,
            handler=handler,
            timeout_seconds=int(props.get("Timeout", 3)),
            memory_mb=int(props.get("MemorySize", 128)),
            environment=environment,
            name=_name(logical_id, props),
            runtime=runtime,
            extra_paths=extra_paths,
            unresolved_environment=unresolved,
        )
    return specs


def _code_folders(resource: Mapping[str, Any], props: Mapping[str, Any], assembly_dir: Path) -> tuple[Path | None, tuple[Path, ...]]:
    metadata = resource.get("Metadata") or {}
    asset: Path | None = None
    if isinstance(metadata.get(ASSET_PATH_METADATA_KEY), str):
        candidate = assembly_dir / metadata[ASSET_PATH_METADATA_KEY]
        asset = candidate if candidate.is_dir() else None
    if asset is None:
        key = (props.get("Code") or {}).get("S3Key")
        if isinstance(key, str) and key.endswith(".zip"):
            candidate = assembly_dir / f"asset.{key.removesuffix('.zip')}"
            asset = candidate if candidate.is_dir() else None
    source = metadata.get(SOURCE_METADATA_KEY)
    if isinstance(source, str) and Path(source).is_dir():
        return Path(source), ((asset,) if asset is not None else ())
    return asset, ()


def _environment(
    props: Mapping[str, Any], resolve: Callable[[Any], str | None] | None
) -> tuple[dict[str, str], tuple[str, ...]]:
    variables = ((props.get("Environment") or {}).get("Variables")) or {}
    environment: dict[str, str] = {}
    unresolved: list[str] = []
    for key, value in variables.items():
        if isinstance(value, str):
            environment[key] = value
        elif isinstance(value, bool):
            environment[key] = "true" if value else "false"
        elif isinstance(value, int | float):
            environment[key] = str(value)
        else:
            resolved = resolve(value) if resolve is not None else None
            if resolved is None:
                unresolved.append(key)
            else:
                environment[key] = resolved
    return environment, tuple(unresolved)


def _name(logical_id: str, props: Mapping[str, Any]) -> str:
    if isinstance(props.get("FunctionName"), str):
        return props["FunctionName"]
    for tag in props.get("Tags") or []:
        if tag.get("Key") == _FRIENDLY_NAME_TAG and isinstance(tag.get("Value"), str):
            return tag["Value"]
    return logical_id
