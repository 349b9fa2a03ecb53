"""Data contract: :class:`DataSpec`, :class:`DataSource` and :class:`Batch`.

Importing this package stays torch-free; everything but the spec is loaded on first use.
"""

from typing import TYPE_CHECKING

from ganzoo.data.spec import DataSpec

if TYPE_CHECKING:  # for type checkers; at run time these load on first use
    from ganzoo.data.context import default_context
    from ganzoo.data.memory import InMemorySource
    from ganzoo.data.mixture import GaussianMixtureSource
    from ganzoo.data.order import batch_generator
    from ganzoo.data.source import Batch, DataContext, DataSource
    from ganzoo.data.streaming import StreamingImageSource
    from ganzoo.data.tensors import TensorSource

__all__ = [
    "Batch",
    "DataContext",
    "DataSource",
    "DataSpec",
    "GaussianMixtureSource",
    "InMemorySource",
    "StreamingImageSource",
    "TensorSource",
    "batch_generator",
    "default_context",
]

_LAZY = {
    "Batch": "source",
    "DataContext": "source",
    "DataSource": "source",
    "GaussianMixtureSource": "mixture",
    "InMemorySource": "memory",
    "StreamingImageSource": "streaming",
    "TensorSource": "tensors",
    "batch_generator": "order",
    "default_context": "context",
}


def __getattr__(name: str) -> object:  # torch-free import of the spec
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"ganzoo.data.{_LAZY[name]}"), name)
    raise AttributeError(name)
