"""Training checkpoints: networks, optimiser states, RNG states, step and config in one file.

A checkpoint is a safetensors file: optimiser states are flattened into named
tensors with their structure (param groups, non-tensor values) in the metadata.
Files are written atomically and only the newest ``keep`` are kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save as safetensors_bytes

from ganzoo.errors import WeightsError
from ganzoo.storage.atomic import write_atomic
from ganzoo.storage.weights import FORMAT_KEY, FORMAT_VERSION, read_safetensors

CHECKPOINT_DIR = "checkpoints"
CHECKPOINT_PATTERN = re.compile(r"^step-(\d+)\.safetensors$")


@dataclass
class Checkpoint:
    """The state a training run needs to continue exactly where it stopped."""

    step: int
    modules: dict[str, dict[str, torch.Tensor]]
    """State dicts by role: ``generator``, ``discriminator``, optionally ``generator_ema``."""
    optimizers: dict[str, dict[str, Any]]
    """Optimiser state dicts by role."""
    rng: dict[str, torch.Tensor]
    config_toml: str
    metadata: dict[str, str]
    """Extra string metadata (the generator's description, for instance)."""


def checkpoint_path(run_dir: Path, step: int) -> Path:
    return run_dir / CHECKPOINT_DIR / f"step-{step:06d}.safetensors"


def list_checkpoints(run_dir: Path) -> list[Path]:
    """Checkpoint files of a run, oldest first."""
    folder = run_dir / CHECKPOINT_DIR
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := CHECKPOINT_PATTERN.match(p.name))]
    return [p for _, p in sorted(found)]


def save_checkpoint(run_dir: Path, checkpoint: Checkpoint, keep: int) -> Path:
    """Write ``checkpoint`` atomically, then delete all but the newest ``keep``."""
    tensors: dict[str, torch.Tensor] = {}
    structure: dict[str, Any] = {}
    for role, state in checkpoint.modules.items():
        for key, value in state.items():
            tensors[f"{role}.{key}"] = value.detach().contiguous().cpu()
    for role, state in checkpoint.optimizers.items():
        flat, layout = flatten_optimizer_state(state)
        tensors.update({f"optimizer.{role}.{k}": v for k, v in flat.items()})
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
    path = checkpoint_path(run_dir, checkpoint.step)
    write_atomic(path, safetensors_bytes(tensors, metadata=metadata))
    for old in list_checkpoints(run_dir)[:-keep]:
        if old != path:
            old.unlink(missing_ok=True)
    return path


def load_checkpoint(path: Path) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint`."""
    tensors, metadata = read_safetensors(path)
    if metadata.get("ganzoo.role") != "checkpoint":
        raise WeightsError(f"{path} is not a ganzoo training checkpoint")
    try:
        roles = json.loads(metadata["ganzoo.modules"])
        structure = json.loads(metadata["ganzoo.optimizers"])
        step = int(metadata["ganzoo.step"])
        config_toml = metadata["ganzoo.config"]
    except (KeyError, ValueError) as error:
        raise WeightsError(f"{path} has damaged checkpoint metadata: {error}") from None
    modules = {
        role: {k[len(role) + 1 :]: v for k, v in tensors.items() if k.startswith(role + ".")}
        for role in roles
    }
    optimizers = {}
    for role, layout in structure.items():
        prefix = f"optimizer.{role}."
        flat = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
        optimizers[role] = unflatten_optimizer_state(flat, layout)
    rng = {k[4:]: v for k, v in tensors.items() if k.startswith("rng.")}
    extra = {k: v for k, v in metadata.items() if k not in {"ganzoo.config", "ganzoo.optimizers"}}
    return Checkpoint(step, modules, optimizers, rng, config_toml, extra)


def newest_readable_checkpoint(run_dir: Path) -> tuple[Checkpoint, list[str]]:
    """The newest checkpoint that reads cleanly, and a warning for each one skipped."""
    warnings: list[str] = []
    for path in reversed(list_checkpoints(run_dir)):
        try:
            return load_checkpoint(path), warnings
        except WeightsError as error:
            warnings.append(f"skipping unreadable checkpoint: {error}")
    raise WeightsError(
        f"{run_dir} has no readable checkpoint in {CHECKPOINT_DIR}/ to resume from"
    )


def flatten_optimizer_state(state: dict[str, Any]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
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


def unflatten_optimizer_state(tensors: dict[str, torch.Tensor], layout: dict[str, Any]) -> dict[str, Any]:
    """Rebuild an optimiser ``state_dict`` from :func:`flatten_optimizer_state`'s output."""
    state: dict[int, dict[str, Any]] = {int(i): {} for i in layout["param_ids"]}
    for name, value in tensors.items():
        param_id, _, key = name.partition(".")
        state.setdefault(int(param_id), {})[key] = value
    for param_id, extra in layout["values"].items():
        state.setdefault(int(param_id), {}).update(extra)
    return {"state": state, "param_groups": layout["param_groups"]}
