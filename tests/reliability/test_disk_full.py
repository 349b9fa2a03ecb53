"""A checkpoint that cannot be written (full disk, size limit): one line, exit 2, nothing lost."""

from __future__ import annotations

import hashlib
import resource
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ganzoo.config import RunConfig
from ganzoo.storage.atomic import TEMPORARY_MARK
from ganzoo.storage.checkpoint import list_checkpoints, load_checkpoint
from ganzoo.training.loop import train
from tests.reliability.processes import Running, assert_clean_error, newest_step, run

CONTINUE = ["run", "--resume", "run", "--steps", "4", "-q"]


def small_run(folder: Path) -> Path:
    """A finished two-step run with a checkpoint after each step."""
    config = {"architecture": "mlp-gan", "dataset": "ring8", "steps": 2, "batch_size": 16}
    extra = {"checkpoint_every": 1, "out": folder / "run"}
    return train(RunConfig.model_validate(config | extra), show_progress=False)


def checkpoint_hashes(run_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in list_checkpoints(run_dir)}


def assert_nothing_lost(run_dir: Path, before: dict[str, str]) -> None:
    assert checkpoint_hashes(run_dir) == before
    assert load_checkpoint(list_checkpoints(run_dir)[-1]).step == 2
    assert not [p for p in run_dir.rglob("*") if TEMPORARY_MARK in p.name]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 MiB file system of its own (a tmpfs; needs the right to mount, else skipped)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root); see the rlimit test")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_full_disk_while_checkpointing(small_disk: Path, cli_env: dict[str, str]) -> None:
    run_dir = small_run(small_disk)
    before = checkpoint_hashes(run_dir)
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(bytes(free - 512 * 1024))  # leave half a MiB

    full = run(CONTINUE, small_disk, cli_env)
    assert_clean_error(full, "disk full while writing", "step-000003.safetensors", "intact")
    assert_nothing_lost(run_dir, before)

    (small_disk / "filler").unlink()
    freed = run(CONTINUE, small_disk, cli_env)
    assert freed.code == 0, freed.stderr
    assert newest_step(run_dir) == 4


def test_file_size_limit_while_checkpointing(tmp_path: Path, cli_env: dict[str, str]) -> None:
    run_dir = small_run(tmp_path)
    before = checkpoint_hashes(run_dir)
    limit = 1 << 20  # smaller than a checkpoint, larger than the config and the log

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    outcome = Running(CONTINUE, tmp_path, cli_env, preexec_fn=limited).finish()
    assert_clean_error(outcome, "file size limit reached", "step-000003.safetensors")
    assert_nothing_lost(run_dir, before)
