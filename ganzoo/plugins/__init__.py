"""Plugin contract and loading; :func:`plugin_set` is the process-wide loaded set."""

from __future__ import annotations

from ganzoo.plugins.hookspecs import GanzooHookSpecs, hookimpl, hookspec
from ganzoo.plugins.loading import (
    ENTRY_POINT_GROUP,
    LoadedPlugin,
    PluginFailure,
    PluginSet,
    Registrar,
    is_strict,
    load,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "GanzooHookSpecs",
    "LoadedPlugin",
    "PluginFailure",
    "PluginSet",
    "Registrar",
    "hookimpl",
    "hookspec",
    "load",
    "plugin_set",
    "reset",
]

_loaded: PluginSet | None = None


def plugin_set(*, check_strict: bool = True) -> PluginSet:
    """The plugins of this process, loaded on first use.

    In strict mode (``GANZOO_STRICT``) a clash or contract breach raises
    :class:`~ganzoo.errors.PluginError`, unless ``check_strict`` is False (``ganzoo
    plugins`` shows every problem that way).
    """
    global _loaded
    if _loaded is None:
        _loaded = load(strict=False)
    if check_strict and is_strict():
        _loaded.check_strict()
    return _loaded


def reset() -> None:
    """Forget the loaded plugins so the next :func:`plugin_set` loads them again."""
    global _loaded
    _loaded = None
