"""Writers of small IDX files (the MNIST format), so tests need no download."""

from __future__ import annotations

import gzip
import stat
import struct
from pathlib import Path

import numpy as np

SPLITS = {"train": "train", "test": "t10k"}


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file of uint8 ``array``: magic ``0x0000 08 <ndim>``, big-endian dims, data."""
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_idx(path: Path, array: np.ndarray, *, compress: bool = True) -> Path:
    """Write ``array`` as ``path`` (gzip-compressed when ``compress``; ``.gz`` is appended)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = idx_bytes(array)
    if compress:
        path = path.with_name(path.name + ".gz")
        with gzip.open(path, "wb") as handle:
            handle.write(data)
    else:
        path.write_bytes(data)
    return path


def write_mnist_like(
    root: Path,
    folder: str = "MNIST",
    sizes: dict[str, int] | None = None,
    *,
    seed: int = 0,
    compress: bool = True,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Write all four IDX files of a small fake dataset under ``root/folder/raw``.

    Returns ``{split: (images (N, 28, 28) uint8, labels (N,) uint8)}``.
    """
    sizes = sizes or {"train": 50, "test": 20}
    rng = np.random.default_rng(seed)
    written = {}
    for split, prefix in SPLITS.items():
        images = rng.integers(0, 256, size=(sizes[split], 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=sizes[split], dtype=np.uint8)
        raw = root / folder / "raw"
        write_idx(raw / f"{prefix}-images-idx3-ubyte", images, compress=compress)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels, compress=compress)
        written[split] = (images, labels)
    return written


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root`` with its size and modification time."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
"""The project's shared, read-only copy of the original MNIST files (may be absent)."""


def make_read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        path.chmod(mode)


def make_writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
