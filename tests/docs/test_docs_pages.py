"""The generated docs pages: complete, and taken from the code rather than copied."""

from __future__ import annotations

import importlib.util
import json
import re
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT, run_cli


@pytest.fixture(scope="module")
def hooks() -> ModuleType:
    path = REPO_ROOT / "docs" / "hooks" / "ganzoo_docs.py"
    spec = importlib.util.spec_from_file_location("ganzoo_docs_hooks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cli_page(hooks: ModuleType) -> str:
    return str(hooks.cli_reference())


@pytest.fixture(scope="module")
def catalogue(hooks: ModuleType) -> str:
    return str(hooks.component_catalogue())


def help_commands() -> list[str]:
    """Command names from the panel of ``ganzoo --help``, as a user sees them."""
    result = run_cli("--help", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    panel = result.stdout.split("Commands")[1]
    return re.findall(r"^│ (\S+)\s{2,}", panel, re.M)


def test_cli_reference_documents_every_command_of_ganzoo_help(cli_page: str) -> None:
    commands = help_commands()
    assert {"list", "plugins", "run", "sample", "new-plugin"} <= set(commands)
    for name in commands:
        assert f"### ganzoo {name} " in cli_page, name
        assert f"Usage: ganzoo {name} " in cli_page, name


def test_cli_reference_documents_every_option(hooks: ModuleType, cli_page: str) -> None:
    root = hooks.cli_command()
    context = root.make_context("ganzoo", [], resilient_parsing=True)
    for name in root.list_commands(context):
        command = root.get_command(context, name)
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("-"):
                    assert opt in cli_page, f"ganzoo {name} {opt}"
    assert "--path" in cli_page and "--resume" in cli_page


def test_catalogue_lists_every_builtin_component_with_its_settings(catalogue: str) -> None:
    result = run_cli("list", "--json")
    assert result.returncode == 0, result.stderr
    builtin = [e for e in json.loads(result.stdout) if e["package"] == "ganzoo"]
    assert {e["kind"] for e in builtin} == {
        "architecture",
        "loss",
        "dataset",
        "metric",
        "recipe",
        "logger",
    }
    for entry in builtin:
        assert f"### {entry['name']} {{#{entry['kind']}-{entry['name']}}}" in catalogue
        for alias in entry["aliases"]:
            assert f"`{alias}`" in catalogue
        if entry["kind"] == "recipe":
            section = catalogue.split(f"{{#recipe-{entry['name']}}}")[1].split("\n### ")[0]
            assert (
                entry["reference"]["source"] in section and f"reproduce {entry['name']}" in section
            )
        for key in entry["settings"]:
            assert re.search(rf"\| `([\w-]+\.)*{key}` \|", catalogue), (entry["name"], key)


def test_catalogue_shows_defaults_and_constraints(catalogue: str) -> None:
    section = catalogue.split("### wgan-gp ")[1].split("\n### ")[0]
    assert "| `loss.gp_weight` | float | `10.0` | ≥ 0 |" in section
    assert "| `loss.n_critic` | int | `5` | ≥ 1 |" in section
    assert "`auto` \\| `tanh` \\| `linear`" in catalogue


def test_catalogue_leaves_installed_plugins_out(catalogue: str) -> None:
    assert "package ganzoo-relativistic" not in catalogue
    assert "### relativistic-average" not in catalogue


def test_quickstart_shows_the_readme_commands(hooks: ModuleType) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    shown = hooks.quickstart_commands(readme)
    assert shown.count("```bash") == 2
    assert "bash scripts/test.sh" in shown
    assert "ganzoo run mlp-gan" in shown
    with pytest.raises(ValueError, match="Quick start"):
        hooks.quickstart_commands("# no quick start here\n")


def test_every_page_in_the_nav_exists_or_is_generated(hooks: ModuleType) -> None:
    nav_pages = re.findall(r":\s+(\S+\.md)\s*$", (REPO_ROOT / "mkdocs.yml").read_text(), re.M)
    generated = {hooks.CLI_PAGE, hooks.COMPONENTS_PAGE}
    assert generated <= set(nav_pages)
    for page in set(nav_pages) - generated:
        assert (REPO_ROOT / "docs" / page).is_file(), page
