"""The plugin contract: the hooks a ganzoo plugin may implement.

Every component, built-in ones included, is registered through these hooks.
A plugin is a module named by an entry point in the ``ganzoo`` group whose
functions are decorated with :data:`hookimpl`.
"""

from __future__ import annotations

from typing import Any

import pluggy

from ganzoo.kinds import KIND_TABLE, Kind

PROJECT = "ganzoo"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class GanzooHookSpecs:
    """Hook specifications; each ``register`` is a callback bound to one kind."""

    @hookspec
    def register_architectures(self, register: Any) -> None:
        """Register GAN architectures (a generator and a discriminator for a data spec)."""

    @hookspec
    def register_losses(self, register: Any) -> None:
        """Register adversarial losses (with their recommended optimiser settings)."""

    @hookspec
    def register_datasets(self, register: Any) -> None:
        """Register datasets (sources of training batches with a data spec)."""

    @hookspec
    def register_metrics(self, register: Any) -> None:
        """Register evaluation metrics."""

    @hookspec
    def register_recipes(self, register: Any) -> None:
        """Register recipes (complete run configurations and the results they reproduce)."""

    @hookspec
    def register_loggers(self, register: Any) -> None:
        """Register loggers (they receive a run's scalars, sample grids, config and evaluation)."""

    @hookspec
    def register_commands(self, cli: Any) -> None:
        """Add subcommands to the ``ganzoo`` command line (a ``typer.Typer`` app)."""


COMPONENT_HOOKS: dict[Kind, str] = {kind: spec.hook for kind, spec in KIND_TABLE.items()}
"""Maps each component kind to the hook that registers it (from :data:`ganzoo.kinds.KIND_TABLE`)."""
