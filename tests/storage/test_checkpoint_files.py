"""Atomic writes, checkpoint files, optimiser-state flattening and unreadable checkpoints."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import torch
from torch import nn

from ganzoo.errors import StorageError, WeightsError
from ganzoo.storage.atomic import remove_stale_temporaries, write_atomic
from ganzoo.storage.checkpoint import (
    Checkpoint,
    checkpoint_path,
    list_checkpoints,
    load_checkpoint,
    newest_readable_checkpoint,
    save_checkpoint,
    set_aside,
)


def test_write_atomic_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a" / "file.bin"
    write_atomic(target, b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]


def test_a_failed_write_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "kept.txt").write_text("mine")
    with pytest.raises(StorageError, match="cannot write"):
        write_atomic(tmp_path / "folder", b"data")  # cannot replace a folder by a file
    assert [p.name for p in tmp_path.iterdir()] == ["folder"]
    assert (tmp_path / "folder" / "kept.txt").read_text() == "mine"
    (tmp_path / "plain").write_text("a file")
    with pytest.raises(StorageError, match="cannot write"):
        write_atomic(tmp_path / "plain" / "below.bin", b"data")  # a file is no folder


def test_only_temporaries_of_ended_processes_are_removed(tmp_path: Path) -> None:
    ended = subprocess.Popen(["true"])
    ended.wait()
    stale = tmp_path / f".step-000002.safetensors.tmp-{ended.pid}-0"
    mine = tmp_path / f".step-000003.safetensors.tmp-{os.getpid()}-0"
    unrelated = [tmp_path / ".hidden", tmp_path / "step-000001.safetensors"]
    for path in (stale, mine, *unrelated):
        path.write_bytes(b"x")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert sorted(tmp_path.iterdir()) == sorted([mine, *unrelated])


def trained(optimizer_class: type[torch.optim.Optimizer], **options: object) -> tuple[
    nn.Module, torch.optim.Optimizer
]:  # fmt: skip
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    optimizer = optimizer_class(model.parameters(), lr=0.01, **options)
    for _ in range(2):
        optimizer.zero_grad()
        model(torch.randn(8, 3)).pow(2).mean().backward()
        optimizer.step()
    return model, optimizer


def step_once(model: nn.Module, optimizer: torch.optim.Optimizer) -> list[torch.Tensor]:
    torch.manual_seed(1)
    optimizer.zero_grad()
    model(torch.randn(8, 3)).pow(2).mean().backward()
    optimizer.step()
    return [p.detach().clone() for p in model.parameters()]


OPTIMIZERS = {
    "adam-fused": (torch.optim.Adam, {"fused": True, "betas": (0.5, 0.999)}),
    "adam-foreach": (torch.optim.Adam, {"foreach": True}),
    "rmsprop": (torch.optim.RMSprop, {"foreach": True}),
    "sgd-momentum": (torch.optim.SGD, {"momentum": 0.9}),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_state_round_trip(tmp_path: Path, name: str) -> None:
    optimizer_class, options = OPTIMIZERS[name]
    model, optimizer = trained(optimizer_class, **options)
    saved = Checkpoint(
        step=2,
        modules={"generator": model.state_dict()},
        optimizers={"generator": optimizer.state_dict()},
        rng={"torch": torch.get_rng_state()},
        config_toml='architecture = "mlp-gan"\n',
        metadata={},
    )
    loaded = load_checkpoint(save_checkpoint(tmp_path, saved, keep=2))
    twin, twin_optimizer = trained(optimizer_class, **options)
    twin.load_state_dict(loaded.modules["generator"])
    twin_optimizer.load_state_dict(loaded.optimizers["generator"])
    assert loaded.step == 2 and torch.equal(loaded.rng["torch"], saved.rng["torch"])
    for expected, got in zip(
        step_once(model, optimizer), step_once(twin, twin_optimizer), strict=True
    ):
        assert torch.equal(expected, got)


def tiny_checkpoint(step: int) -> Checkpoint:
    model, optimizer = trained(torch.optim.Adam)
    return Checkpoint(
        step, {"generator": model.state_dict()}, {"generator": optimizer.state_dict()},
        {"torch": torch.get_rng_state()}, "", {},
    )  # fmt: skip


def test_only_the_newest_checkpoints_are_kept(tmp_path: Path) -> None:
    for step in (1, 2, 3, 4):
        save_checkpoint(tmp_path, tiny_checkpoint(step), keep=2)
    assert list_checkpoints(tmp_path) == [
        checkpoint_path(tmp_path, 3),
        checkpoint_path(tmp_path, 4),
    ]


def test_unreadable_newest_checkpoint_is_skipped_then_set_aside(tmp_path: Path) -> None:
    for step in (1, 2):
        save_checkpoint(tmp_path, tiny_checkpoint(step), keep=2)
    newest = checkpoint_path(tmp_path, 2)
    newest.write_bytes(newest.read_bytes()[:-10])
    checkpoint, skipped, reasons = newest_readable_checkpoint(tmp_path)
    assert checkpoint.step == 1 and skipped == [newest]
    assert "truncated or corrupt" in reasons[0]
    aside = set_aside(newest)
    assert aside.name == "step-000002.safetensors.unreadable" and aside.is_file()
    assert list_checkpoints(tmp_path) == [checkpoint_path(tmp_path, 1)]
    checkpoint_path(tmp_path, 1).write_bytes(b"garbage")
    with pytest.raises(WeightsError, match="no readable checkpoint"):
        newest_readable_checkpoint(tmp_path)
