"""The local engine reads top to bottom: HTTP faces → operations → rules → context → model → store and the
other building blocks. A module may import its own layer and the ones below, never one above; the Lambda
runtime imports nothing else of the engine. See docs/architecture.md."""

from __future__ import annotations

import ast
from pathlib import Path

import amplify_py.local

ENGINE = Path(amplify_py.local.__file__).parent
PACKAGE = "amplify_py.local"

# Rank of each part of the engine: higher layers may import lower ones.
LAYERS = {
    "facade": 7,  # __init__ (LocalEngine), deployer, trigger_functions, workers, engine_triggers: wire the engine
    "http": 6,
    "operations": 5,
    "rules": 4,
    "context": 3,
    "model": 2,
    "base": 1,  # store, signer, srp, totp, shapes, outbox, errors, resolve
}
_FACADE = {"__init__", "deployer", "trigger_functions", "workers", "engine_triggers"}
_PACKAGES = {"http", "operations", "rules", "model"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ENGINE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join([PACKAGE, *parts]) if parts != ["__init__"] else PACKAGE


def _layer(module: str) -> str:
    rest = module[len(PACKAGE) + 1:] if module != PACKAGE else "__init__"
    head = rest.split(".", 1)[0]
    if head == "lambda_runtime":
        return "lambda_runtime"
    if head in _PACKAGES:
        return head
    if head in _FACADE:
        return "facade"
    if head == "context":
        return "context"
    return "base"


def _imports(path: Path) -> set[str]:
    """Every engine module ``path`` imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name == PACKAGE or name.startswith(PACKAGE + ".")}


def _engine_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in ENGINE.rglob("*.py")}


def _real(name: str, modules: dict[str, Path]) -> str | None:
    """The module an imported name lives in (``from pkg import name`` may name a module or an object)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def test_no_engine_module_imports_a_layer_above_its_own() -> None:
    modules = _engine_modules()
    wrong = []
    for name, path in modules.items():
        own = _layer(name)
        if own == "lambda_runtime":
            continue
        for imported in _imports(path):
            target = _real(imported, modules)
            if target is None or imported == PACKAGE:  # `from amplify_py.local import srp` names the package too
                continue
            theirs = _layer(target)
            if theirs != "lambda_runtime" and LAYERS[theirs] > LAYERS[own]:
                wrong.append(f"{name} ({own}) imports {target} ({theirs})")
    assert wrong == []


def test_the_lambda_runtime_imports_nothing_else_of_the_engine() -> None:
    modules = _engine_modules()
    wrong = [f"{name} imports {target}" for name, path in modules.items() if _layer(name) == "lambda_runtime"
             for imported in _imports(path) if (target := _real(imported, modules)) and _layer(target) != "lambda_runtime"]
    assert wrong == []


def test_the_layer_test_sees_every_layer() -> None:
    """Guards the test itself: a moved folder must not make the rules above vacuous."""
    layers = {_layer(name) for name in _engine_modules()}
    assert layers == {*LAYERS, "lambda_runtime"}


def test_engine_modules_and_classes_stay_small() -> None:
    """A module a newcomer can read: about 400 lines at most, a class about 200."""
    too_long = []
    for name, path in _engine_modules().items():
        source = path.read_text()
        lines = source.count("\n")
        if lines > 420:
            too_long.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno > 210:
                too_long.append(f"{name}.{node.name}: {node.end_lineno - node.lineno} lines")
    assert too_long == []
