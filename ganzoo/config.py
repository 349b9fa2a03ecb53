"""Run configuration: defaults, then a recipe, a TOML file and the command line, validated."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ganzoo.errors import ConfigError, closest
from ganzoo.kinds import KIND_TABLE, RUN_KINDS
from ganzoo.registry import Registry, format_validation_error, nulls_to_none

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Device = Literal["auto", "cpu", "cuda", "mps"]
Precision = Literal["auto", "fp32", "bf16", "fp16"]
COMPONENT_SECTIONS: dict[str, str] = {spec.set_section: spec.run_fields()[1] for spec in RUN_KINDS}
"""Maps the prefix of a ``--set`` key to the config field holding that component's settings."""
LOGGER_SECTION = KIND_TABLE["logger"].set_section
"""The prefix of a logger's ``--set`` keys: ``logger.NAME.KEY``, into ``logger_settings``."""


class RunConfig(BaseModel):
    """Everything that defines a training run; saved as ``config.toml`` in the run directory."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    recipe: str | None = Field(None, description="The recipe this run started from, if any.")
    architecture: str = Field(description="Architecture name, e.g. 'mlp-gan'.")
    loss: str = Field("non-saturating", description="Loss name, e.g. 'wgan-gp'.")
    dataset: str = Field("digits", description="Dataset name; 'digits' ships with ganzoo.")
    data_root: Path | None = Field(None, description="Folder holding dataset files (read-only).")
    steps: int | None = Field(None, ge=1, description="Generator updates; default: the loss's.")
    epochs: float | None = Field(None, gt=0, description="Passes over the data, instead of steps.")
    batch_size: int = Field(64, ge=1, le=65536, description="Examples per batch.")
    seed: int = Field(0, ge=0, description="Seed for weights, latents and data order.")
    device: Device = Field("auto", description="auto picks cuda, then mps, then cpu.")
    out: Path | None = Field(None, description="Run directory; default runs/<arch>-<loss>-…")
    sample_every: int | None = Field(None, ge=1, description="Steps between sample grids.")
    log_every: int = Field(50, ge=1, description="Steps between metrics.jsonl lines.")
    checkpoint_every: int | None = Field(
        None, ge=1, description="Steps between checkpoints; default: as sample_every."
    )
    keep_checkpoints: int = Field(2, ge=1, description="Checkpoints kept on disk.")
    grid_size: int = Field(64, ge=1, le=1024, description="Samples in each grid.")
    ema: float | None = Field(
        None, ge=0, lt=1, description="Decay of a moving average of G's weights (e.g. 0.999)."
    )
    spectral_norm: bool = Field(False, description="Spectral normalisation in D.")
    minibatch_std: bool = Field(False, description="A minibatch standard-deviation layer in D.")
    sync_batchnorm: bool = Field(
        False,
        description="With several processes, BatchNorm statistics over the global batch "
        "(no effect in a single process).",
    )
    diffaugment: str | None = Field(
        None,
        description="DiffAugment policy for D's inputs, real and fake alike: "
        "comma-separated of translation, cutout, color.",
    )
    cluster_labels: int | None = Field(
        None,
        ge=2,
        le=10_000,
        description="Train a conditional architecture on this many equal-sized k-means "
        "clusters of the images in place of the dataset's labels (none are read).",
    )
    lr_decay: Literal["constant", "linear"] = Field(
        "constant",
        description="Learning rates of both networks: constant, or falling linearly to 0 at "
        "the last planned step.",
    )
    pack: int = Field(
        1,
        ge=1,
        le=1024,
        description="Examples D judges at once (PacGAN packing); the batch, and each "
        "process's share of it, must be a multiple of it.",
    )
    precision: Precision = Field(
        "auto",
        description="auto: bf16 where the device has a bf16 matrix unit and the architecture "
        "gains from it for the data, else fp32 (a run's config.toml records which); fp32; or "
        "mixed precision: bf16 or fp16 autocast (fp16 with a gradient scaler per network). "
        "Gradient penalties, spectral norms and loss reductions stay in fp32.",
    )
    channels_last: bool | None = Field(
        None,
        description="Channels-last memory layout for convolutional networks; default: on "
        "with CUDA, and on the CPU in bf16; off elsewhere.",
    )
    flush_denormals: bool = Field(
        False,
        description="Flush denormal numbers to zero on the CPU. Faster where values decay "
        "toward zero (Adam's state for weights that seldom get a gradient); results then "
        "differ from an unflushed run's. Set as the run starts; torch's worker threads take "
        "it only if the process has not started them before (a note says so).",
    )
    compile: bool = Field(
        False, description="Compile G and D with torch.compile (not for gradient penalties)."
    )
    deterministic: bool = Field(
        False,
        description="Deterministic algorithms only (cuDNN's autotuning off): slower, "
        "repeatable on the same machine.",
    )
    loggers: list[str] = Field(
        default_factory=list,
        description="Loggers beside metrics.jsonl (always on), e.g. ['tensorboard'].",
    )
    logger_settings: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Each logger's settings, keyed by its name."
    )
    architecture_settings: dict[str, Any] = Field(default_factory=dict)
    loss_settings: dict[str, Any] = Field(default_factory=dict)
    dataset_settings: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _steps_or_epochs(self) -> RunConfig:
        if self.steps is not None and self.epochs is not None:
            raise ValueError("give steps or epochs, not both")
        if self.batch_size % self.pack:
            raise ValueError(
                f"batch_size {self.batch_size} does not split into packs of {self.pack}; "
                "give a batch size that is a multiple of pack"
            )
        return self


METRIC_SECTION = KIND_TABLE["metric"].set_section
"""The ``--set`` prefix of metric settings: ``metric.NAME.key=value``."""


def parse_value(text: str) -> Any:
    """Parse a ``--set`` value as a TOML value (``1e-4``, ``true``, ``[1, 2]``), else a string.

    ``none`` and ``null`` stay strings here; validation turns them into None where the
    setting is optional.
    """
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignments(assignments: Iterable[str]) -> dict[str, Any]:
    """Turn ``key=value`` strings into nested config values (``loss.lr_g`` into a section)."""
    result: dict[str, Any] = {}
    for item in assignments:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--set expects key=value, got {item!r} (e.g. --set loss.lr_g=1e-4)")
        section, dot, name = key.partition(".")
        if key in COMPONENT_SECTIONS.values() or (dot and not name.strip()):
            raise ConfigError(
                f"--set {item!r}: name one setting of a component, e.g. "
                "--set loss.lr_g=1e-4 or --set architecture.latent_dim=64"
            )
        if dot and section == LOGGER_SECTION:
            logger, dot, setting = name.partition(".")
            if not (dot and logger.strip() and setting.strip()):
                raise ConfigError(
                    f"--set {item!r}: name a logger and its setting, e.g. "
                    "--set logger.tensorboard.histograms_every=500"
                )
            result.setdefault("logger_settings", {}).setdefault(logger, {})[setting] = parse_value(
                raw
            )
        elif dot:
            field = COMPONENT_SECTIONS.get(section, section)
            if field not in COMPONENT_SECTIONS.values():
                where = (
                    " (metric settings belong to 'ganzoo eval', 'compare' and 'reproduce')"
                    if section == METRIC_SECTION
                    else ""
                )
                raise ConfigError(
                    f"unknown --set section {section!r} in {item!r}{where}; "
                    f"allowed: {', '.join([*COMPONENT_SECTIONS, LOGGER_SECTION])}"
                )
            result.setdefault(field, {})[name] = parse_value(raw)
        else:
            result[key] = parse_value(raw)
    return result


def split_metric_settings(
    assignments: Iterable[str],
) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Separate ``metric.NAME.key=value`` items from run settings.

    Returns:
        The other assignments, unchanged, and ``{metric name: {key: value}}``.
    """
    others: list[str] = []
    metrics: dict[str, dict[str, Any]] = {}
    for item in assignments:
        key, sep, raw = item.partition("=")
        section, _, rest = key.strip().partition(".")
        if section != METRIC_SECTION:
            others.append(item)
            continue
        name, _, setting = rest.partition(".")
        if not sep or not name.strip() or not setting.strip():
            raise ConfigError(
                f"--set {item!r}: metric settings are spelled metric.NAME.key=value, "
                "e.g. --set metric.fid.weights=PATH"
            )
        metrics.setdefault(name.strip(), {})[setting.strip()] = parse_value(raw)
    return others, metrics


def read_toml(path: Path) -> dict[str, Any]:
    """Read a config file; problems are a :class:`ConfigError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read config file {str(path)!r}: {error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"malformed TOML in {str(path)!r}: {error}") from None
    return data


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Override ``base`` with ``override``, merging the settings sections key by key."""
    merged = dict(base)
    for key, value in override.items():
        if key in COMPONENT_SECTIONS.values() and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        elif key == "logger_settings" and isinstance(merged.get(key), dict):
            merged[key] = {
                name: {**merged[key].get(name, {}), **settings} for name, settings in value.items()
            } | {name: s for name, s in merged[key].items() if name not in value}
        else:
            merged[key] = value
    return merged


def build_config(*layers: Mapping[str, Any], source: str = "configuration") -> RunConfig:
    """Validate the merged layers (defaults < file < command line) into a :class:`RunConfig`."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = merge(merged, {k: v for k, v in layer.items() if v is not None})
    unknown = sorted(set(merged) - set(RunConfig.model_fields))
    if unknown:
        key = unknown[0]
        hint = closest(key, RunConfig.model_fields)
        near = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ConfigError(
            f"unknown setting {key!r} in {source}{near}; run settings are "
            f"{', '.join(sorted(k for k in RunConfig.model_fields if not k.endswith('_settings')))}"
            f", and component settings go under {_sections_spelled()}"
        )
    try:
        return RunConfig.model_validate(nulls_to_none(RunConfig, merged))
    except ValidationError as error:
        raise ConfigError(f"invalid {source}: {format_validation_error(error)}") from None


def layered_config(
    *,
    recipe: str | None = None,
    config_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    assignments: Iterable[str] = (),
    registry: Registry | None = None,
) -> RunConfig:
    """A run's configuration in layers: defaults < recipe < TOML file < overrides < ``--set``.

    ``ganzoo run`` builds its config this way (its options are the overrides); so can the
    Python API, e.g. ``ganzoo.train(layered_config(recipe="dcgan-mnist",
    overrides={"steps": 500}))``.

    Args:
        recipe: a recipe's name or alias: its settings are the first layer over the defaults.
        config_file: a TOML file of run settings (as ``config.toml`` in a run directory).
        overrides: run settings (``{"steps": 500, "loss_settings": {"lr_g": 1e-4}}``);
            None values are left out, so they override nothing.
        assignments: ``key=value`` strings, as ``--set`` takes them (``loss.lr_g=1e-4``).
        registry: where to find the recipe; by default the installed plugins'.

    Returns:
        The validated config.

    Raises:
        ConfigError: no layer names an architecture, or a setting is unknown or invalid.
    """
    recipe_settings = recipe_layer(recipe, registry) if recipe else {}
    file_layer = read_toml(config_file) if config_file else {}
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    set_layer = parse_assignments(assignments)
    if "architecture" not in {**recipe_settings, **file_layer, **given, **set_layer}:
        raise ConfigError(
            "no architecture given: ganzoo run ARCH (see 'ganzoo list --kind architecture') "
            "or ganzoo run --recipe NAME (see 'ganzoo list --kind recipe')"
        )
    source = f"config file {config_file}" if config_file and not given else "configuration"
    recipe_settings = recipe_settings_here(recipe_settings, file_layer, given, set_layer)
    return build_config(recipe_settings, file_layer, given, set_layer, source=source)


def recipe_layer(name: str, registry: Registry | None = None) -> dict[str, Any]:
    """The settings of recipe ``name``, as a config layer that names the recipe."""
    if registry is None:
        from ganzoo.plugins import plugin_set

        registry = plugin_set().registry
    entry = registry.get("recipe", name)
    return {**registry.recipe(name).config, "recipe": entry.name}


def recipe_settings_here(
    recipe_settings: Mapping[str, Any], *later: Mapping[str, Any]
) -> dict[str, Any]:
    """A recipe's settings as it trains on this machine, below the ``later`` layers.

    A recipe measured in bf16 trains in fp32 where the device the later layers name (auto
    by default) has no bf16 matrix unit: bf16 is emulated there, and a convolutional step
    can take many times as long as in fp32, so a recipe sized for minutes would take hours.
    A later layer that sets the precision itself (``--precision bf16``) is obeyed.
    """
    settings = dict(recipe_settings)
    merged = {k: v for layer in later for k, v in layer.items() if v is not None}
    if settings.get("precision") == "bf16" and "precision" not in merged:
        from ganzoo.training.devices import resolve_device
        from ganzoo.training.performance import has_bf16_unit

        if not has_bf16_unit(resolve_device(str(merged.get("device", "auto")))):
            settings["precision"] = "fp32"
    return settings


def to_toml(config: RunConfig) -> str:
    """The config as TOML that ``--config`` reads back."""
    import tomli_w

    data = _without_none(config.model_dump(mode="json", exclude_none=True))
    ordered = {k: v for k, v in data.items() if not isinstance(v, dict)}
    for field in COMPONENT_SECTIONS.values():
        ordered[field] = data.get(field, {})
    if data.get("logger_settings"):  # a setting set to None is written "none", as above
        ordered["logger_settings"] = {
            name: {k: "none" if v is None else v for k, v in settings.items()}
            for name, settings in data["logger_settings"].items()
        }
    return tomli_w.dumps(ordered)


def _without_none(value: Any) -> Any:
    """TOML has no null: drop unset (``None``) run settings, where the default is None.

    A component setting set to None is written ``"none"``, since its default may not be.
    """
    data = {k: v for k, v in value.items() if v is not None}
    for field in COMPONENT_SECTIONS.values():
        if field in data:
            data[field] = {k: "none" if v is None else v for k, v in data[field].items()}
    return data


def _sections_spelled() -> str:
    """``"architecture., loss. or dataset."``: where component settings go."""
    sections = [f"{section}." for section in COMPONENT_SECTIONS]
    return f"{', '.join(sections[:-1])} or {sections[-1]}"
