"""Resolve a :class:`RunConfig` into the components of a run, validating everything first."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

from ganzoo.config import RunConfig
from ganzoo.data.clusters import clusterable, relabelled_by_clusters
from ganzoo.data.memory import InMemorySource
from ganzoo.data.source import DataSource
from ganzoo.data.spec import DataSpec
from ganzoo.errors import ConfigError
from ganzoo.kinds import RUN_KINDS
from ganzoo.losses import Loss, LossSettings
from ganzoo.models import BuildOptions, GANModels, build_architecture
from ganzoo.registry import Registry
from ganzoo.storage.layout import RUNS_FOLDER
from ganzoo.training.devices import resolve_device
from ganzoo.training.distributed import Session
from ganzoo.training.image_size import fit_image_size
from ganzoo.training.performance import (
    Denormals,
    bf16_note,
    channels_last_wanted,
    check_precision,
    configure_denormals,
    recipe_precision_note,
    refuse_compile,
    resolve_precision,
)
from ganzoo.training.run_tracking import check_loggers


@dataclass
class RunPlan:
    """A run's resolved config and built components."""

    config: RunConfig
    """The config with every setting filled in (steps and component defaults included)."""
    loss: Loss
    loss_settings: LossSettings
    data: DataSource
    models: GANModels
    build_options: BuildOptions
    device: torch.device
    channels_last: bool = False
    """Whether the networks and image batches use the channels-last memory layout."""
    denormals: Denormals = "kept"
    """What the run's CPU threads do with denormal numbers."""
    notes: tuple[str, ...] = ()
    """What was chosen for the user (an image size fitted to the architecture), one line each."""


def validate_config(
    config: RunConfig, registry: Registry, notes: list[str] | None = None
) -> RunConfig:
    """Check names and component settings (loggers' too); return the config with all defaults
    filled in, the dataset's image size fitted to the architecture (said in ``notes``)."""
    config, note = fit_image_size(config, registry)
    if note is not None and notes is not None:
        notes.append(note)
    resolved: dict[str, Any] = {}
    for spec in RUN_KINDS:
        name_field, settings_field = spec.run_fields()
        entry = registry.get(spec.kind, getattr(config, name_field))
        settings = registry.settings(spec.kind, entry.name, getattr(config, settings_field))
        if spec.kind == "loss" and settings is not None and not isinstance(settings, LossSettings):
            raise ConfigError(
                f"loss {entry.name!r} from {entry.package}: its settings model must extend "
                "ganzoo.losses.LossSettings"
            )
        resolved[name_field] = entry.name
        resolved[settings_field] = settings.model_dump(mode="json") if settings is not None else {}
    resolved.update(check_loggers(config, registry))
    return config.model_copy(update=resolved)


def prepare(config: RunConfig, registry: Registry, session: Session | None = None) -> RunPlan:
    """Build loss, data and models for ``config`` (validated by :func:`validate_config`).

    With a multi-process ``session``, a CUDA device is this rank's own GPU.
    """
    from ganzoo.data.context import default_context

    notes: list[str] = []
    config = validate_config(config, registry, notes)
    device = resolve_device(config.device)
    # before any parallel operation, so that torch's worker threads start with it
    denormals, denormals_note = configure_denormals(config.flush_denormals, device)
    if denormals_note:
        notes.append(denormals_note)
    session = session or Session()
    local_batch = session.local_batch_size(config.batch_size)  # the global batch must split
    if local_batch % config.pack:
        from ganzoo.training.distributed import on_all_ranks

        raise on_all_ranks(
            ConfigError(
                f"--pack {config.pack}: each of {session.world_size} processes takes "
                f"{local_batch} of the batch of {config.batch_size}, which does not split "
                f"into packs of {config.pack}; give a batch size that is a multiple of "
                f"{config.pack * session.world_size}"
            )
        )
    device = session.place(device)
    loss: Loss = registry.build("loss", config.loss, config.loss_settings)
    check_precision(config.precision, device)
    if config.compile:
        refuse_compile(loss, config.loss, registry)
    data: DataSource = registry.build(
        "dataset", config.dataset, config.dataset_settings, default_context(config.data_root)
    )
    build_options = BuildOptions(
        batchnorm_in_discriminator=loss.batchnorm_in_discriminator,
        spectral_norm=config.spectral_norm,
        minibatch_std=config.minibatch_std,
        pack=config.pack,
    )
    spec = data.spec
    if config.cluster_labels is not None:
        images = clusterable(data, config.cluster_labels, config.dataset)
        spec = replace(spec, num_classes=config.cluster_labels)
    torch.manual_seed(config.seed)
    models: GANModels = build_architecture(
        registry,
        config.architecture,
        config.architecture_settings,
        spec,
        build_options,
    )
    if config.cluster_labels is not None:
        data = clustered_for(images, config.cluster_labels, config.architecture, models.conditional)
        notes.append(f"labels: {config.cluster_labels} k-means clusters of the images")
    if models.pack != config.pack:
        raise ConfigError(refuse_packing(registry, config.architecture, models, data.spec))
    if models.conditional and not data.spec.num_classes:
        raise ConfigError(
            f"architecture {config.architecture!r} is conditional but dataset "
            f"{config.dataset!r} has no class labels"
        )
    if models.auxiliary_loss is not None and session.world_size > 1:
        from ganzoo.training.distributed import on_all_ranks

        raise on_all_ranks(
            ConfigError(
                f"architecture {config.architecture!r} adds an auxiliary loss, which trains "
                "on one process only; run it without --nproc"
            )
        )
    # the precision the run trains in, recorded in config.toml: a resumed run keeps it
    precision = resolve_precision(config.precision, device, models)
    config = config.model_copy(update={"precision": precision})
    notes.extend(precision_notes(config, registry, device))
    channels_last = channels_last_wanted(config, device, [models.generator, models.discriminator])
    steps = config.steps or _steps_for(config, loss, data)
    config = config.model_copy(update={"steps": steps, "epochs": None})
    return RunPlan(
        config,
        loss,
        loss.settings,
        data,
        models,
        build_options,
        device,
        channels_last,
        denormals,
        notes=tuple(notes),
    )


def clustered_for(
    images: InMemorySource, k: int, architecture: str, conditional: bool
) -> InMemorySource:
    """The images relabelled by ``k`` clusters, for a conditional architecture only."""
    if not conditional:
        raise ConfigError(
            f"cluster_labels: architecture {architecture!r} is not conditional, so it would "
            "not use the clusters; use a conditional one such as cdcgan or cgan, or leave "
            "cluster_labels unset"
        )
    return relabelled_by_clusters(images, k)


def precision_notes(config: RunConfig, registry: Registry, device: torch.device) -> list[str]:
    """What to say of the precision a run trains in: bf16 without a bf16 unit, or a recipe's
    bf16 turned into fp32 for want of one."""
    notes = [bf16_note(config.precision, device)]
    if config.recipe is not None and config.recipe in registry.names("recipe"):
        measured = registry.recipe(config.recipe).config.get("precision", "fp32")
        notes.append(recipe_precision_note(config.recipe, measured, config.precision, device))
    return [note for note in notes if note is not None]


def refuse_packing(registry: Registry, architecture: str, models: GANModels, spec: DataSpec) -> str:
    """Why ``architecture`` cannot train with ``--pack``, and which can on this data."""
    entry = registry.get("architecture", architecture)
    why = (
        "it is conditional: D judges each example together with its own label"
        if models.conditional
        else "its discriminator does not judge packs of examples"
    )
    others = ", ".join(packing_architectures(registry, spec)) or "none is installed"
    return (
        f"--pack: architecture {entry.name!r} from {entry.package} cannot pack, as {why}; "
        f"leave --pack at 1, or use an architecture that packs this data ({others})"
    )


def packing_architectures(registry: Registry, spec: DataSpec) -> list[str]:
    """The architectures that pack (PacGAN), built at their defaults for ``spec``."""
    names = []
    for entry in registry.list("architecture"):
        try:
            models = build_architecture(registry, entry.name, None, spec, BuildOptions(pack=2))
        except Exception:  # one that cannot be built for this data is no suggestion
            continue
        if isinstance(models, GANModels) and models.pack == 2:
            names.append(entry.name)
    return names


def _steps_for(config: RunConfig, loss: Loss, data: DataSource) -> int:
    if config.epochs is None:
        return type(loss).recommended_steps
    if data.size is None:
        raise ConfigError(
            f"dataset {config.dataset!r} is sampled afresh and has no epochs; give --steps"
        )
    batches = config.epochs * data.size / config.batch_size
    return max(1, math.ceil(batches / loss.settings.n_critic))


def default_run_dir(config: RunConfig, timestamp: str) -> Path:
    """``runs/<arch>-<loss>-<dataset>-<timestamp>``."""
    return RUNS_FOLDER / f"{config.architecture}-{config.loss}-{config.dataset}-{timestamp}"
