"""Shared fixtures: strict plugin loading, real CLI processes, throwaway plugin packages."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli_server import Launcher

os.environ["GANZOO_STRICT"] = "1"  # name clashes are errors in the test suite
os.environ.setdefault("MPLBACKEND", "Agg")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # One thread per worker (and per process a worker starts): more threads than cores
    # makes PyTorch's CPU kernels spin against each other.
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module")
def one_thread() -> Iterator[None]:
    """torch on one CPU thread for a module's in-process work, then as it was.

    On a busy machine, more intra-op threads than free cores make training and Inception
    many times slower; child processes get ``OMP_NUM_THREADS=1`` the same way.
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(autouse=True)
def fresh_plugins() -> Iterator[None]:
    """Every test sees plugins loaded afresh (and leaves none cached)."""
    from ganzoo import plugins

    plugins.reset()
    yield
    plugins.reset()


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep caches out of the user's home (one cache per test session, shared across tests)."""
    cache = tmp_path_factory.getbasetemp() / "ganzoo-cache"
    monkeypatch.setenv("GANZOO_CACHE", str(cache))


CLI = Launcher()
"""This test process's warm ``ganzoo`` launcher (see :mod:`tests.cli_server`)."""


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ganzoo ARGS`` as a user would, in a process of its own.

    The process is forked from a warm one that has imported torch already, unless ``env``
    changes what only a fresh interpreter honours (``PYTHONPATH``, say): then it is fresh.
    """
    return CLI.run(args, {**os.environ, **(env or {})}, cwd, timeout)


def pytest_sessionfinish() -> None:
    CLI.close()


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """A folder that ``build`` fills once per test session, shared by every xdist worker.

    For a costly fixture whose output the tests only read: with two workers, a module's
    tests are spread over both, and a module-scoped fixture would otherwise run in each.
    The first worker to ask builds it; another waits for it under a file lock.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the session's folder, above each worker's own
    folder, finished = root / name, root / f"{name}.built"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not finished.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
            folder.mkdir()
            build(folder)
            finished.touch()
    return folder


def build_plugin_package(
    folder: Path, distribution: str, version: str, module: str, source: str
) -> Path:
    """Write a minimal plugin project (pyproject with a ``ganzoo`` entry point) into ``folder``."""
    project = folder / distribution
    (project / module).mkdir(parents=True)
    (project / module / "__init__.py").write_text(textwrap.dedent(source))
    (project / "pyproject.toml").write_text(
        textwrap.dedent(f"""
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{distribution}"
        version = "{version}"

        [project.entry-points.ganzoo]
        {module} = "{module}"

        [tool.setuptools]
        packages = ["{module}"]
    """)
    )
    return project


def pip_install(project: Path, target: Path) -> None:
    """Build and install a project into ``target`` with pip (offline, no build isolation)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(project),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
