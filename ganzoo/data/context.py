"""Where datasets read and cache files: the ``--data-root`` / environment rule."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ganzoo.errors import DataError

if TYPE_CHECKING:
    from ganzoo.data.source import DataContext

CACHE_ENV = "GANZOO_CACHE"
DATA_ENV = "GANZOO_DATA"


def cache_dir() -> Path:
    """ganzoo's writable cache: ``$GANZOO_CACHE``, else ``~/.cache/ganzoo``."""
    raw = os.environ.get(CACHE_ENV)
    return Path(raw).expanduser() if raw else Path.home() / ".cache" / "ganzoo"


def default_context(data_root: Path | None = None, *, download: bool = True) -> DataContext:
    """The data context for a run.

    The data root is ``data_root`` if given, else ``$GANZOO_DATA``, else ``<cache>/data``
    (created on demand; downloads land there). An explicitly given root must exist and be
    readable; it is never required to be writable.
    """
    from ganzoo.data.source import DataContext

    cache = cache_dir()
    if data_root is not None:
        root = _check_root(Path(data_root).expanduser(), "--data-root")
    elif os.environ.get(DATA_ENV):
        root = _check_root(Path(os.environ[DATA_ENV]).expanduser(), DATA_ENV)
    else:
        root = cache / "data"
    return DataContext(data_root=root, cache_dir=cache, download=download)


def _check_root(root: Path, given_by: str) -> Path:
    if not root.exists():
        raise DataError(
            f"data root {str(root)!r} (from {given_by}) does not exist; "
            "give a folder holding the dataset files, or leave it out to use ganzoo's cache"
        )
    if not root.is_dir():
        raise DataError(f"data root {str(root)!r} (from {given_by}) is not a folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise DataError(f"data root {str(root)!r} (from {given_by}) is not readable")
    return root
