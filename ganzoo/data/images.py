"""Finding and decoding image files: centre-cropped, resized, RGB or grayscale uint8."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})


@dataclass
class FolderListing:
    """The image files under a folder and the other files found beside them."""

    root: Path
    files: list[Path] = field(default_factory=list)
    others: int = 0


def list_images(root: Path, suffixes: Iterable[str] = IMAGE_SUFFIXES) -> FolderListing:
    """Image files under ``root`` (recursive, sorted, hidden entries skipped)."""
    wanted = {s.lower() for s in suffixes}
    listing = FolderListing(root)
    for folder, dirs, names in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            if os.path.splitext(name)[1].lower() in wanted:
                listing.files.append(Path(folder) / name)
            else:
                listing.others += 1
    listing.files.sort()
    return listing


def load_image(path: Path, size: int, channels: int) -> torch.Tensor:
    """One image as uint8 ``(channels, size, size)``: centre square crop, then resize.

    Raises ``OSError``/``ValueError`` (PIL's errors) for a file that is not a readable image.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as image:
            image.draft("RGB" if channels == 3 else "L", (size, size))  # fast JPEG downscale
            image = image.convert("RGB" if channels == 3 else "L")
            width, height = image.size
            side = min(width, height)
            left, top = (width - side) // 2, (height - side) // 2
            box = (left, top, left + side, top + side)
            image = image.resize((size, size), Image.Resampling.BICUBIC, box=box, reducing_gap=3.0)
            array = np.asarray(image, dtype=np.uint8)
    if channels == 1:
        array = array[:, :, None]
    return torch.from_numpy(array.copy()).permute(2, 0, 1).contiguous()


DECODE_ERRORS = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)
"""What PIL raises for a corrupt, truncated or non-image file."""
