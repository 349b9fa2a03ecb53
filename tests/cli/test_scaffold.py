"""``ganzoo new-plugin``: the scaffold installs with pip and its own tests pass at once.

The scaffolded package is pip-installed (editable) into a throwaway virtual environment
layered over the current one, so the shared environment is never modified.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ganzoo.scaffold import FILES
from tests.conftest import REPO_ROOT, run_cli

NAME = "ganzoo-scaffold-check"
MODULE = "ganzoo_scaffold_check"
LOSS = "scaffold-check-hinge"


def make_overlay_venv(folder: Path) -> Path:
    """A venv without packages of its own that also sees this interpreter's site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    import site

    shared = [p for p in site.getsitepackages() if Path(p).is_dir()]
    lines = "".join(f"import site; site.addsitedir({p!r})\n" for p in shared)
    (Path(purelib) / "_ganzoo_shared_env.pth").write_text(lines)
    return python


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The scaffolded package, pip-installed in editable mode; returns (package, python)."""
    root = tmp_path_factory.mktemp("scaffold")
    result = run_cli("new-plugin", NAME, "--path", str(root / "work"))
    assert result.returncode == 0, result.stderr
    package = root / "work" / NAME
    python = make_overlay_venv(root / "venv")
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-e",
            str(package),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return package, python


def test_scaffold_writes_an_installable_package(scaffold: tuple[Path, Path]) -> None:
    package, _ = scaffold
    written = sorted(str(p.relative_to(package)) for p in package.rglob("*") if p.is_file())
    assert written == sorted(d.format(module=MODULE) for d in FILES.values())
    pyproject = tomllib.loads((package / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == NAME
    assert pyproject["project"]["entry-points"]["ganzoo"] == {MODULE: MODULE}
    assert "$" not in "".join(p.read_text() for p in package.rglob("*") if p.is_file())


def test_the_scaffolds_own_tests_pass_after_pip_install(scaffold: tuple[Path, Path]) -> None:
    package, python = scaffold
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=package,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout  # registration, contract, values, a short run


def test_list_shows_the_example_loss_under_the_new_package(scaffold: tuple[Path, Path]) -> None:
    _, python = scaffold
    result = subprocess.run(
        [str(python), "-m", "ganzoo", "list", "--json", "--kind", "loss"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    entries = {e["name"]: e for e in json.loads(result.stdout)}
    assert entries[LOSS]["package"] == NAME
    assert entries[LOSS]["version"] == "0.1.0"
    assert entries[LOSS]["settings"]["margin"] == 1.0


def test_the_shared_environment_is_left_alone(scaffold: tuple[Path, Path]) -> None:
    result = run_cli("list", "--json", "--kind", "loss")
    assert result.returncode == 0, result.stderr
    assert LOSS not in {e["name"] for e in json.loads(result.stdout)}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("My_Plugin", "not lower-case kebab-case"),
        ("my--plugin", "not lower-case kebab-case"),
        ("1plugin", "not lower-case kebab-case"),
        ("json", "would shadow the Python module 'json'"),
        ("ganzoo", "would shadow the Python module 'ganzoo'"),
        ("pytest", "already installed"),
    ],
)
def test_bad_names_are_one_line_errors(tmp_path: Path, name: str, message: str) -> None:
    result = run_cli("new-plugin", name, "--path", str(tmp_path))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())


def test_an_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "my-plugin").mkdir()
    (tmp_path / "my-plugin" / "keep.txt").write_text("mine")
    result = run_cli("new-plugin", "my-plugin", "--path", str(tmp_path))
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert [p.name for p in (tmp_path / "my-plugin").iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-plugin"]


def test_templates_ship_as_package_data() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["ganzoo"]
    templates = REPO_ROOT / "ganzoo" / "scaffold" / "templates"
    for template in FILES:
        assert (templates / template).is_file()
        relative = f"scaffold/templates/{template}"
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative
