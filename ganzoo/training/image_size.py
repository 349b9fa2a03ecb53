"""Fitting a dataset's image size to the sizes an architecture makes."""

from __future__ import annotations

from typing import Any

from ganzoo.config import RunConfig
from ganzoo.errors import ConfigError
from ganzoo.registry import Registry

SETTING = "image_size"
"""The dataset setting that resizes its square images (a dataset without it keeps its size)."""


def fit_image_size(config: RunConfig, registry: Registry) -> tuple[RunConfig, str | None]:
    """``config`` with the dataset's image size fitted to the architecture, and a note saying so.

    An architecture that declares its :class:`~ganzoo.models.ImageSizes` gets, when the
    image size was left at the dataset's default and it cannot make that size, the nearest
    size above it that it makes. A size given explicitly (recipe, TOML or ``--set``) that it
    cannot make is an error naming the setting to change.
    """
    architecture = registry.get("architecture", config.architecture)
    dataset = registry.get("dataset", config.dataset)
    sizes = architecture.image_sizes
    fields = dataset.settings.model_fields if dataset.settings is not None else {}
    if sizes is None or SETTING not in fields:
        return config, None
    given = config.dataset_settings.get(SETTING)
    if given is not None:
        size = _as_int(given)
        if size is not None and not sizes.makes(size):
            nearest = sizes.nearest_at_or_above(size)
            fix = f"--set dataset.{SETTING}={nearest}" if nearest else f"a dataset.{SETTING}"
            raise ConfigError(
                f"dataset.{SETTING}={size}: architecture {architecture.name!r} from "
                f"{architecture.package} cannot make {size}×{size} images; it makes "
                f"{sizes.describe()}; use {fix}"
            )
        return config, None
    native = _as_int(fields[SETTING].get_default(call_default_factory=True))
    if native is None or sizes.makes(native):
        return config, None
    fitted = sizes.nearest_at_or_above(native)
    if fitted is None:
        raise ConfigError(
            f"architecture {architecture.name!r} from {architecture.package} makes "
            f"{sizes.describe()}-pixel images, all smaller than the {native}×{native} of "
            f"dataset {dataset.name!r}; set dataset.{SETTING} to one of them"
        )
    settings = {**config.dataset_settings, SETTING: fitted}
    note = (
        f"{architecture.name} makes no {native}×{native} images, so {dataset.name} is resized "
        f"to {fitted}×{fitted}, the nearest size it makes (--set dataset.{SETTING}=N to choose)"
    )
    return config.model_copy(update={"dataset_settings": settings}), note


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # not a size: the dataset's settings model reports it
