"""Reliability tests: one CPU thread for torch, in the test process and its children.

Training on a busy machine with several intra-op threads is many times slower than
with one. Child processes read the bytecode compiled at install time: a private
bytecode folder would make the first of them compile all of torch again (about 12 s).
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="module")
def single_threaded(one_thread: None) -> None:
    """Run in-process training on one thread (as the child processes do), then restore."""


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for ``ganzoo`` child processes: one thread, a private data cache."""
    base = tmp_path_factory.getbasetemp()
    return {
        "GANZOO_CACHE": str(base / "ganzoo-cache"),
        "OMP_NUM_THREADS": "1",
        "COLUMNS": "200",
    }
