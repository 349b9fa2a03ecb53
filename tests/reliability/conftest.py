"""Reliability tests: one CPU thread for torch, and child processes that cache their bytecode.

Training on a busy machine with several intra-op threads is many times slower than
with one, and every ``ganzoo`` child process otherwise compiles torch's sources
afresh when bytecode writing is switched off; both would make these tests slow.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="module")
def single_threaded(one_thread: None) -> None:
    """Run in-process training on one thread (as the child processes do), then restore."""


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for ``ganzoo`` child processes: one thread, a private bytecode cache."""
    base = tmp_path_factory.getbasetemp()
    return {
        "GANZOO_CACHE": str(base / "ganzoo-cache"),
        "OMP_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "",
        "PYTHONPYCACHEPREFIX": str(base / "bytecode"),
        "COLUMNS": "200",
    }
