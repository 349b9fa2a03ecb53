"""The built-in plugin: ganzoo's own components, registered through the public hooks.

Nothing here is special-cased by the core: this module is found through the
``ganzoo`` entry point of the ``ganzoo`` distribution like any third-party plugin.
Importing it must stay cheap (no torch): factories are given as import paths.
"""

from __future__ import annotations

from ganzoo.builtin import architectures, datasets, losses, metrics, recipes
from ganzoo.plugins.hookspecs import hookimpl
from ganzoo.plugins.loading import Registrar


@hookimpl
def register_architectures(register: Registrar) -> None:
    architectures.register_builtin(register)


@hookimpl
def register_losses(register: Registrar) -> None:
    losses.register_builtin(register)


@hookimpl
def register_datasets(register: Registrar) -> None:
    datasets.register_builtin(register)


@hookimpl
def register_metrics(register: Registrar) -> None:
    metrics.register_builtin(register)


@hookimpl
def register_recipes(register: Registrar) -> None:
    recipes.register_builtin(register)
