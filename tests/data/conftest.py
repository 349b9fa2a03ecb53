"""Fixtures for the data tests: private caches, fake MNIST roots, read-only folders."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from idx_files import write_mnist_like

from ganzoo.data.source import DataContext

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
"""The project's shared, read-only copy of the original MNIST files (may be absent)."""


def make_read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        path.chmod(mode)


def make_writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private ganzoo cache (also set as ``GANZOO_CACHE``)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("GANZOO_CACHE", str(cache))
    monkeypatch.delenv("GANZOO_DATA", raising=False)
    return cache


@pytest.fixture
def offline(cache_dir: Path) -> DataContext:
    """A context with no data root and downloads off."""
    return DataContext(data_root=None, cache_dir=cache_dir, download=False)


@pytest.fixture
def fake_root(tmp_path: Path) -> Iterator[tuple[Path, dict]]:
    """A read-only data root holding small fake MNIST and Fashion-MNIST ``.gz`` files."""
    root = tmp_path / "data"
    written = {
        "MNIST": write_mnist_like(root, "MNIST", seed=1),
        "FashionMNIST": write_mnist_like(root, "FashionMNIST", seed=2),
    }
    make_read_only(root)
    yield root, written
    make_writable(root)
