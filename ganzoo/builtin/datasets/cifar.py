"""cifar10: torchvision's CIFAR-10 loader, decoded once and cached as uint8."""

from __future__ import annotations

import tarfile
import zlib
from pathlib import Path

import torch

from ganzoo.builtin.datasets.files import locate_or_download, one_line, search_roots
from ganzoo.builtin.datasets.settings import Cifar10Settings
from ganzoo.data import (
    InMemorySource,
    file_digest,
    load_tensors,
    resize_uint8,
    save_tensors,
    staging_dir,
    tensor_path,
)
from ganzoo.data.source import DataContext
from ganzoo.errors import DataError

ARCHIVE = "cifar-10-python.tar.gz"
FOLDER = "cifar-10-batches-py"
SPLIT_FILES = {
    "train": [f"data_batch_{i}" for i in range(1, 6)],
    "test": ["test_batch"],
}


def build_cifar10(settings: Cifar10Settings, context: DataContext) -> InMemorySource:
    """Images ``(N, 3, S, S)`` uint8 with labels 0..9, from the cache when possible."""
    roots = search_roots(context)

    def find() -> tuple[dict[str, Path], list[str]]:
        for root in roots:  # an extracted folder first, then the original archive
            if all((root / FOLDER / f).is_file() for f in SPLIT_FILES[settings.split]):
                return {"folder": root / FOLDER}, []
            if (root / ARCHIVE).is_file():
                return {"archive": root / ARCHIVE}, []
        return {}, [ARCHIVE]

    found = locate_or_download(
        "cifar10",
        find,
        roots,
        context,
        lambda root: _cifar10(root, train=True, download=True),
        layout=f"{ARCHIVE} (or its extracted {FOLDER}/)",
    )
    if "folder" in found:
        sources = [found["folder"] / f for f in SPLIT_FILES[settings.split]]
    else:
        sources = [found["archive"]]
    key = (settings.split, settings.image_size, file_digest(sources))
    cache_file = tensor_path(context.cache_dir, "cifar10", *key)
    cached = load_tensors(cache_file, ("images", "labels"))
    if cached is not None:
        images, labels = cached["images"], cached["labels"]
    else:
        images, labels = _decode(found, settings.split == "train", context)
        images = resize_uint8(images, settings.image_size)
        save_tensors(cache_file, {"images": images, "labels": labels})
    return InMemorySource(
        images,
        labels,
        num_classes=10,
        name=f"cifar10 {settings.split}",
        origin=f"from {sources[0].parent}",
    )


def _cifar10(root: Path, *, train: bool, download: bool) -> object:
    from torchvision.datasets import CIFAR10

    return CIFAR10(root=str(root), train=train, download=download)


def _decode(
    found: dict[str, Path], train: bool, context: DataContext
) -> tuple[torch.Tensor, torch.Tensor]:
    if "folder" in found:
        return _parse(found["folder"].parent, train, found["folder"])
    archive = found["archive"]
    with staging_dir(context.cache_dir) as tmp:
        from torchvision.datasets.utils import extract_archive

        try:
            extract_archive(archive, tmp)
        except (OSError, EOFError, tarfile.TarError, zlib.error) as error:
            raise DataError(
                f"{str(archive)!r} is not a valid tar.gz archive ({one_line(error)}); "
                "replace it with the original download"
            ) from None
        return _parse(Path(tmp), train, archive)


def _parse(root: Path, train: bool, source: Path) -> tuple[torch.Tensor, torch.Tensor]:
    try:
        dataset = _cifar10(root, train=train, download=False)
    except Exception as error:
        raise DataError(
            f"cannot read CIFAR-10 from {str(source)!r}: {one_line(error)}; "
            "replace it with the original download"
        ) from None
    images = torch.from_numpy(dataset.data).permute(0, 3, 1, 2).contiguous()  # type: ignore[attr-defined]
    labels = torch.tensor(dataset.targets, dtype=torch.long)  # type: ignore[attr-defined]
    return images, labels
