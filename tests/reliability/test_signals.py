"""Ctrl-C and SIGTERM on a real training process: finish the step, checkpoint, say how to resume."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from ganzoo.storage.checkpoint import checkpoint_path, load_checkpoint
from ganzoo.training.interrupts import GracefulStop, StopNow
from tests.reliability.processes import Running, newest_step, run

LONG_RUN = [
    "run", "mlp-gan", "-d", "ring8", "--batch-size", "16", "--steps", "100000",
    "--out", "run", "--set", "checkpoint_every=1", "-q",
]  # fmt: skip


def start_training(folder: Path, env: dict[str, str]) -> Running:
    """A long run, returned once it has written its first checkpoint."""
    process = Running(LONG_RUN, folder, env)
    process.wait_until(lambda: newest_step(folder / "run") >= 1)
    return process


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_signal_checkpoints_and_exits(
    tmp_path: Path, cli_env: dict[str, str], signum: signal.Signals
) -> None:
    process = start_training(tmp_path, cli_env)
    os.kill(process.pid, signum)
    stopped = process.finish()

    assert stopped.code == 128 + signum, stopped.stderr
    assert "Traceback" not in stopped.stderr
    step = newest_step(tmp_path / "run")
    name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    assert f"stopped by {name} at step {step}; checkpoint written" in stopped.stderr
    assert "To continue: ganzoo run --resume run" in stopped.stderr
    assert load_checkpoint(checkpoint_path(tmp_path / "run", step)).step == step

    if signum == signal.SIGINT:  # the hint works
        resumed = run(["run", "--resume", "run", "--steps", str(step + 2), "-q"], tmp_path, cli_env)
        assert resumed.code == 0, resumed.stderr
        assert newest_step(tmp_path / "run") == step + 2


def test_second_signal_stops_at_once(tmp_path: Path, cli_env: dict[str, str]) -> None:
    process = start_training(tmp_path, cli_env)
    # Two different signals sent while the process is paused arrive together, in number
    # order: SIGINT asks for a clean stop, SIGTERM then insists before the step can end.
    os.kill(process.pid, signal.SIGSTOP)
    os.kill(process.pid, signal.SIGINT)
    os.kill(process.pid, signal.SIGTERM)
    os.kill(process.pid, signal.SIGCONT)
    stopped = process.finish()

    assert stopped.code == 143, stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert "stopped at once by a second SIGTERM; the checkpoint of step" in stopped.stderr
    step = int(stopped.stderr.split("checkpoint of step ")[1].split()[0])
    assert load_checkpoint(checkpoint_path(tmp_path / "run", step)).step == step


def test_two_ctrl_c_in_process() -> None:
    """The first Ctrl-C only sets a flag; the second raises at once; the handler is restored."""
    before = signal.getsignal(signal.SIGINT)  # SIG_IGN in a suite started in the background
    with GracefulStop() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.signum == signal.SIGINT
        with pytest.raises(StopNow) as second:
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # the handler runs between bytecodes
                pass
    assert second.value.exit_code == 130
    assert signal.getsignal(signal.SIGINT) is before
