"""Fixtures for the data tests: private caches, fake MNIST roots, read-only folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from idx_files import make_read_only, make_writable, write_mnist_like

from ganzoo.data.source import DataContext


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
