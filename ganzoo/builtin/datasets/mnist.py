"""mnist and fashion-mnist: torchvision's IDX loaders, decoded once and cached as uint8."""

from __future__ import annotations

import gzip
import math
import shutil
import struct
import zlib
from pathlib import Path

import torch

from ganzoo.builtin.datasets.files import find_files, locate_or_download, one_line, search_roots
from ganzoo.builtin.datasets.settings import MnistSettings
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

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
"""The IDX files of each split (torchvision needs all four present)."""
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049
FOLDERS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
"""ganzoo name → torchvision class (and folder) name."""


def build_mnist(settings: MnistSettings, context: DataContext) -> InMemorySource:
    return load_idx_dataset("mnist", settings.split, settings.image_size, context)


def build_fashion_mnist(settings: MnistSettings, context: DataContext) -> InMemorySource:
    return load_idx_dataset("fashion-mnist", settings.split, settings.image_size, context)


def load_idx_dataset(
    name: str, split: str, image_size: int, context: DataContext
) -> InMemorySource:
    """Images ``(N, 1, S, S)`` uint8 and labels of one split, from the cache when possible."""
    folder = FOLDERS[name]
    folders = [root / folder / "raw" for root in search_roots(context)]
    names = [n for split_files in FILES.values() for n in split_files]
    found = locate_or_download(
        name,
        lambda: find_files(names, folders),
        folders,
        context,
        lambda root: _tv_class(folder)(root=str(root), train=True, download=True),
        layout=f"{folder}/raw/*.gz",
    )
    sources = [found[n] for n in FILES[split]]
    cache_file = tensor_path(context.cache_dir, name, split, image_size, file_digest(sources))
    cached = load_tensors(cache_file, ("images", "labels"))
    if cached is not None:
        images, labels = cached["images"], cached["labels"]
    else:
        images, labels = _decode(folder, split, found, context)
        images = resize_uint8(images.unsqueeze(1), image_size)
        save_tensors(cache_file, {"images": images, "labels": labels})
    return InMemorySource(
        images,
        labels,
        num_classes=10,
        name=f"{name} {split}",
        origin=f"from {sources[0].parent}",
    )


def _tv_class(folder: str) -> type:
    from torchvision import datasets

    return getattr(datasets, folder)  # type: ignore[no-any-return]


def _decode(
    folder: str, split: str, found: dict[str, Path], context: DataContext
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stage decompressed copies in a temporary folder and parse them with torchvision."""
    with staging_dir(context.cache_dir) as tmp:
        raw = Path(tmp) / folder / "raw"
        raw.mkdir(parents=True)
        for file_name, source in found.items():
            _stage(source, raw / file_name)
        images_file, labels_file = FILES[split]
        _check_idx(raw / images_file, found[images_file], IMAGE_MAGIC)
        _check_idx(raw / labels_file, found[labels_file], LABEL_MAGIC)
        try:
            dataset = _tv_class(folder)(root=tmp, train=split == "train", download=False)
        except Exception as error:
            raise DataError(
                f"cannot parse {str(found[images_file])!r} and {str(found[labels_file])!r}: "
                f"{one_line(error)}"
            ) from None
        images, labels = dataset.data.clone(), dataset.targets.clone()
    if len(images) != len(labels):
        raise DataError(
            f"{str(found[images_file])!r} holds {len(images):,} images but "
            f"{str(found[labels_file])!r} holds {len(labels):,} labels"
        )
    if len(labels) and (int(labels.min()) < 0 or int(labels.max()) > 9):
        raise DataError(f"{str(found[labels_file])!r} has labels outside 0..9")
    return images, labels


def _stage(source: Path, dest: Path) -> None:
    """Decompress a ``.gz`` into ``dest``, or link an already decompressed file there."""
    if source.suffix != ".gz":
        try:
            dest.symlink_to(source.resolve())
        except OSError:
            shutil.copyfile(source, dest)
        return
    try:
        with gzip.open(source, "rb") as compressed, dest.open("wb") as out:
            shutil.copyfileobj(compressed, out, 1 << 20)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(
            f"{str(source)!r} is not a valid gzip file ({one_line(error)}); "
            "replace it with the original download"
        ) from None


def _check_idx(path: Path, source: Path, magic: int) -> None:
    """Check the IDX header and length, so a broken file is named before parsing."""
    kind = "image" if magic == IMAGE_MAGIC else "label"
    dims = magic & 0xFF
    with path.open("rb") as handle:
        header = handle.read(4 + 4 * dims)
    if len(header) < 4 + 4 * dims or struct.unpack(">I", header[:4])[0] != magic:
        raise DataError(
            f"{str(source)!r} is not an IDX {kind} file (expected magic number {magic}); "
            "replace it with the original download"
        )
    count = math.prod(struct.unpack(f">{dims}I", header[4:]))
    actual = path.stat().st_size
    if actual != len(header) + count:
        raise DataError(
            f"{str(source)!r} has {actual - len(header):,} bytes of data where its header "
            f"announces {count:,}: the file is truncated or damaged; "
            "replace it with the original download"
        )
