"""Writing a trainer's state to a checkpoint and putting it back: one list of what it holds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from rich.console import Console
from torch import nn

from ganzoo.errors import WeightsError
from ganzoo.kinds import RUN_KINDS
from ganzoo.storage.atomic import remove_stale_temporaries, write_atomic
from ganzoo.storage.checkpoint import (
    Checkpoint,
    newest_readable_checkpoint,
    save_checkpoint,
    set_aside,
)
from ganzoo.storage.layout import DISCRIMINATOR, GENERATOR, GENERATOR_EMA, RunLayout
from ganzoo.storage.weights import ModelDescription, Provider, load_state, save_module
from ganzoo.training.artifacts import read_metrics
from ganzoo.training.setup import RunPlan
from ganzoo.training.step import Trainer


@dataclass(frozen=True)
class TrainingStates:
    """The objects whose state a checkpoint holds, by role."""

    modules: dict[str, nn.Module]
    """Networks: saved in the checkpoint and, each, as the run's newest weights file."""
    optimizers: dict[str, torch.optim.Optimizer]
    """Objects with an optimiser-like ``state_dict`` (``state`` and ``param_groups``)."""
    scalers: dict[str, torch.amp.GradScaler]
    """fp16 gradient scalers, whose ``state_dict`` is flat scalars (none without fp16)."""


def training_states(trainer: Trainer) -> TrainingStates:
    """The one list of what a checkpoint holds beside step, RNG states and config.

    Writing and restoring both follow it: a new state (a mixed-precision gradient
    scaler, say) is one more entry here.
    """
    modules = {GENERATOR: trainer.generator, DISCRIMINATOR: trainer.discriminator}
    if trainer.generator_ema is not None:
        modules[GENERATOR_EMA] = trainer.generator_ema
    optimizers = {GENERATOR: trainer.optimizer_g, DISCRIMINATOR: trainer.optimizer_d}
    scalers = {
        role: scaler
        for role, scaler in ((GENERATOR, trainer.scaler_g), (DISCRIMINATOR, trainer.scaler_d))
        if scaler is not None
    }
    return TrainingStates(modules, optimizers, scalers)


def write_checkpoint(trainer: Trainer, layout: RunLayout) -> None:
    """Save the training state and each network's current weights (all atomically)."""
    states = training_states(trainer)
    description = describe(trainer.plan, trainer.step)
    rng = {"torch": torch.get_rng_state()}
    if trainer.device.type == "cuda":
        rng["cuda"] = torch.cuda.get_rng_state()
    checkpoint = Checkpoint(
        step=trainer.step,
        modules={role: module.state_dict() for role, module in states.modules.items()},
        optimizers={role: opt.state_dict() for role, opt in states.optimizers.items()},
        rng=rng,
        config_toml=layout.config.read_text(),
        metadata=description.to_metadata("checkpoint"),
        scalers={role: scaler.state_dict() for role, scaler in states.scalers.items()},
    )
    save_checkpoint(layout.root, checkpoint, keep=trainer.config.keep_checkpoints)
    for role, module in states.modules.items():
        save_module(module, layout.weights(role), description, role)


def restore(trainer: Trainer, checkpoint: Checkpoint, source: Path | None = None) -> None:
    """Put a checkpoint's networks, optimiser and RNG states into ``trainer``."""
    where = source or Path(f"checkpoint of step {checkpoint.step}")
    states = training_states(trainer)
    for role, module in states.modules.items():
        if role not in checkpoint.modules:
            raise WeightsError(f"{where} holds no {role} weights")
        load_state(module, checkpoint.modules[role], where)
    if "torch" not in checkpoint.rng:
        raise WeightsError(f"{where} holds no random-number state")
    try:
        for role, optimizer in states.optimizers.items():
            optimizer.load_state_dict(checkpoint.optimizers[role])
            match_parameter_layouts(optimizer)
        for role, scaler in states.scalers.items():
            if role not in checkpoint.scalers:
                raise ValueError(f"no {role} gradient scaler (was the run trained in fp16?)")
            scaler.load_state_dict(checkpoint.scalers[role])
        torch.set_rng_state(checkpoint.rng["torch"])
        if "cuda" in checkpoint.rng and trainer.device.type == "cuda":
            torch.cuda.set_rng_state(checkpoint.rng["cuda"])
    except (KeyError, ValueError, TypeError, RuntimeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise WeightsError(f"{where} does not fit this run's optimisers: {reason}") from None


def match_parameter_layouts(optimizer: torch.optim.Optimizer) -> None:
    """Give restored per-parameter state its parameter's memory layout (channels-last, say).

    Checkpoints hold contiguous tensors; fused optimisers step state and parameter
    element by element in memory, so their layouts must agree.
    """
    for group in optimizer.param_groups:
        for param in group["params"]:
            state = optimizer.state.get(param, {})
            for key, value in state.items():
                if (
                    isinstance(value, torch.Tensor)
                    and value.shape == param.shape
                    and value.stride() != param.stride()
                ):
                    state[key] = torch.empty_like(param, dtype=value.dtype).copy_(value)


def read_newest_checkpoint(layout: RunLayout, console: Console) -> Checkpoint:
    """The newest readable checkpoint; newer unreadable ones are renamed (never deleted)."""
    checkpoint, skipped, reasons = newest_readable_checkpoint(layout.root)
    for path, reason in zip(skipped, reasons, strict=True):
        console.print(f"[yellow]warning:[/] {reason}; renamed it {set_aside(path).name}")
    return checkpoint


def tidy_for_resume(layout: RunLayout, step: int) -> None:
    """Remove what a killed process left behind and log lines past the checkpoint's ``step``."""
    for folder in (layout.root, layout.checkpoints, layout.samples):
        remove_stale_temporaries(folder)
    if layout.metrics.is_file():
        kept = [row for row in read_metrics(layout.root) if row.get("step", 0) <= step]
        write_atomic(layout.metrics, "".join(json.dumps(row) + "\n" for row in kept).encode())


def describe(plan: RunPlan, step: int) -> ModelDescription:
    """The self-description stored with a run's weights, naming each component's plugin."""
    from ganzoo.plugins import plugin_set

    registry = plugin_set().registry
    providers: dict[str, Provider] = {}
    for spec in RUN_KINDS:
        entry = registry.get(spec.kind, getattr(plan.config, spec.run_fields()[0]))
        providers[spec.kind] = Provider(entry.package, entry.version)
    return ModelDescription(
        architecture=plan.config.architecture,
        architecture_settings=plan.config.architecture_settings,
        build_options=plan.build_options,
        spec=plan.data.spec,
        step=step,
        extra={
            "loss": plan.config.loss,
            "dataset": plan.config.dataset,
            "conditional": json.dumps(plan.models.conditional),
            "precision": plan.config.precision,
            "threads": str(torch.get_num_threads()),
            **({"denormals": plan.denormals} if plan.denormals != "kept" else {}),
        },
        providers=providers,
    )
