"""The contract pages' examples are complete: each registers and passes ``check_component``."""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from ganzoo.plugins import load
from ganzoo.testing import check_component
from tests.conftest import REPO_ROOT

CONTRACTS = REPO_ROOT / "docs" / "contracts"
CHECKED = ("architecture", "loss", "dataset", "metric")


def example_plugins(kind: str) -> list[ModuleType]:
    """Each python block of the page that implements a hook, run as its own module."""
    page = (CONTRACTS / f"{kind}.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    modules = []
    for index, source in enumerate(b for b in blocks if "@ganzoo.hookimpl" in b):
        module = ModuleType(f"{kind}_example_{index}")
        exec(compile(source, f"docs/contracts/{kind}.md", "exec"), module.__dict__)
        modules.append(module)
    assert modules, f"docs/contracts/{kind}.md has no complete example"
    return modules


@pytest.mark.parametrize("kind", CHECKED)
def test_the_pages_example_honours_its_contract(kind: str) -> None:
    for module in example_plugins(kind):
        plugins = load(extra_plugins=[(module, "docs-example", "0")])
        assert not plugins.failures, [f.message() for f in plugins.failures]
        names = [e.name for e in plugins.registry.list(kind) if e.package == "docs-example"]
        assert names
        for name in names:
            assert check_component(kind, name, registry=plugins.registry)


def test_the_recipe_pages_example_registers() -> None:
    (module,) = example_plugins("recipe")
    plugins = load(extra_plugins=[(module, "docs-example", "0")])
    assert not plugins.failures, [f.message() for f in plugins.failures]
    recipe = plugins.registry.recipe("my-hinge-ring8")
    assert recipe.protocol.metrics == ["mode-coverage"]


def test_every_contract_has_a_page_in_the_nav() -> None:
    nav = (REPO_ROOT / "mkdocs.yml").read_text()
    for kind in (*CHECKED, "recipe", "logger"):
        assert f"contracts/{kind}.md" in nav
        assert (CONTRACTS / f"{kind}.md").is_file()
