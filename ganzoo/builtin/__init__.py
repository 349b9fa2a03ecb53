"""The built-in plugin: ganzoo's own components, written as a third party writes a plugin.

It uses only the public API (``ganzoo.hookimpl`` and ``ganzoo.plugins.Registrar``) and
is found through the ``builtin`` entry point of the ``ganzoo`` distribution, like any
plugin (see :mod:`ganzoo.plugins.loading`). Importing it must stay cheap (no torch):
factories are given as import paths.
"""

from __future__ import annotations

import ganzoo
from ganzoo.builtin import architectures, datasets, loggers, losses, metrics, recipes
from ganzoo.plugins import Registrar


@ganzoo.hookimpl
def register_architectures(register: Registrar) -> None:
    architectures.register_builtin(register)


@ganzoo.hookimpl
def register_losses(register: Registrar) -> None:
    losses.register_builtin(register)


@ganzoo.hookimpl
def register_datasets(register: Registrar) -> None:
    datasets.register_builtin(register)


@ganzoo.hookimpl
def register_metrics(register: Registrar) -> None:
    metrics.register_builtin(register)


@ganzoo.hookimpl
def register_recipes(register: Registrar) -> None:
    recipes.register_builtin(register)


@ganzoo.hookimpl
def register_loggers(register: Registrar) -> None:
    loggers.register_builtin(register)
