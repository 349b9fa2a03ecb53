"""Every bad input gives exit code 2, one clear line on stderr, no traceback, and no lost data."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from ganzoo.config import RunConfig
from ganzoo.storage.weights import read_safetensors
from ganzoo.training.loop import train
from tests.reliability.processes import Outcome, assert_clean_error, run, run_batch

RUN = "run"
"""A finished small run (mlp-gan on ring8) that the cases may read but must never change."""

BAD_INPUTS: dict[str, tuple[list[str], list[str]]] = {
    # name: (command line, fragments the one error line must hold)
    "unknown architecture": (["run", "dcgna"], ["unknown architecture 'dcgna'", "'dcgan'"]),
    "unknown loss": (["run", "mlp-gan", "--loss", "wgan-pg"], ["unknown loss", "'wgan-gp'"]),
    "unknown dataset": (["run", "mlp-gan", "-d", "ring9"], ["unknown dataset", "'ring8'"]),
    "unknown metric": (["eval", RUN, "--metric", "fdi"], ["unknown metric 'fdi'", "'fid'"]),
    "negative learning rate": (["run", "mlp-gan", "--lr-d", "-1e-4"], ["lr_d", "greater than 0"]),
    "batch size 0": (
        ["run", "mlp-gan", "--batch-size", "0"],
        ["batch_size", "greater than or equal to 1"],
    ),
    "steps not a number": (["run", "mlp-gan", "--steps", "many"], ["invalid value for '--steps'"]),
    "steps not a number in --set": (["run", "mlp-gan", "--set", "steps=x"], ["steps", "integer"]),
    "unknown --set key": (["run", "mlp-gan", "--set", "stpes=3"], ["'stpes'", "'steps'"]),
    "unknown --set section": (["run", "mlp-gan", "--set", "los.lr_g=1"], ["'los'", "loss"]),
    "unknown component setting": (
        ["run", "mlp-gan", "-l", "wgan-gp", "--set", "loss.gp_weigth=5"],
        ["'gp_weigth'", "gp_weight"],
    ),
    "markup in a value": (["run", "mlp-gan", "--set", "seed=[/red]"], ["[/red]", "seed"]),
    "malformed TOML": (["run", "--config", "bad.toml"], ["malformed TOML", "bad.toml"]),
    "missing config file": (["run", "--config", "nowhere.toml"], ["nowhere.toml", "not exist"]),
    "--out holds another run": (
        ["run", "mlp-gan", "-d", "ring8", "--steps", "9", "--out", RUN],
        ["another config", "--resume", "--overwrite"],
    ),
    "--out is a folder of other files": (
        ["run", "mlp-gan", "-d", "ring8", "--out", "notes"],
        ["not a ganzoo run directory"],
    ),
    "--resume with other settings": (
        ["run", "--resume", RUN, "--lr-d", "1"],
        ["--lr-d", "allowed with --resume"],
    ),
    "--resume of a folder that is no run": (["run", "--resume", "notes"], ["not a ganzoo run"]),
    "--resume with only corrupt checkpoints": (
        ["run", "--resume", "broken-run"],
        ["no readable checkpoint"],
    ),
    "truncated weights": (["sample", "truncated.safetensors"], ["truncated or corrupt"]),
    "corrupt weights": (["sample", "corrupt.safetensors"], ["not a readable safetensors"]),
    "weights without ganzoo metadata": (["sample", "plain.safetensors"], ["no ganzoo metadata"]),
    "weights of another shape": (
        ["sample", "narrower.safetensors"],
        ["shape mismatch", "net.0.weight"],
    ),
    "weights of another architecture": (
        ["sample", "other-architecture.safetensors"],
        ["does not fit this DCGANGenerator", "net.0.weight (128, 100) vs", "unexpected"],
    ),
    "damaged weights metadata": (["sample", "damaged.safetensors"], ["damaged ganzoo metadata"]),
    "a checkpoint given as weights of a run that is not there": (
        ["sample", "nowhere/generator.safetensors"],
        ["does not exist"],
    ),
    "sample over an existing file": (["sample", RUN, "-o", "keep.png"], ["already exists"]),
    "--compile with a gradient penalty": (
        ["run", "mlp-gan", "-l", "wgan-gp", "--compile"],
        ["--compile", "'wgan-gp'", "gradients of gradients"],
    ),
    "unknown precision": (["run", "mlp-gan", "--precision", "fp8"], ["precision", "'bf16'"]),
    "--channels-last without convolutions": (
        ["run", "mlp-gan", "--channels-last"],
        ["--channels-last", "no convolutions"],
    ),
    "--resume with another precision": (
        ["run", "--resume", RUN, "--precision", "bf16"],
        ["--precision", "allowed with --resume"],
    ),
    "resnet-gan at a size it cannot make": (
        ["run", "resnet-gan", "--set", "dataset.image_size=16"],
        ["'resnet-gan' from ganzoo cannot make 16×16", "use --set dataset.image_size=32"],
    ),
    "dataset the architecture cannot take": (
        ["run", "dcgan", "-d", "ring8"],
        ["needs image data", "mlp-gan"],
    ),
    "missing data root": (
        ["run", "mlp-gan", "-d", "mnist", "--data-root", "nowhere"],
        ["data root", "does not exist"],
    ),
    "data root that is a file": (
        ["run", "mlp-gan", "-d", "mnist", "--data-root", "bad.toml"],
        ["data root", "not a folder"],
    ),
    "image-folder without a folder": (
        ["run", "dcgan", "-d", "image-folder"],
        ["image-folder needs a folder of images", "--data-root DIR", "--set dataset.path=DIR"],
    ),
    "a run setting given to eval": (
        ["eval", RUN, "--set", "steps=3"],
        ["metric settings only", "metric.NAME.key=value"],
    ),
    "a misspelt metric setting": (
        ["eval", RUN, "--set", "metric.mode-coverage.treshold=1"],
        ["'treshold'", "'threshold'", "metric 'mode-coverage'"],
    ),
    "a setting for a metric that does not run": (
        ["eval", RUN, "--set", "metric.fid.weights=x"],
        ["settings given for metric 'fid'", "does not run", "--metric fid"],
    ),
    "a metric setting without its key": (
        ["eval", RUN, "--set", "metric.mode-coverage=1"],
        ["metric.NAME.key=value"],
    ),
    "a metric setting given to run": (
        ["run", "mlp-gan", "--set", "metric.fid.weights=x"],
        ["'metric'", "metric settings belong to 'ganzoo eval'"],
    ),
    "none for a setting that is not optional": (
        ["run", "mlp-gan", "--set", "batch_size=none"],
        ["batch_size", "'none'"],
    ),
    "show of an unknown name": (
        ["show", "wgan-pg"],
        ["no component is named 'wgan-pg'", "'wgan-gp'"],
    ),
}


def make_workspace(folder: Path) -> None:
    """A finished run and the broken files the cases point at."""
    config = {"architecture": "mlp-gan", "dataset": "ring8", "steps": 2, "batch_size": 16}
    train(RunConfig.model_validate({**config, "out": folder / RUN}), show_progress=False)
    weights = folder / RUN / "generator.safetensors"
    data = weights.read_bytes()
    (folder / "truncated.safetensors").write_bytes(data[: len(data) // 2])
    (folder / "corrupt.safetensors").write_bytes(b"\xff" * 8 + data[8:200])
    save_file({"net.0.weight": torch.zeros(3, 3)}, str(folder / "plain.safetensors"))
    tensors, metadata = read_safetensors(weights)
    narrower = {"ganzoo.architecture_settings": json.dumps({"generator_widths": [64, 32]})}
    save_file(tensors, str(folder / "narrower.safetensors"), {**metadata, **narrower})
    image = {"shape": [1, 16, 16], "value_range": [-1, 1], "num_classes": None}
    other = {"ganzoo.architecture": "dcgan", "ganzoo.architecture_settings": "{}",
             "ganzoo.data_spec": json.dumps(image)}  # fmt: skip
    save_file(tensors, str(folder / "other-architecture.safetensors"), {**metadata, **other})
    damaged = {"ganzoo.data_spec": '{"shape": "wide"}'}
    save_file(tensors, str(folder / "damaged.safetensors"), {**metadata, **damaged})
    (folder / "bad.toml").write_text('architecture = "mlp-gan"\nsteps = [\n')
    (folder / "notes").mkdir()
    (folder / "notes" / "todo.txt").write_text("my own file")
    (folder / "keep.png").write_bytes(b"not really a picture")
    broken = shutil.copytree(folder / RUN, folder / "broken-run")
    for checkpoint in (broken / "checkpoints").iterdir():
        checkpoint.write_bytes(checkpoint.read_bytes()[:100])


def fingerprint(folder: Path) -> dict[str, str]:
    """Name and content hash of every file below ``folder``."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory, cli_env: dict[str, str]
) -> dict[str, Outcome]:
    """Run every bad input once, in forked processes, and check that no file changed."""
    folder = tmp_path_factory.mktemp("bad-input")
    make_workspace(folder)
    before = fingerprint(folder)
    results = run_batch([args for args, _ in BAD_INPUTS.values()], folder, cli_env)
    after = fingerprint(folder)
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    assert not changed, f"bad input changed files: {changed}"
    return dict(zip(BAD_INPUTS, results, strict=True))


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_is_one_clear_line_and_exit_code_2(
    outcomes: dict[str, Outcome], name: str
) -> None:
    assert_clean_error(outcomes[name], *BAD_INPUTS[name][1])


def test_debug_shows_the_traceback(tmp_path: Path, cli_env: dict[str, str]) -> None:
    plain = run(["run", "dcgna"], tmp_path, cli_env)
    assert_clean_error(plain, "unknown architecture")
    debug = run(["--debug", "run", "dcgna"], tmp_path, cli_env)
    assert debug.code == 2
    assert "Traceback" in debug.stderr and "UnknownComponentError" in debug.stderr
