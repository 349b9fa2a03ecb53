"""Loggers: TensorBoard events read back with TensorBoard's own reader, eval figures appended,
a resumed run's redone steps hidden, and the missing extra refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData

import ganzoo
from ganzoo.config import RunConfig, parse_assignments
from ganzoo.errors import ConfigError, UnknownComponentError
from ganzoo.evaluation.saved_run import evaluate_run
from ganzoo.plugins import plugin_set
from ganzoo.storage.layout import RunLayout
from ganzoo.training.artifacts import read_metrics
from ganzoo.training.loop import resume
from ganzoo.training.setup import validate_config
from tests.conftest import REPO_ROOT

LOGGED = [3, 6, 9, 12]


def tiny_config(out: Path, **changes: object) -> RunConfig:
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
        "loggers": ["tensorboard"],
        "logger_settings": {"tensorboard": {"histograms_every": 6}},
        "architecture_settings": {"latent_dim": 8, "generator_widths": [32, 32]},
        **changes,
    }
    return RunConfig.model_validate(values)


def events(run_dir: Path) -> EventAccumulator:
    accumulator = EventAccumulator(str(RunLayout(run_dir).events))
    accumulator.Reload()
    return accumulator


@pytest.fixture(scope="module")
def evaluated_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Nine steps, killed after logging step 9 but before its checkpoint; resumed from step 6
    to step 12; evaluated."""
    run_dir = tmp_path_factory.mktemp("tracking") / "run"
    ganzoo.train(tiny_config(run_dir, steps=9), show_progress=False, show_summary=False)
    RunLayout(run_dir).checkpoint(9).unlink()
    resume(run_dir, steps=12, show_progress=False)
    evaluate_run(run_dir, ["mode-coverage"], num_samples=200)
    return run_dir


def test_scalars_images_and_histograms_are_in_the_run_events(evaluated_run: Path) -> None:
    accumulator = events(evaluated_run)
    tags = accumulator.Tags()
    for tag in ("loss/d_loss", "loss/g_loss", "speed/images_per_s", "speed/elapsed_s"):
        # each step once: the resumed run hid the steps after its checkpoint (7 to 9)
        assert [event.step for event in accumulator.Scalars(tag)] == LOGGED, tag
    jsonl = read_metrics(evaluated_run)
    assert [row["step"] for row in jsonl] == LOGGED  # metrics.jsonl as before, beside them
    assert [e.value for e in accumulator.Scalars("loss/d_loss")] == pytest.approx(
        [row["d_loss"] for row in jsonl]
    )
    assert tags["images"] == ["samples"]
    assert [image.step for image in accumulator.Images("samples")] == [0, 6, 12]  # 9's hidden
    assert accumulator.Images("samples")[-1].encoded_image_string.startswith(b"\x89PNG")
    assert "grad_norm/generator" in tags["histograms"]
    assert any(t.startswith("weights/discriminator/") for t in tags["histograms"])
    assert [p.name for p in RunLayout(evaluated_run).events.iterdir() if p.is_dir()] == []


def test_config_is_the_hparams_of_the_run_folder_itself(evaluated_run: Path) -> None:
    content = events(evaluated_run).PluginTagToContent("hparams")
    start = HParamsPluginData.FromString(content["_hparams_/session_start_info"])
    hparams = start.session_start_info.hparams
    assert hparams["architecture"].string_value == "mlp-gan"
    assert hparams["dataset"].string_value == "ring8"
    assert hparams["batch_size"].number_value == 16
    assert hparams["loss_settings.lr_g"].number_value > 0
    end = HParamsPluginData.FromString(content["_hparams_/session_end_info"])
    assert end.session_end_info.status == 1  # STATUS_SUCCESS: the run finished
    # training, resuming and evaluating each appended a file to the one folder
    assert len(list(RunLayout(evaluated_run).events.glob("events.out.tfevents.*"))) == 3


def test_eval_appends_its_figures_to_the_run_events(evaluated_run: Path) -> None:
    figures = json.loads(RunLayout(evaluated_run).results.read_text())["metrics"]
    accumulator = events(evaluated_run)
    for key, value in figures["mode-coverage"].items():
        (event,) = accumulator.Scalars(f"eval/mode-coverage/{key}")
        assert (event.step, event.value) == (12, pytest.approx(value))


def test_loggers_and_their_settings_are_checked_by_name() -> None:
    registry = plugin_set().registry
    assignments = ["loggers=['tb']", "logger.tensorboard.histograms_every=100"]
    config = RunConfig.model_validate({"architecture": "mlp-gan", **parse_assignments(assignments)})
    resolved = validate_config(config, registry)
    assert resolved.loggers == ["tensorboard"]  # the alias resolved
    assert resolved.logger_settings["tensorboard"]["histograms_every"] == 100
    with pytest.raises(UnknownComponentError, match="did you mean 'tensorboard'"):
        validate_config(config.model_copy(update={"loggers": ["tensorbord"]}), registry)
    unused = config.model_copy(update={"loggers": []})
    with pytest.raises(ConfigError, match="does not use; add it with --logger tensorboard"):
        validate_config(unused, registry)


BLOCKED = """
import sys
sys.modules["tensorboard"] = None  # as if the extra were not installed
from ganzoo.cli import main
sys.argv = ["ganzoo", *sys.argv[1:]]
main()
"""


def test_asking_for_tensorboard_without_the_extra_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["run", "mlp-gan", "--logger", "tensorboard", "--steps", "2", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-c", BLOCKED, *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: the tensorboard logger needs TensorBoard, an optional extra: "
        "pip install 'ganzoo[tensorboard]'"
    ]
    assert not out.exists()  # refused before the run folder was made
