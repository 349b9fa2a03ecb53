"""One writer per run: a live run refuses a second writer, readers are told, a kill frees it."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

from tests.reliability.processes import (
    Running,
    assert_clean_error,
    newest_step,
    run,
    run_batch,
)

TRAIN = [
    "run", "mlp-gan", "-d", "ring8", "--batch-size", "16", "--steps", "100000",
    "--out", "run", "--set", "checkpoint_every=1", "-q",
]  # fmt: skip
SECOND_WRITERS = {
    "--resume": ["run", "--resume", "run", "-q"],
    "--overwrite": ["run", "mlp-gan", "-d", "ring8", "--out", "run", "--overwrite", "-q"],
}
READERS = {
    "sample": ["sample", "run", "-n", "16", "-o", "live.png"],
    "eval": ["eval", "run", "--metric", "mode-coverage", "-n", "200", "--device", "cpu"],
}


def test_a_live_run_has_one_writer_and_a_killed_one_none(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    run_dir = tmp_path / "run"
    live = Running(TRAIN, tmp_path, cli_env)
    try:
        live.wait_until(lambda: newest_step(run_dir) >= 2)
        outcomes = run_batch([*SECOND_WRITERS.values(), *READERS.values()], tmp_path, cli_env)
        assert live.process.poll() is None, "the run did not live through the other commands"
    finally:
        os.kill(live.pid, signal.SIGKILL)
    assert live.finish().code == -signal.SIGKILL

    who = [f"process {live.pid}", f"on host {socket.gethostname()}", "started"]
    for outcome in outcomes[: len(SECOND_WRITERS)]:
        assert_clean_error(outcome, "still being trained by", *who)
    for name, outcome in zip(READERS, outcomes[len(SECOND_WRITERS) :], strict=True):
        assert outcome.code == 0, f"{name}: {outcome.stderr}"
        notes = [line for line in outcome.stderr.splitlines() if "still training" in line]
        assert len(notes) == 1 and f"process {live.pid}" in notes[0], outcome.stderr
    assert (tmp_path / "live.png").is_file() and (run_dir / "eval.json").is_file()
    assert (run_dir / "config.toml").is_file(), "--overwrite replaced the live run"

    # The killed process's lock went with it: a resume right away trains on.
    step = newest_step(run_dir)
    resumed = run(["run", "--resume", "run", "--steps", str(step + 2), "-q"], tmp_path, cli_env)
    assert resumed.code == 0, resumed.stderr
    assert newest_step(run_dir) == step + 2
    sampled = run(["sample", "run", "-n", "4", "-o", "after.png"], tmp_path, cli_env)
    assert sampled.code == 0 and "still training" not in sampled.stderr, sampled.stderr
