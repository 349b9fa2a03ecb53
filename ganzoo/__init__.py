"""ganzoo: a plugin-based GAN model zoo for PyTorch.

The Python API mirrors the command line::

    import ganzoo
    run_dir = ganzoo.train(ganzoo.RunConfig(architecture="mlp-gan", loss="wgan-gp"))
    run_dir = ganzoo.train(ganzoo.layered_config(recipe="wgan-gp-ring8", overrides={"steps": 500}))
    generator = ganzoo.load_generator(run_dir)
    images = generator.sample(64)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ganzoo.plugins.hookspecs import hookimpl
from ganzoo.version import __version__

__all__ = [
    "RunConfig",
    "__version__",
    "build",
    "get",
    "hookimpl",
    "layered_config",
    "list_components",
    "load_generator",
    "train",
]

if TYPE_CHECKING:
    from ganzoo.config import RunConfig, layered_config
    from ganzoo.registry import Entry, Kind
    from ganzoo.storage.weights import load_generator
    from ganzoo.training.loop import train


def list_components(
    kind: Kind | None = None, pattern: str | list[str] | None = None
) -> list[Entry]:
    """Registered components, optionally of one kind and matching fnmatch patterns."""
    from ganzoo.plugins import plugin_set

    return plugin_set().registry.list(kind, include=pattern)


def get(kind: Kind, name: str) -> Entry:
    """The registry entry of a component by name or alias."""
    from ganzoo.plugins import plugin_set

    return plugin_set().registry.get(kind, name)


def build(kind: Kind, name: str, settings: dict[str, Any] | None = None, *args: Any) -> Any:
    """Build a component with validated settings: ``factory(settings, *args)``.

    An architecture is built as a run builds it (``args`` are the spec and the build
    options), packing included: see :func:`ganzoo.models.build_architecture`.
    """
    from ganzoo.plugins import plugin_set

    registry = plugin_set().registry
    if kind == "architecture":
        from ganzoo.models import build_architecture

        return build_architecture(registry, name, settings, *args)
    return registry.build(kind, name, settings, *args)


def __getattr__(name: str) -> Any:
    if name == "RunConfig":
        from ganzoo.config import RunConfig

        return RunConfig
    if name == "layered_config":
        from ganzoo.config import layered_config

        return layered_config
    if name == "train":
        from ganzoo.training.loop import train

        return train
    if name == "load_generator":
        from ganzoo.storage.weights import load_generator

        return load_generator
    raise AttributeError(f"module 'ganzoo' has no attribute {name!r}")
