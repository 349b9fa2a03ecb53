"""The on-disk cache of decoded datasets: uint8 tensors in safetensors files keyed by checksum."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from ganzoo.errors import DataError

log = logging.getLogger(__name__)
FORMAT_VERSION = "1"
"""Bumped when the decoding changes, so stale caches are not reused."""


def file_digest(paths: Iterable[Path]) -> str:
    """A checksum of the files' contents (and names), hex."""
    digest = hashlib.blake2b(digest_size=16)
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError as error:
            raise DataError(f"cannot read {str(path)!r}: {error.strerror or error}") from None
    return digest.hexdigest()


def text_digest(*parts: object) -> str:
    """A checksum of ``parts`` as text, hex."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def tensor_path(cache_dir: Path, name: str, *key: object) -> Path:
    """Where the decoded tensors of ``name`` for this ``key`` live."""
    return cache_dir / "tensors" / f"{name}-{text_digest(FORMAT_VERSION, *key)}.safetensors"


def load_tensors(path: Path, keys: Iterable[str]) -> dict[str, torch.Tensor] | None:
    """The cached tensors; ``None`` when absent, unreadable or lacking ``keys`` (then rebuilt)."""
    if not path.is_file():
        return None
    try:
        tensors = load_file(path)
    except Exception as error:  # any unreadable cache (truncated, foreign) is rebuilt
        log.warning("ignoring unreadable cache file %s: %s", path, error)
        return None
    return tensors if set(keys) <= tensors.keys() else None


def save_tensors(path: Path, tensors: dict[str, torch.Tensor]) -> bool:
    """Write atomically; a cache that cannot be written is only a warning."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        os.close(handle)
        try:
            save_file({k: v.contiguous() for k, v in tensors.items()}, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as error:
        log.warning("cannot write the dataset cache %s: %s", path, error)
        return False
    return True


def staging_dir(cache_dir: Path) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for decompressed files, in the cache when it is writable."""
    base = cache_dir / "tmp"
    try:
        base.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(dir=base, prefix="staging-")
    except OSError:
        return tempfile.TemporaryDirectory(prefix="ganzoo-staging-")
