"""Finding a dataset's original files under the data root or the download cache."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ganzoo.data.source import DataContext
from ganzoo.errors import DataError


def download_cache(context: DataContext) -> Path:
    """ganzoo's own writable data folder (where downloads go when the data root is read-only)."""
    return context.cache_dir / "data"


def search_roots(context: DataContext) -> list[Path]:
    """The data root, then the download cache (once each)."""
    roots = [context.data_root] if context.data_root is not None else []
    if download_cache(context) not in roots:
        roots.append(download_cache(context))
    return roots


def download_root(context: DataContext) -> Path:
    """Where a download goes: the data root if it is writable, else the download cache."""
    root = context.data_root
    if root is not None and _writable(root):
        return root
    return download_cache(context)


def find_files(
    names: Iterable[str], folders: Sequence[Path], suffixes: Sequence[str] = ("", ".gz")
) -> tuple[dict[str, Path], list[str]]:
    """For each name, the first ``folder/name+suffix`` that exists; and those not found.

    Missing files are named with the last suffix (the form the original distribution uses).
    """
    found: dict[str, Path] = {}
    missing: list[str] = []
    for name in names:
        candidates = (folder / (name + suffix) for folder in folders for suffix in suffixes)
        path = next((c for c in candidates if c.is_file()), None)
        if path is None:
            missing.append(name + suffixes[-1])
        else:
            found[name] = path
    return found, missing


Finder = Callable[[], tuple[dict[str, Path], list[str]]]
"""Returns the files found (by name) and the names of those missing."""


def locate_or_download(
    dataset: str,
    find: Finder,
    folders: Sequence[Path],
    context: DataContext,
    download: Callable[[Path], object],
    layout: str,
) -> dict[str, Path]:
    """Find a dataset's files; if some are missing, download them (when allowed) and look again.

    ``download(root)`` runs torchvision's own download into ``root``. Failing that, the
    :class:`DataError` names the missing files, where they were looked for (``folders``) and
    how to provide them (``layout``: where they go under a data root).
    """
    found, missing = find()
    if not missing:
        return found
    reason = "downloads are turned off"
    if context.download:
        target = download_root(context)
        try:
            download(target)
        except Exception as error:
            reason = f"downloading into {str(target)!r} failed ({one_line(error)})"
        else:
            found, missing = find()
            if not missing:
                return found
            reason = f"the download into {str(target)!r} did not provide them"
    looked = " and ".join(repr(str(f)) for f in folders)
    raise DataError(
        f"{dataset}: missing {', '.join(missing)} in {looked}, and {reason}; "
        f"put the original files as {layout} under a folder and pass that folder as "
        "--data-root (or set GANZOO_DATA)"
    )


def one_line(error: BaseException, limit: int = 160) -> str:
    """An exception as one short line."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _writable(path: Path) -> bool:
    """Whether ``path`` (or, if it does not exist yet, its nearest existing parent) is writable."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            # the mode bits count too: root may write anywhere, but a folder marked
            # read-only is a promise that ganzoo will not write there
            return (
                candidate.is_dir()
                and bool(candidate.stat().st_mode & 0o222)
                and os.access(candidate, os.W_OK | os.X_OK)
            )
    return False
