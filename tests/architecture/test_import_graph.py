"""The import graph of the package: no cycles, no imports of the project's own modules by string.

Every `import` and `from ... import` of a `workstation` module counts as an edge, including the
imports inside functions (a lazy import still ties the two modules together). The graph must have
no strongly connected component of more than one module.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "workstation"


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".")
                    base = base[: len(base) - node.level + (1 if is_package else 0)]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_package_has_no_import_cycles():
    assert cycles(import_graph()) == []


def test_cycle_finder_sees_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_of_the_project_is_imported_by_string():
    in_package = re.compile(r"import_module\(|__import__\(|optional(?:_module)?\(\s*[\"']workstation")
    in_tests = re.compile(r"(?:importorskip|import_module|__import__)\(\s*[\"']workstation")
    offenders = [
        f"{p.relative_to(PACKAGE.parent)}:{i}"
        for root, pattern in ((PACKAGE, in_package), (PACKAGE.parent / "tests", in_tests))
        for p in root.rglob("*.py")
        if p.name != "test_import_graph.py"
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_a_widget_never_imports_a_screen():
    graph = import_graph()
    bad = [
        (m, t)
        for m, targets in graph.items()
        if m.startswith("workstation.ui.widgets")
        for t in targets
        if t.startswith("workstation.ui.screens")
    ]
    assert bad == []


# The floors of the package, lowest first: a module imports only from its own room or below.
FLOORS: list[set[str]] = [
    {"workstation", "paths", "fileio", "faults"},
    {"codes", "cases"},
    {"search", "session"},
    {"cdi", "grouping", "suggest"},
    {"billing"},
    {"export", "analytics", "crash"},
    {"ui"},
    {"commands"},
    {"cli", "__main__"},
]


def room_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def floor_of(room: str) -> int:
    return next(i for i, rooms in enumerate(FLOORS) if room in rooms)


def test_every_room_has_a_floor():
    assert {room_of(m) for m in import_graph()} <= set().union(*FLOORS)


def test_imports_only_go_down_the_floors():
    graph = import_graph()
    upward = sorted(
        f"{m} -> {t}"
        for m, targets in graph.items()
        for t in targets
        if room_of(m) != room_of(t) and floor_of(room_of(t)) > floor_of(room_of(m))
    )
    assert upward == []
