"""No import cycles in ``ganzoo/`` or ``bench/``: imports inside functions count as well.

The graph is read from the source with ``ast``; nothing is imported. An edge runs from a
module to each module of ours it imports, anywhere in its body; imports that only a type
checker runs (under ``if TYPE_CHECKING:``) are left out, since they never execute.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO_ROOT

ROOTS = ("ganzoo", "bench")
"""The folders checked; ``bench``'s scripts import each other by bare name (``import run``)."""


def module_files() -> dict[str, Path]:
    """Every module of the checked folders by dotted name (a package by its own name)."""
    modules = {}
    for root in ROOTS:
        for path in sorted((REPO_ROOT / root).rglob("*.py")):
            parts = path.relative_to(REPO_ROOT).with_suffix("").parts
            if "build" in parts:  # a plugin's build output, not source
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported_names(tree: ast.Module, module: str, is_package: bool) -> Iterator[str]:
    """Each dotted name an import statement of ``tree`` names, outside ``TYPE_CHECKING``."""
    skipped = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for child in ast.walk(statement)
    }
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of ours it imports (bench's bare names resolved to ``bench.*``)."""
    files = module_files()
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets = set()
        for name in imported_names(tree, module, path.name == "__init__.py"):
            if module.startswith("bench.") and f"bench.{name}" in files:
                name = f"bench.{name}"
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b first
                target = ".".join(parts[:depth])
                if target in files and not f"{module}.".startswith(f"{target}."):
                    targets.add(target)  # a module's own packages are imported before it
        graph[module] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as ``[a, b, …, a]``, or None; depth-first, in sorted order for stable reports."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_there_are_no_import_cycles() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_a_cycle_is_found_and_named() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_function_level_and_relative_imports() -> None:
    source = "def f():\n    from . import b\n    import ganzoo.x\n"
    names = set(imported_names(ast.parse(source), "ganzoo.pkg.a", is_package=False))
    assert {"ganzoo.pkg", "ganzoo.pkg.b", "ganzoo.x"} <= names
    assert "bench.mnist_copy" in import_graph()["bench.gpu"]
