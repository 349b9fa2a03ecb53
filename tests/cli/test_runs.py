"""``ganzoo runs`` over a folder of finished, stopped, diverged, killed and live runs.

Each state but the last two is left by a real training run; ``killed`` is a ``running``
record whose process is gone, and ``running`` one whose lock this test holds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import pytest

import ganzoo
from ganzoo import plugins
from ganzoo.config import RunConfig
from ganzoo.errors import DivergenceError
from ganzoo.evaluation.saved_run import evaluate_run
from ganzoo.plugins import hookimpl, load
from ganzoo.storage.layout import RunLayout
from ganzoo.storage.run_lock import run_lock
from ganzoo.storage.run_state import RunState, read_state, write_state
from ganzoo.tracking import Logger, LoggerContext
from ganzoo.training.interrupts import StopRequested
from tests.conftest import run_cli


class _CtrlCAtStep6(Logger):
    """A third-party logger that presses Ctrl-C once the run has logged step 6."""

    def __init__(self, context: LoggerContext) -> None:
        self.sent = False

    def log_scalars(self, step: int, values: Mapping[str, float]) -> None:
        if step >= 6 and not self.sent:
            self.sent = True
            os.kill(os.getpid(), signal.SIGINT)


class _LosesItsConnection(Logger):
    """A third-party tracker whose server goes away at step 6."""

    calls: ClassVar[list[int]] = []

    def __init__(self, context: LoggerContext) -> None:
        pass

    def log_scalars(self, step: int, values: Mapping[str, float]) -> None:
        self.calls.append(step)
        if step >= 6:
            raise ConnectionError("tracking server went away")


class _CannotConnect(Logger):
    """A third-party tracker that cannot reach its server when the run starts."""

    def __init__(self, context: LoggerContext) -> None:
        raise ConnectionError("tracker unreachable")


class _Plugin:
    @staticmethod
    @hookimpl
    def register_loggers(register: object) -> None:
        register("offline", _CannotConnect, description="Cannot start.")  # type: ignore[operator]
        register("ctrl-c", _CtrlCAtStep6, description="Presses Ctrl-C at step 6.")  # type: ignore[operator]
        register("flaky", _LosesItsConnection, description="Fails at step 6.")  # type: ignore[operator]


SMALL = {"latent_dim": 8, "generator_widths": [32, 32], "discriminator_widths": [32]}


def train(out: Path, **changes: object) -> None:
    values: dict[str, object] = {
        "architecture": "mlp-gan",
        "dataset": "ring8",
        "steps": 12,
        "batch_size": 16,
        "log_every": 3,
        "sample_every": 6,
        "grid_size": 16,
        "device": "cpu",
        "out": out,
        "architecture_settings": SMALL,
        **changes,
    }
    ganzoo.train(RunConfig.model_validate(values), show_progress=False, show_summary=False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("runs")
    train(folder / "a-finished")
    evaluate_run(folder / "a-finished", ["mode-coverage"], num_samples=200)
    with pytest.raises(DivergenceError):
        train(folder / "b-diverged", loss_settings={"lr_g": 1e30}, checkpoint_every=1)
    plugins._loaded = load(extra_plugins=[(_Plugin(), "ganzoo-ctrl-c", "1.0")])
    try:
        with pytest.raises(StopRequested):
            train(folder / "c-stopped", steps=1000, loggers=["ctrl-c"])
    finally:
        plugins.reset()
    hostile = RunLayout(folder / "e-hand-edited")
    shutil.copytree(folder / "a-finished", hostile.root)
    hostile.state.write_text('{"state": "finished", "step": null, "steps": "20", "pid": 1, '
                             '"host": "h", "updated": "now", "message": ""}')  # fmt: skip
    killed = RunLayout(folder / "d-killed")
    shutil.copytree(folder / "a-finished", killed.root)
    write_state(killed, RunState.now("running", 3, 50))  # its process died without a word
    return folder


def test_a_failing_logger_is_switched_off_and_the_run_finishes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plugins._loaded = load(extra_plugins=[(_Plugin(), "ganzoo-flaky", "1.0")])
    try:
        train(tmp_path / "run", loggers=["flaky", "offline"])
        evaluate_run(tmp_path / "run", ["mode-coverage"], num_samples=100)
    finally:
        plugins.reset()
    assert _LosesItsConnection.calls == [3, 6]  # never called again after failing
    assert read_state(RunLayout(tmp_path / "run")).state == "finished"
    err = capsys.readouterr().err
    (warning,) = [line for line in err.splitlines() if "flaky" in line]
    assert "logger 'flaky' failed and is off for the rest of this run" in warning
    assert "ConnectionError: tracking server went away" in warning
    offline = [line for line in err.splitlines() if "'offline'" in line]
    assert len(offline) == 2  # once for the run, once for the evaluation
    assert all("could not start" in line and "tracker unreachable" in line for line in offline)
    assert (tmp_path / "run" / "eval.json").is_file()


def test_the_trainer_records_how_each_run_ended(runs: Path) -> None:
    finished = read_state(RunLayout(runs / "a-finished"))
    assert finished is not None and (finished.state, finished.step) == ("finished", 12)
    diverged = read_state(RunLayout(runs / "b-diverged"))
    assert diverged is not None and diverged.state == "diverged" and diverged.step == 2
    assert "training diverged at step 2" in diverged.message
    stopped = read_state(RunLayout(runs / "c-stopped"))
    assert stopped is not None and (stopped.state, stopped.step, stopped.steps) == (
        "stopped",
        7,
        1000,
    )
    assert "stopped by Ctrl-C at step 7" in stopped.message


def test_runs_json_lists_each_run_with_its_state_steps_and_figures(runs: Path) -> None:
    live = RunLayout(runs / "e-live")
    shutil.copytree(runs / "a-finished", live.root)
    with run_lock(live, "--out"):  # a live process holds the lock of the run it trains
        write_state(live, RunState.now("running", 2, 3))
        result = run_cli("runs", str(runs), "--json")
    assert result.returncode == 0, result.stderr
    rows = {Path(row["path"]).name: row for row in json.loads(result.stdout)}
    states = {name: row["state"] for name, row in rows.items()}
    assert states == {
        "a-finished": "finished",
        "b-diverged": "diverged",
        "c-stopped": "stopped",
        "d-killed": "killed",
        "e-hand-edited": "unknown",  # a state.json of the wrong types is no record at all
        "e-live": "running",
    }
    finished = rows["a-finished"]
    assert (finished["architecture"], finished["loss"], finished["dataset"]) == (
        "mlp-gan",
        "non-saturating",
        "ring8",
    )
    assert (finished["steps_done"], finished["steps_planned"]) == (12, 12)
    assert (rows["c-stopped"]["steps_done"], rows["c-stopped"]["steps_planned"]) == (7, 1000)
    figures = json.loads((runs / "a-finished" / "eval.json").read_text())["metrics"]
    assert finished["eval"] == {
        f"mode-coverage.{key}": value for key, value in figures["mode-coverage"].items()
    }
    assert finished["eval_step"] == 12 and rows["b-diverged"]["eval"] == {}
    assert (rows["d-killed"]["steps_done"], rows["d-killed"]["steps_planned"]) == (3, 50)


def test_runs_table_and_a_folder_that_is_not_there(runs: Path, tmp_path: Path) -> None:
    result = run_cli("runs", str(runs), env={"COLUMNS": "250"})
    assert result.returncode == 0, result.stderr
    for text in ("finished", "diverged", "stopped", "killed", "12 / 12", "7 / 1,000"):
        assert text in result.stdout, text
    assert "mode-coverage" in result.stdout and "modes_covered" in result.stdout
    missing = run_cli("runs", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        f"error: {tmp_path / 'nowhere'} is not a folder; give the folder that holds your runs"
    )
