"""The import graph: no module imports itself back (not even lazily, inside a function), and
the declarations in schemas/ import nothing from the engine, the publisher or the door."""

from __future__ import annotations

import ast
from pathlib import Path

from tpqc_testkit import REPO

PACKAGES = {
    "tpqc": REPO / "tpqc",
    "tpqc.schemas": REPO / "schemas",
    "tpqc.validators": REPO / "validators",
    "tpqc.stac": REPO / "stac",
}


def _modules() -> dict[str, Path]:
    """Every module of the four top-level folders, sub-packages included."""
    found: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Every tpqc module a module imports, at the top or inside a function."""
    package = name if path.stem == "__init__" else name.rsplit(".", 1)[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in known and t != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_graph_sees_the_modules() -> None:
    graph = _graph()
    assert "tpqc.schemas.spec" in graph and "tpqc.validators.grid.checks" in graph
    assert "tpqc.schemas.spec_model" in graph["tpqc.schemas.spec"]
    assert "tpqc.validators.registry" in graph["tpqc.validators.grid.checks"]


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_a_planted_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_schemas_import_nothing_from_other_layers() -> None:
    graph = _graph()
    for name, targets in graph.items():
        if name.startswith("tpqc.schemas"):
            outside = sorted(t for t in targets if not t.startswith("tpqc.schemas"))
            assert outside == [], f"{name} imports {outside}"


def test_engine_does_not_import_the_publisher_or_the_door() -> None:
    graph = _graph()
    for name, targets in graph.items():
        if name.startswith("tpqc.validators"):
            upward = sorted(
                t for t in targets if t.startswith("tpqc.stac") or t in ("tpqc", "tpqc.cli")
            )
            assert upward == [], f"{name} imports {upward}"
