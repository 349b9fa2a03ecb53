"""Training checkpoints: networks, optimiser states, RNG states, step and config in one file.

A checkpoint is a safetensors file: optimiser states are flattened into named
tensors with their structure (param groups, non-tensor values) in the metadata.
Files are written atomically and only the newest ``keep`` are kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save as safetensors_bytes

from ganzoo.errors import WeightsError
from ganzoo.storage.atomic import write_atomic
from ganzoo.storage.layout import RunLayout, checkpoint_step
from ganzoo.storage.weights import (
    FORMAT_KEY,
    FORMAT_VERSION,
    METADATA_ERRORS,
    read_safetensors,
    with_prefix,
)

__all__ = [
    "Checkpoint",
    "checkpoint_path",
    "checkpoint_step",
    "list_checkpoints",
    "load_checkpoint",
    "newest_readable_checkpoint",
    "save_checkpoint",
    "set_aside",
]

UNREADABLE_SUFFIX = ".unreadable"


@dataclass
class Checkpoint:
    """The state a training run needs to continue exactly where it stopped."""

    step: int
    modules: dict[str, dict[str, torch.Tensor]]
    """State dicts by role (see :mod:`ganzoo.storage.layout`)."""
    optimizers: dict[str, dict[str, Any]]
    """Optimiser state dicts by role."""
    rng: dict[str, torch.Tensor]
    config_toml: str
    metadata: dict[str, str]
    """Extra string metadata (the generator's description, for instance)."""
    scalers: dict[str, dict[str, float]] = field(default_factory=dict)
    """Mixed-precision gradient scalers' state (flat scalars) by role; empty without fp16."""


def checkpoint_path(run_dir: Path, step: int) -> Path:
    """The checkpoint file of ``step`` in a run."""
    return RunLayout(run_dir).checkpoint(step)


def list_checkpoints(run_dir: Path) -> list[Path]:
    """Checkpoint files of a run, oldest first."""
    return RunLayout(run_dir).checkpoint_files()


def save_checkpoint(run_dir: Path, checkpoint: Checkpoint, keep: int) -> Path:
    """Write ``checkpoint`` atomically, then delete all but the newest ``keep``."""
    tensors: dict[str, torch.Tensor] = {}
    structure: dict[str, Any] = {}
    for role, state in checkpoint.modules.items():
        for key, value in state.items():
            tensors[f"{role}.{key}"] = value.detach().contiguous().cpu()
    for role, state in checkpoint.optimizers.items():
        flat, layout = flatten_optimizer_state(state)
        tensors.update({f"optimizer.{role}.{k}": v.contiguous() for k, v in flat.items()})
        structure[role] = layout
    for name, value in checkpoint.rng.items():
        tensors[f"rng.{name}"] = value.contiguous().cpu()
    metadata = {
        **checkpoint.metadata,
        FORMAT_KEY: FORMAT_VERSION,
        "ganzoo.role": "checkpoint",
        "ganzoo.step": str(checkpoint.step),
        "ganzoo.config": checkpoint.config_toml,
        "ganzoo.optimizers": json.dumps(structure),
        "ganzoo.modules": json.dumps(sorted(checkpoint.modules)),
    }
    if checkpoint.scalers:
        metadata["ganzoo.scalers"] = json.dumps(checkpoint.scalers)
    path = checkpoint_path(run_dir, checkpoint.step)
    write_atomic(path, safetensors_bytes(tensors, metadata=metadata))
    for old in list_checkpoints(run_dir)[:-keep]:
        if old != path:
            old.unlink(missing_ok=True)
    return path


def load_checkpoint(path: Path) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint`; anything amiss is a WeightsError."""
    tensors, metadata = read_safetensors(path)
    if metadata.get("ganzoo.role") != "checkpoint":
        raise WeightsError(f"{path} is not a ganzoo training checkpoint")
    try:
        roles = _string_list(json.loads(metadata["ganzoo.modules"]), "modules")
        structure = json.loads(metadata["ganzoo.optimizers"])
        if not isinstance(structure, dict):
            raise TypeError("optimizers is not a table")
        step = int(metadata["ganzoo.step"])
        if step < 0:
            raise ValueError(f"negative step {step}")
        config_toml = metadata["ganzoo.config"]
        optimizers = {
            str(role): unflatten_optimizer_state(with_prefix(tensors, f"optimizer.{role}."), layout)
            for role, layout in structure.items()
        }
        scalers = _scaler_states(json.loads(metadata.get("ganzoo.scalers", "{}")))
    except METADATA_ERRORS as error:
        raise WeightsError(
            f"{path} has damaged checkpoint metadata ({type(error).__name__}: {error})"
        ) from None
    modules = {role: with_prefix(tensors, role + ".") for role in roles}
    rng = with_prefix(tensors, "rng.")
    structured = {"ganzoo.config", "ganzoo.optimizers", "ganzoo.scalers"}
    extra = {k: v for k, v in metadata.items() if k not in structured}
    return Checkpoint(step, modules, optimizers, rng, config_toml, extra, scalers)


def _scaler_states(value: object) -> dict[str, dict[str, float]]:
    """Gradient scalers' states read back: a table of tables of numbers."""
    if not isinstance(value, dict) or not all(
        isinstance(state, dict)
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in state.values())
        for state in value.values()
    ):
        raise TypeError("scalers is not a table of tables of numbers")
    return value


def _string_list(value: object, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{what} is not a list of names")
    return value


def newest_readable_checkpoint(run_dir: Path) -> tuple[Checkpoint, list[Path], list[str]]:
    """The newest checkpoint that reads cleanly, the newer files skipped, and why each was."""
    skipped: list[Path] = []
    reasons: list[str] = []
    for path in reversed(list_checkpoints(run_dir)):
        try:
            return load_checkpoint(path), skipped, reasons
        except WeightsError as error:
            skipped.append(path)
            reasons.append(str(error))
    found = f" ({len(skipped)} unreadable)" if skipped else ""
    raise WeightsError(
        f"{run_dir} has no readable checkpoint in {RunLayout(run_dir).checkpoints.name}/{found} "
        "to resume from; "
        "start the run afresh with --overwrite"
    )


def set_aside(path: Path) -> Path:
    """Rename an unreadable checkpoint so that it is neither resumed from nor deleted."""
    target = path.with_name(path.name + UNREADABLE_SUFFIX)
    path.replace(target)
    return target


def flatten_optimizer_state(
    state: dict[str, Any],
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Split an optimiser ``state_dict`` into named tensors and a JSON-able layout."""
    tensors: dict[str, torch.Tensor] = {}
    values: dict[str, dict[str, Any]] = {}
    for param_id, param_state in state["state"].items():
        for key, value in param_state.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{param_id}.{key}"] = value
            else:
                values.setdefault(str(param_id), {})[key] = value
    layout = {
        "param_groups": state["param_groups"],
        "param_ids": [str(i) for i in state["state"]],
        "values": values,
    }
    return tensors, layout


def unflatten_optimizer_state(
    tensors: dict[str, torch.Tensor], layout: dict[str, Any]
) -> dict[str, Any]:
    """Rebuild an optimiser ``state_dict`` from :func:`flatten_optimizer_state`'s output."""
    groups = layout["param_groups"]
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise TypeError("param_groups is not a list of tables")
    values = layout["values"]
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        raise TypeError("values is not a table of tables")
    state: dict[int, dict[str, Any]] = {
        int(i): {} for i in _string_list(layout["param_ids"], "param_ids")
    }
    for name, value in tensors.items():
        param_id, _, key = name.partition(".")
        state.setdefault(int(param_id), {})[key] = value
    for param_id, extra in values.items():
        state.setdefault(int(param_id), {}).update(extra)
    return {"state": state, "param_groups": groups}
