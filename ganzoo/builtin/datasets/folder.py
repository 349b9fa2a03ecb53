"""image-folder: any folder of images, decoded once into memory or streamed when large."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset

from ganzoo.builtin.datasets.settings import ImageFolderSettings
from ganzoo.data import (
    DECODE_ERRORS,
    DataContext,
    DataSource,
    ImageFiles,
    InMemorySource,
    StreamingImageSource,
    list_images,
    load_image,
    load_tensors,
    save_tensors,
    tensor_path,
    text_digest,
)
from ganzoo.errors import DataError

log = logging.getLogger(__name__)
PARALLEL_DECODE_FROM = 512
"""Folders with at least this many images are decoded by worker processes."""


@dataclass
class FolderScan:
    """The usable images of a folder, their labels, and what was left out."""

    root: Path
    files: list[Path]
    labels: list[int] | None = None
    classes: list[str] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    others: int = 0

    def report(self) -> str:
        parts = [f"{len(self.files):,} images in {self.root}"]
        if self.classes:
            parts.append(f"{len(self.classes)} classes from subfolders")
        if self.unreadable:
            parts.append(f"skipped {len(self.unreadable)} unreadable (e.g. {self.unreadable[0]})")
        if self.others:
            parts.append(f"ignored {self.others} non-image files")
        return "; ".join(parts)


def build_image_folder(settings: ImageFolderSettings, context: DataContext) -> DataSource:
    root = resolve_folder(settings.path, context)
    listing = list_images(root)
    scan = FolderScan(root, listing.files, others=listing.others)
    if not scan.files:
        other = f" (only {scan.others} other files)" if scan.others else ""
        raise DataError(
            f"image-folder: no png, jpg or webp images under {str(root)!r}{other}; "
            "point dataset.path at a folder that holds images"
        )
    size, channels = settings.image_size, settings.channels
    workers = default_workers() if settings.workers is None else settings.workers
    if len(scan.files) * channels * size * size <= settings.in_memory_limit_mb << 20:
        return _in_memory(scan, settings, context, workers)
    scan.files, scan.unreadable = _openable(scan.files)
    _finish(scan, settings)
    files = ImageFiles(scan.files, scan.labels, size, channels)
    return StreamingImageSource(
        files,
        num_classes=len(scan.classes) or None,
        workers=workers,
        name="image-folder",
        origin=scan.report(),
    )


def resolve_folder(path: Path | None, context: DataContext) -> Path:
    """``path`` as given, or under the data root when it is relative and only exists there.

    Without a path, the data root (``--data-root DIR``) is the folder.
    """
    if path is None:
        if context.data_root is None or context.data_root == context.cache_dir / "data":
            raise DataError(
                "image-folder needs a folder of images: give --data-root DIR "
                "(or --set dataset.path=DIR)"
            )
        path = context.data_root
    path = path.expanduser()
    if not path.exists() and not path.is_absolute() and context.data_root is not None:
        under_root = context.data_root / path
        if under_root.exists():
            path = under_root
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise DataError(f"image-folder: {str(path)!r} {what}; set dataset.path to a folder")
    return path


def default_workers() -> int:
    """DataLoader workers: up to 4 of this machine's CPUs."""
    return min(
        4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def _in_memory(
    scan: FolderScan, settings: ImageFolderSettings, context: DataContext, workers: int
) -> InMemorySource:
    stats = [(str(f.relative_to(scan.root)), *_stat(f)) for f in scan.files]
    key = (str(scan.root.resolve()), settings.image_size, settings.channels, text_digest(stats))
    cache_file = tensor_path(context.cache_dir, "image-folder", *key)
    cached = load_tensors(cache_file, ("images", "keep"))
    if cached is not None:
        keep = cached["keep"].bool()
        images = cached["images"]
    else:
        images, keep = _decode_all(scan.files, settings.image_size, settings.channels, workers)
        save_tensors(cache_file, {"images": images, "keep": keep.to(torch.uint8)})
    scan.unreadable = [f for f, ok in zip(scan.files, keep.tolist(), strict=True) if not ok]
    scan.files = [f for f, ok in zip(scan.files, keep.tolist(), strict=True) if ok]
    _finish(scan, settings)
    labels = None if scan.labels is None else torch.tensor(scan.labels, dtype=torch.long)
    return InMemorySource(
        images,
        labels,
        num_classes=len(scan.classes) or None,
        name="image-folder",
        origin=scan.report(),
    )


def _finish(scan: FolderScan, settings: ImageFolderSettings) -> None:
    """Log what was skipped, fail when nothing is left, and attach labels."""
    if scan.unreadable:
        log.warning(
            "image-folder: skipped %d unreadable image files under %s (e.g. %s)",
            len(scan.unreadable),
            scan.root,
            scan.unreadable[0],
        )
    if scan.others:
        log.info("image-folder: ignored %d non-image files under %s", scan.others, scan.root)
    if not scan.files:
        raise DataError(
            f"image-folder: none of the {len(scan.unreadable)} image files under "
            f"{str(scan.root)!r} could be read; check that they are valid png, jpg or webp"
        )
    scan.labels, scan.classes = folder_labels(scan.files, scan.root, settings.labels)
    log.info("image-folder: %s", scan.report())


def folder_labels(files: list[Path], root: Path, mode: str) -> tuple[list[int] | None, list[str]]:
    """Class labels from first-level subfolders (``mode`` 'folders', or 'auto' when apt)."""
    if mode == "none":
        return None, []
    parts = [f.relative_to(root).parts for f in files]
    nested = all(len(p) > 1 for p in parts)
    classes = sorted({p[0] for p in parts if len(p) > 1})
    if mode == "auto" and not (nested and len(classes) >= 2):
        return None, []
    if not nested:
        loose = next(f for f, p in zip(files, parts, strict=True) if len(p) == 1)
        raise DataError(
            f"image-folder: labels='folders' needs every image in a class subfolder, but "
            f"{str(loose)!r} is directly in {str(root)!r}"
        )
    index = {name: i for i, name in enumerate(classes)}
    return [index[p[0]] for p in parts], classes


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


class _Decode(Dataset[tuple[torch.Tensor, bool]]):
    """Decoding for the in-memory path: a failure is reported, not replaced."""

    def __init__(self, files: list[Path], size: int, channels: int) -> None:
        self.files, self.size, self.channels = files, size, channels

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, bool]:
        try:
            return load_image(self.files[index], self.size, self.channels), True
        except DECODE_ERRORS:
            return torch.zeros((self.channels, self.size, self.size), dtype=torch.uint8), False


def _decode_all(
    files: list[Path], size: int, channels: int, workers: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """All readable images ``(N, C, S, S)`` uint8 and a mask of which files were readable."""
    loader = DataLoader(
        _Decode(files, size, channels),
        batch_size=64,
        num_workers=workers if len(files) >= PARALLEL_DECODE_FROM else 0,
    )
    images, keep = [], []
    for batch, ok in loader:
        images.append(batch[ok])
        keep.append(ok)
    return torch.cat(images), torch.cat(keep)


def _openable(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """Split files by whether PIL recognises their header (cheap; used before streaming)."""
    from PIL import Image

    good, bad = [], []
    for path in files:
        try:
            with Image.open(path):
                good.append(path)
        except DECODE_ERRORS:
            bad.append(path)
    return good, bad
