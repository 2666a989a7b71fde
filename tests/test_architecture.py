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


def test_each_front_has_few_modules() -> None:
    """The rooms show the architecture: the engine's top level and the door stay small."""
    assert len(list((REPO / "validators").glob("*.py"))) <= 15
    assert len(list((REPO / "tpqc").glob("*.py"))) <= 8


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_rooms_keep_their_layers() -> None:
    """The engine's machinery knows no checks or kinds; the shared grid and the dataset-wide
    checks know no kind's package (the kind framework, ``kinds.base``, is everyone's); a
    kind's package imports no other kind."""
    graph = _graph()
    engine, grid, dataset = (f"tpqc.validators.{room}" for room in ("engine", "grid", "dataset"))
    packages = [f"tpqc.validators.kinds.{k}" for k in ("geotiff", "netcdf", "table")]
    for name, targets in graph.items():
        if _inside(name, engine):
            foreign = [t for t in targets if not (_inside(t, engine) or _inside(t, "tpqc.schemas"))]
            assert foreign == [], f"{name} imports {foreign}"
        if _inside(name, grid) or _inside(name, dataset):
            assert [t for t in targets if any(_inside(t, p) for p in packages)] == [], name
        for package in packages:
            if _inside(name, package):
                others = [
                    t for t in targets if any(_inside(t, p) for p in packages if p != package)
                ]
                assert others == [], f"{name} imports {others}"


def _lines_naming(path: Path, word: str) -> list[int]:
    """The lines of a module that branch on ``word`` or look it up: a comparison with it
    (``kind == "netcdf"``, ``in ("netcdf", ...)``) or an index by it (``kinds["netcdf"]``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            parts = [node.left, *node.comparators]
        elif isinstance(node, ast.Subscript):
            parts = [node.slice]
        else:
            continue
        for part in parts:
            for inner in ast.walk(part):
                if isinstance(inner, ast.Constant) and inner.value == word:
                    lines.append(node.lineno)
    return sorted(set(lines))


def test_no_kind_is_named_outside_its_rooms() -> None:
    """Nothing but a kind's package, the registry and the modules its registration names
    (its checks, its facts, its item builder, its inferrer) imports the kind's package or
    branches on its name."""
    from tpqc.validators.kinds import registered_kinds

    graph, modules = _graph(), _modules()
    for kind in registered_kinds().values():
        package = f"tpqc.validators.kinds.{kind.name}"
        named = {kind.facts_module, *kind.check_modules}
        named |= {r.split(":")[0] for r in (kind.item_builder, kind.inferrer) if r}
        allowed = {"tpqc.validators.kinds", *(n for n in named if n)}
        for name, path in modules.items():
            if _inside(name, package) or name in allowed:
                continue
            imports = [t for t in graph[name] if _inside(t, package)]
            assert imports == [], f"{name} imports {imports}"
            literals = _lines_naming(path, kind.name)
            assert literals == [], f"{name} names the kind {kind.name!r} on lines {literals}"


def test_a_planted_kind_name_is_found(tmp_path: Path) -> None:
    planted = tmp_path / "x.py"
    planted.write_text(
        'x = {"netcdf": 1}\nif entry.kind == "netcdf":\n    pass\ny = kinds["netcdf"]\n',
        encoding="utf-8",
    )
    assert _lines_naming(planted, "netcdf") == [2, 4]
