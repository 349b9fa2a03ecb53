"""``ganzoo run --nproc 2`` and ``torchrun -m ganzoo run --resume``, as a user runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from ganzoo.config import read_toml
from ganzoo.storage.checkpoint import checkpoint_step, list_checkpoints
from ganzoo.storage.layout import RunLayout
from ganzoo.storage.run_lock import live_holder
from ganzoo.storage.run_state import read_state
from ganzoo.training.artifacts import read_metrics
from tests.distributed.launching import child_env, launch


@pytest.fixture(scope="module")
def stopped_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """``ganzoo run --nproc 2`` (no --out) stopped by a Ctrl-C to its process group.

    Also returns the environment of the process that held the run's lock while it trained.

    The terminal sends Ctrl-C to the foreground group: here ``ganzoo`` and torchrun;
    torchrun hands it on to its workers, which run in sessions of their own.
    """
    cwd = tmp_path_factory.mktemp("cli")
    command = [sys.executable, "-m", "ganzoo", "run", "--nproc", "2", "mlp-gan"]
    command += ["--dataset", "ring8", "--steps", "100000", "--batch-size", "8"]
    command += ["--sync-batchnorm", "--set", "log_every=5", "--set", "grid_size=16"]
    command += ["--logger", "tensorboard"]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(tmp_path_factory.getbasetemp()),
        cwd=cwd,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    runs = cwd / "runs"
    while not any(runs.glob("*/metrics.jsonl")) and process.poll() is None:
        assert time.monotonic() < deadline, "no training step within 2 minutes"
        time.sleep(0.2)
    holder = live_holder(RunLayout(next(runs.iterdir())))
    assert holder is not None, "nobody held the lock of the live run"
    pid = int(holder.split()[1])  # "process PID on host …"
    environ = Path(f"/proc/{pid}/environ")
    holder_environment = environ.read_bytes().decode(errors="replace") if environ.is_file() else ""
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-4000:]
    assert stdout == ""  # the run directory is printed only when training completes
    (run_dir,) = runs.iterdir()  # one run directory: rank 1 made no folder of its own
    assert_rank_0_alone_logged(run_dir)
    return run_dir, stderr, holder_environment


def test_ctrl_c_stops_every_rank_after_one_checkpoint(stopped_run: tuple[Path, str, str]) -> None:
    run_dir, stderr, _ = stopped_run
    assert stderr.count("stopped by Ctrl-C at step") == 1  # reported by rank 0 only
    assert "Traceback" not in stderr and "SignalException" not in stderr  # nor by torchrun
    assert stderr.count("training mlp-gan with non-saturating on ring8") == 1
    assert "on 2 processes (cpu), global batch 8 = 2 × 4" in stderr
    step = checkpoint_step(list_checkpoints(run_dir)[-1])
    assert f"at step {step}; checkpoint written" in stderr
    steps = [row["step"] for row in read_metrics(run_dir)]
    assert steps == sorted(set(steps)) and steps[0] == 5  # one writer, no duplicates
    config = read_toml(run_dir / "config.toml")
    assert config["batch_size"] == 8 and config["sync_batchnorm"] is True


def assert_rank_0_alone_logged(run_dir: Path) -> None:
    """One events file, rank 0's, holding what metrics.jsonl holds; the stop recorded."""
    layout = RunLayout(run_dir)
    (events_file,) = layout.events.iterdir()  # rank 1 wrote none
    accumulator = EventAccumulator(str(events_file))
    accumulator.Reload()
    logged = [event.step for event in accumulator.Scalars("loss/d_loss")]
    assert logged == [row["step"] for row in read_metrics(run_dir)] and logged[0] == 5
    assert accumulator.Tags()["images"] == ["samples"]
    state = read_state(layout)
    assert state is not None and state.state == "stopped"
    assert state.step == checkpoint_step(list_checkpoints(run_dir)[-1])
    assert f"stopped by Ctrl-C at step {state.step}" in state.message


@pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="needs /proc")
def test_rank_0_holds_the_lock_of_the_run(stopped_run: tuple[Path, str, str]) -> None:
    environment = stopped_run[2].split("\0")
    assert "RANK=0" in environment and "WORLD_SIZE=2" in environment


def test_torchrun_resumes_the_run(
    stopped_run: tuple[Path, str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    run_dir, _, _ = stopped_run
    step = checkpoint_step(list_checkpoints(run_dir)[-1])
    result = launch(
        "-m", "ganzoo", "run", "--resume", str(run_dir), "--steps", str(step + 3), "--quiet",
        base=tmp_path_factory.getbasetemp(), cwd=run_dir.parent,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.splitlines() == [str(run_dir)]  # printed once, by rank 0
    assert checkpoint_step(list_checkpoints(run_dir)[-1]) == step + 3
    assert read_metrics(run_dir)[-1]["step"] == step + 3
    assert (run_dir / "samples.gif").is_file()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["mlp-gan", "--dataset", "mnist", "--data-root", "missing"],
            "error: data root 'missing' (from --data-root) does not exist",
        ),
        (
            ["infogan", "--set", "dataset.image_size=16"],
            "error: architecture 'infogan' adds an auxiliary loss, which trains on one process",
        ),
    ],
    ids=["missing-data-root", "single-process-architecture"],
)
def test_a_bad_input_on_several_processes_is_one_line_and_exit_code_2(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    command = [sys.executable, "-m", "ganzoo", "run", "--nproc", "2", *arguments]
    command += ["--steps", "2", "--batch-size", "8", "--out", "run"]
    result = subprocess.run(
        command, capture_output=True, text=True, env=child_env(tmp_path), cwd=tmp_path, timeout=300
    )
    assert result.returncode == 2, result.stderr[-4000:]
    lines = result.stderr.splitlines()  # no launcher log, no traceback, no word from rank 1
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr[-4000:]
    assert not (tmp_path / "run").exists()  # refused before a run directory was made
