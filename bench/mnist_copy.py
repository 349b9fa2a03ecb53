"""MNIST for torchvision's reader: a decompressed copy of the raw files, shared by the suites."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path


def decompressed_copy(root: Path, work: Path) -> Path:
    """torchvision's MNIST reads decompressed files: decompress into a scratch folder."""
    raw = work / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for source in (root / "MNIST" / "raw").iterdir():
        if source.suffix == ".gz":
            with gzip.open(source, "rb") as fin, open(raw / source.stem, "wb") as fout:
                shutil.copyfileobj(fin, fout)
        else:
            shutil.copy(source, raw / source.name)
    return work
