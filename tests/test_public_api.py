"""The public API is what the reference pages document, and plugins import nothing else.

The reference pages (``docs/reference/api/``) are the one list: a module named by a
``::: name`` line is public (only its ``__all__``, where it has one), and so is an object
named by one. ganzoo's built-in plugin and the example plugin in ``plugins/`` must import
only those from ganzoo.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

REFERENCE = REPO_ROOT / "docs" / "reference" / "api"
PLUGIN_SOURCES = {
    "ganzoo.builtin": REPO_ROOT / "ganzoo" / "builtin",
    "ganzoo_relativistic": REPO_ROOT / "plugins" / "ganzoo-relativistic" / "src",
}
"""Each plugin's own package (which it may import freely) and the folder of its source."""


def documented_names() -> list[str]:
    """Every dotted name a reference page documents with ``::: name``."""
    names = []
    for page in sorted(REFERENCE.glob("*.md")):
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("::: "):
                names.append(line.removeprefix("::: ").strip())
    return names


def module_file(name: str) -> Path | None:
    """The source of ganzoo module ``name``, or None if it is not a module of ours."""
    base = REPO_ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def exported(path: Path) -> set[str] | None:
    """The names in a module's ``__all__``, or None where it has none."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return None


def refusal(module: str, name: str | None, documented: set[str]) -> str | None:
    """Why ``from module import name`` (``import module`` when ``name`` is None) reaches
    past the public API; None if it does not."""
    if name is not None and f"{module}.{name}" in documented:
        return None
    path = module_file(module)
    if module not in documented or path is None:
        return f"{module} is not documented in docs/reference/api/"
    if name is None or name.startswith("_"):
        return None if name is None else f"{module}.{name} is private"
    public = exported(path)
    if public is not None and name not in public:
        return f"{name} is not in {module}.__all__"
    return None


def ganzoo_imports(path: Path) -> Iterator[tuple[int, str, str | None]]:
    """``(line, module, name)`` for each import of ganzoo in ``path``, wherever it is."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "ganzoo":
                    yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "ganzoo":
            for alias in node.names:
                yield node.lineno, str(node.module), alias.name


def test_every_documented_name_exists() -> None:
    names = documented_names()
    assert "ganzoo.data" in names and "ganzoo.plugins" in names
    for name in names:
        module, _, attr = name.rpartition(".")
        if module_file(name) is not None:
            importlib.import_module(name)
        else:
            assert hasattr(importlib.import_module(module), attr), name


@pytest.mark.parametrize("package", sorted(PLUGIN_SOURCES))
def test_plugins_import_only_the_documented_api(package: str) -> None:
    documented = set(documented_names())
    folder = PLUGIN_SOURCES[package]
    problems = []
    for path in sorted(folder.rglob("*.py")):
        for line, module, name in ganzoo_imports(path):
            if module == package or module.startswith(f"{package}."):
                continue  # the plugin's own modules
            why = refusal(module, name, documented)
            if why:
                where = path.relative_to(REPO_ROOT)
                problems.append(f"{where}:{line} imports {module}.{name or ''}: {why}")
    assert not problems, "\n".join(problems)


def test_every_kinds_contract_is_documented() -> None:
    from ganzoo.kinds import KIND_TABLE

    documented = set(documented_names())
    for spec in KIND_TABLE.values():
        module, _, name = spec.contract.partition(":")
        assert refusal(module, name, documented) is None, spec.contract


def test_no_package_exports_a_name_its_submodule_takes() -> None:
    """Importing ``package.name`` sets the package's attribute ``name`` to the submodule,
    hiding a lazily exported object of the same name."""
    for name in documented_names():
        path = module_file(name)
        if path is None or path.name != "__init__.py":
            continue
        submodules = {p.stem for p in path.parent.glob("*.py")} | {
            p.name for p in path.parent.iterdir() if (p / "__init__.py").is_file()
        }
        assert not (exported(path) or set()) & submodules, name


def test_a_reach_past_the_api_is_refused() -> None:
    documented = set(documented_names())
    assert refusal("ganzoo.data.cache", "load_tensors", documented)
    assert refusal("ganzoo.data", "_LAZY", documented)
    assert refusal("ganzoo.data", "load_tensors", documented) is None
    assert refusal("ganzoo.data.order", "batch_generator", documented) is None
