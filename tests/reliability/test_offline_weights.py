"""Offline, with no Inception weights at hand, `ganzoo eval --metric fid` is one line, exit 2."""

from __future__ import annotations

from pathlib import Path

from ganzoo.config import RunConfig
from ganzoo.training.loop import train
from tests.reliability.processes import run

UNREACHABLE = "http://127.0.0.1:9"
"""A proxy nothing listens on: every download fails at once, as it does offline."""


def test_missing_weights_offline_name_the_file_and_where_it_goes(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    config = {"architecture": "mlp-gan", "dataset": "digits", "steps": 2, "batch_size": 16}
    train(RunConfig.model_validate({**config, "out": tmp_path / "run"}), show_progress=False)
    torch_home = tmp_path / "torch-home"
    offline = {
        "TORCH_HOME": str(torch_home),
        "GANZOO_INCEPTION_WEIGHTS": "",
        **{
            name: UNREACHABLE for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")
        },
        "no_proxy": "",
        "NO_PROXY": "",
    }
    outcome = run(["eval", "run", "--metric", "fid", "-n", "4"], tmp_path, {**cli_env, **offline})
    assert outcome.code == 2, outcome.stderr
    assert "Traceback" not in outcome.stderr
    errors = [line for line in outcome.lines if "weights" in line]
    assert len(errors) == 1, outcome.stderr  # the other lines are progress ("computing fid")
    (error,) = errors
    assert "weights-inception-2015-12-05-6726825d.pth" in error
    assert f"into {torch_home / 'hub' / 'checkpoints'}/" in error
    assert "--set metric.fid.weights=PATH" in error and "$GANZOO_INCEPTION_WEIGHTS" in error
    assert not (torch_home / "fidelity_datasets").exists()  # torch-fidelity fetched no data
    assert not (tmp_path / "run" / "eval.json").exists()
