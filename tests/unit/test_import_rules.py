"""Which package may import which: the layering rules, read from the source with ``ast`` (nothing is imported).

The CLI sits on top: ``cli`` → ``sandbox`` → ``deploy`` → ``backend``/``outputs``/``local``/``auth``.
An import counts wherever it is written: at module level, inside a function (a lazy import is
still an import), and inside ``if TYPE_CHECKING:`` (a type-only import is still a dependency a
reader has to follow). Imports by string (``importlib.import_module("...")``) are not seen.

To pin another rule, write one more test below with :func:`forbidden_imports` (a package must
not reach another) or :func:`find_cycle` on :func:`import_graph` (a package has no import circle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# {importing module: {imported module: line of the first such import}}
ImportGraph = dict[str, dict[str, int]]


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _modules(root: Path, top: str) -> dict[str, Path]:
    """Every module of the package ``top`` under ``root``, by dotted name (a package by its ``__init__``)."""
    modules: dict[str, Path] = {}
    for path in sorted((root / top).rglob("*.py")):
        folders = path.parent.relative_to(root).parts
        if not all((root.joinpath(*folders[:depth]) / "__init__.py").is_file() for depth in range(1, len(folders) + 1)):
            continue  # not inside a regular package, so not importable (a template, a data file)
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imports(tree: ast.Module, module: str, is_package: bool, modules: dict[str, Path]) -> dict[str, int]:
    """The known modules ``module`` imports, with the line of the first import of each.

    ``import a.b`` imports ``a.b``; ``from a import b`` imports ``a.b`` when that is a module, else ``a``.
    """
    package = module if is_package else module.rpartition(".")[0]
    names: list[tuple[str, int]] = []
    for node in ast.walk(tree):  # every statement: function bodies and TYPE_CHECKING blocks included
        if isinstance(node, ast.Import):
            names.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: `from . import x` is the package itself, each more dot one level up
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                names.append((submodule if submodule in modules else base, node.lineno))
    edges: dict[str, int] = {}
    for name, line in sorted(names, key=lambda item: item[1]):
        if name in modules and name != module:
            edges.setdefault(name, line)
    return edges


def import_graph(package: str, *, root: Path = REPO_ROOT) -> ImportGraph:
    """For every module in ``package`` (subpackages included), the modules of the top package it imports."""
    modules = _modules(root, package.split(".")[0])
    return {
        module: _imports(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), module,
                         path.name == "__init__.py", modules)
        for module, path in modules.items()
        if _within(module, package)
    }


def forbidden_imports(package: str, forbidden: tuple[str, ...], *, allowed: tuple[str, ...] = (),
                      root: Path = REPO_ROOT) -> list[str]:
    """``module:line imports target`` for each import from ``package`` into ``forbidden`` (but not ``allowed``)."""
    return [
        f"{module}:{line} imports {target}"
        for module, edges in import_graph(package, root=root).items()
        for target, line in edges.items()
        if any(_within(target, f) for f in forbidden) and not any(_within(target, a) for a in allowed)
    ]


def find_cycle(graph: ImportGraph, within: str) -> list[str] | None:
    """One import circle among the modules of ``within`` (``[a, b, ..., a]``), or None."""
    edges = {m: sorted(t for t in targets if _within(t, within)) for m, targets in graph.items() if _within(m, within)}
    state: dict[str, str] = {}  # "open" while on the current path, "done" once fully explored
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for target in edges.get(module, []):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        state[module] = "done"
        return None

    for module in sorted(edges):
        if module not in state and (cycle := visit(module)) is not None:
            return cycle
    return None


# -- the rules --------------------------------------------------------------------------------------
def test_deploy_imports_nothing_of_sandbox_or_cli() -> None:
    assert forbidden_imports("amplify_py.deploy", ("amplify_py.sandbox", "amplify_py.cli")) == []


def test_sandbox_imports_nothing_of_cli() -> None:
    assert forbidden_imports("amplify_py.sandbox", ("amplify_py.cli",)) == []


def test_cli_has_no_import_circle() -> None:
    cycle = find_cycle(import_graph("amplify_py.cli"), "amplify_py.cli")
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


# -- the helpers see what Python imports ------------------------------------------------------------
def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_import_graph_counts_lazy_relative_and_type_checking_imports(tmp_path: Path) -> None:
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "import pkg.b\n",
        "pkg/b.py": "def f():\n    from . import c\n",
        "pkg/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.sub.d import X\n",
        "pkg/sub/__init__.py": "from .d import X\nfrom .. import a\n",
        "pkg/sub/d.py": "from pkg import b, not_a_module\nimport os\n",
        "pkg/data/e.py": "this is not python and not in a package {{ }}\n",
    })
    assert import_graph("pkg", root=tmp_path) == {
        "pkg": {},
        "pkg.a": {"pkg.b": 1},
        "pkg.b": {"pkg.c": 2},
        "pkg.c": {"pkg.sub.d": 3},
        "pkg.sub": {"pkg.sub.d": 1, "pkg.a": 2},
        "pkg.sub.d": {"pkg": 1, "pkg.b": 1},
    }
    assert forbidden_imports("pkg.sub", ("pkg.a", "pkg.b"), root=tmp_path) == [
        "pkg.sub:2 imports pkg.a",
        "pkg.sub.d:1 imports pkg.b",
    ]
    assert forbidden_imports("pkg.sub", ("pkg",), allowed=("pkg.sub", "pkg.a", "pkg.b"), root=tmp_path) == [
        "pkg.sub.d:1 imports pkg",
    ]


def test_find_cycle_names_the_circle_and_ignores_edges_leaving_the_package() -> None:
    graph: ImportGraph = {
        "p.app": {"p.cmd": 1},
        "p.cmd": {"p.common": 1, "q.x": 1},
        "p.common": {"p.app": 5},
        "q.x": {"p.app": 1},
    }
    assert find_cycle(graph, "p") == ["p.app", "p.cmd", "p.common", "p.app"]
    assert find_cycle({**graph, "p.common": {}}, "p") is None
    assert find_cycle({"p.a": {"q.b": 1}, "q.b": {"p.a": 1}}, "p") is None  # the circle runs through q


def test_the_real_cli_graph_has_the_lazy_command_registration() -> None:
    graph = import_graph("amplify_py.cli")
    assert "amplify_py.cli.sandbox" in graph["amplify_py.cli.app"]  # imported inside _register_commands
    assert "amplify_py.cli._common" in graph["amplify_py.cli.sandbox"]
