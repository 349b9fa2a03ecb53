"""Data contract: :class:`DataSpec`, :class:`DataSource` and :class:`Batch`."""

from ganzoo.data.spec import DataSpec

__all__ = ["Batch", "DataContext", "DataSource", "DataSpec"]


def __getattr__(name: str) -> object:  # torch-free import of the spec
    if name in {"Batch", "DataContext", "DataSource"}:
        from ganzoo.data import source

        return getattr(source, name)
    raise AttributeError(name)
