"""The component kinds: one table of what each kind is called, registered by and configured as.

Everything that names the kinds (the registry, the plugin hooks, ``--kind``, ``--set``,
the run's components) reads this table rather than spelling them again.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Literal, get_args

Kind = Literal["architecture", "loss", "dataset", "metric", "recipe", "logger"]
"""The name of a kind of component, as ``ganzoo list --kind`` and the registry spell it."""


@dataclass(frozen=True)
class KindSpec:
    """What one kind of component is, and where a run and the command line name it."""

    kind: Kind
    plural: str
    """The kind in the plural (``"losses"``); its hook is ``register_<plural>``."""
    contract: str
    """The class a component of this kind is (or builds), as ``"module:Class"``."""
    set_section: str
    """The first part of the ``--set`` keys of its settings: ``loss`` in ``loss.lr_g=…``."""
    config_field: str | None = None
    """The :class:`~ganzoo.config.RunConfig` field naming the ones a run uses, if any."""
    settings_field: str | None = None
    """The :class:`~ganzoo.config.RunConfig` field holding their settings, if any."""
    several: bool = False
    """A command uses several of it at once, so its ``--set`` keys name the one they set
    (``metric.fid.weights=…``) and its settings sit under the component's name."""
    in_run: bool = False
    """Every run builds exactly one: its name and settings are run settings, and its plugin
    is recorded with the run's weights."""

    @property
    def hook(self) -> str:
        """The plugin hook that registers components of this kind."""
        return f"register_{self.plural}"

    def set_prefix(self, name: str) -> str:
        """How ``--set`` spells a setting of component ``name``: ``loss.``, or
        ``metric.fid.`` for a kind a command uses several of."""
        return f"{self.set_section}.{name}." if self.several else f"{self.set_section}."

    def run_fields(self) -> tuple[str, str]:
        """For a kind every run builds one of: the config fields of its name and settings."""
        if not (self.in_run and self.config_field and self.settings_field):
            raise ValueError(f"{self.kind} is not one of the components every run builds")
        return self.config_field, self.settings_field

    def contract_class(self) -> type:
        """The contract class, imported on first use (so this table stays free of torch)."""
        module, _, attr = self.contract.partition(":")
        found: type = getattr(importlib.import_module(module), attr)
        return found


KIND_TABLE: dict[Kind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            "architecture",
            "architectures",
            "ganzoo.models:GANModels",
            set_section="architecture",
            config_field="architecture",
            settings_field="architecture_settings",
            in_run=True,
        ),
        KindSpec(
            "loss",
            "losses",
            "ganzoo.losses:Loss",
            set_section="loss",
            config_field="loss",
            settings_field="loss_settings",
            in_run=True,
        ),
        KindSpec(
            "dataset",
            "datasets",
            "ganzoo.data.source:DataSource",
            set_section="dataset",
            config_field="dataset",
            settings_field="dataset_settings",
            in_run=True,
        ),
        KindSpec(
            "metric",
            "metrics",
            "ganzoo.evaluation.metric:Metric",
            set_section="metric",
            several=True,
        ),
        KindSpec(
            "recipe",
            "recipes",
            "ganzoo.recipes:Recipe",
            set_section="recipe",
            config_field="recipe",
        ),
        KindSpec(
            "logger",
            "loggers",
            "ganzoo.tracking:Logger",
            set_section="logger",
            config_field="loggers",
            settings_field="logger_settings",
            several=True,
        ),
    )
}
"""Every kind of component, in the order listings show them."""

KINDS: tuple[Kind, ...] = tuple(KIND_TABLE)
RUN_KINDS: tuple[KindSpec, ...] = tuple(spec for spec in KIND_TABLE.values() if spec.in_run)
"""The kinds a run builds one of (architecture, loss, dataset), in building order."""

if set(KINDS) != set(get_args(Kind)):  # pragma: no cover - caught by any import
    raise RuntimeError(f"KIND_TABLE has {KINDS}, but Kind spells {get_args(Kind)}")


def find_kind(name: str) -> Kind | None:
    """The kind spelled ``name``, typed as such; ``None`` if there is no such kind."""
    for kind in KINDS:
        if kind == name:
            return kind
    return None


def spell_kinds(kinds: tuple[str, ...] = KINDS) -> str:
    """``"architecture, loss, … or logger"``, for help texts."""
    return f"{', '.join(kinds[:-1])} or {kinds[-1]}" if len(kinds) > 1 else "".join(kinds)
