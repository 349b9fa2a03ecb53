"""Data: the contract (:class:`DataSpec`, :class:`DataSource`, :class:`Batch`) and the building
blocks ganzoo's own datasets use, for dataset plugins to use alike.

- sources: :class:`InMemorySource`, :class:`StreamingImageSource`, :class:`TensorSource`,
  :class:`GaussianMixtureSource` (with :func:`ring_means`, :func:`grid_means`);
- reproducible order: :func:`batch_generator`, :func:`batch_indices`, :func:`permutation`;
- pixels: :func:`resize_uint8`, :func:`to_unit_range`; image files: :func:`list_images`,
  :func:`load_image`, :data:`DECODE_ERRORS`, :class:`ImageFiles`;
- the on-disk cache of decoded datasets: :func:`tensor_path`, :func:`load_tensors`,
  :func:`save_tensors`, :func:`staging_dir`, :func:`file_digest`, :func:`text_digest`.

Importing this package stays torch-free; everything but the spec is loaded on first use.
"""

from typing import TYPE_CHECKING

from ganzoo.data.spec import DataSpec

if TYPE_CHECKING:  # for type checkers; at run time these load on first use
    from ganzoo.data.cache import (
        file_digest,
        load_tensors,
        save_tensors,
        staging_dir,
        tensor_path,
        text_digest,
    )
    from ganzoo.data.context import default_context
    from ganzoo.data.images import DECODE_ERRORS, list_images, load_image
    from ganzoo.data.memory import InMemorySource, resize_uint8, to_unit_range
    from ganzoo.data.mixture import GaussianMixtureSource, grid_means, ring_means
    from ganzoo.data.order import batch_generator, batch_indices, permutation
    from ganzoo.data.source import Batch, DataContext, DataSource
    from ganzoo.data.streaming import ImageFiles, StreamingImageSource
    from ganzoo.data.tensors import TensorSource

__all__ = [
    "DECODE_ERRORS",
    "Batch",
    "DataContext",
    "DataSource",
    "DataSpec",
    "GaussianMixtureSource",
    "ImageFiles",
    "InMemorySource",
    "StreamingImageSource",
    "TensorSource",
    "batch_generator",
    "batch_indices",
    "default_context",
    "file_digest",
    "grid_means",
    "list_images",
    "load_image",
    "load_tensors",
    "permutation",
    "resize_uint8",
    "ring_means",
    "save_tensors",
    "staging_dir",
    "tensor_path",
    "text_digest",
    "to_unit_range",
]

_LAZY = {
    "Batch": "source",
    "DataContext": "source",
    "DataSource": "source",
    "DECODE_ERRORS": "images",
    "GaussianMixtureSource": "mixture",
    "ImageFiles": "streaming",
    "InMemorySource": "memory",
    "StreamingImageSource": "streaming",
    "TensorSource": "tensors",
    "batch_generator": "order",
    "batch_indices": "order",
    "default_context": "context",
    "file_digest": "cache",
    "grid_means": "mixture",
    "list_images": "images",
    "load_image": "images",
    "load_tensors": "cache",
    "permutation": "order",
    "resize_uint8": "memory",
    "ring_means": "mixture",
    "save_tensors": "cache",
    "staging_dir": "cache",
    "tensor_path": "cache",
    "text_digest": "cache",
    "to_unit_range": "memory",
}


def __getattr__(name: str) -> object:  # torch-free import of the spec
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"ganzoo.data.{_LAZY[name]}"), name)
    raise AttributeError(name)
