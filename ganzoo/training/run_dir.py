"""The run directory: where a run's config, weights, samples and logs live."""

from __future__ import annotations

import shutil
from pathlib import Path

from ganzoo.config import RunConfig, read_toml, to_toml
from ganzoo.errors import ConfigError

CONFIG_FILE = "config.toml"
RUN_FILES = (
    CONFIG_FILE,
    "generator.safetensors",
    "discriminator.safetensors",
    "generator_ema.safetensors",
    "metrics.jsonl",
    "loss_curve.png",
    "samples.gif",
    "eval.json",
)
RUN_FOLDERS = ("samples", "checkpoints")


def prepare_run_dir(run_dir: Path, config: RunConfig, overwrite: bool) -> None:
    """Create ``run_dir`` for a new run; never clobber a run or a folder that isn't one."""
    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError(f"--out {run_dir} is a file, not a directory")
    if run_dir.is_dir() and any(run_dir.iterdir()):
        is_run = (run_dir / CONFIG_FILE).is_file()
        if not is_run:
            raise ConfigError(
                f"--out {run_dir} exists and is not a ganzoo run directory; "
                "choose an empty or new folder"
            )
        if not overwrite:
            previous = read_toml(run_dir / CONFIG_FILE)
            same = _comparable(previous) == _comparable(config.model_dump(mode="json"))
            what = "the same config" if same else "another config"
            raise ConfigError(
                f"--out {run_dir} already holds a run with {what}; "
                "add --resume to continue it, --overwrite to replace it, or choose another --out"
            )
        clear_run(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "samples").mkdir(exist_ok=True)


def clear_run(run_dir: Path) -> None:
    """Remove ganzoo's own files from a run directory (for --overwrite); leave anything else."""
    for name in RUN_FILES:
        (run_dir / name).unlink(missing_ok=True)
    for name in RUN_FOLDERS:
        shutil.rmtree(run_dir / name, ignore_errors=True)


def save_config(run_dir: Path, config: RunConfig) -> None:
    from ganzoo.storage.atomic import write_atomic

    header = "# The resolved configuration of this run; `ganzoo run --config` reads it back.\n"
    write_atomic(run_dir / CONFIG_FILE, (header + to_toml(config)).encode())


def _comparable(data: dict[str, object]) -> dict[str, object]:
    ignored = {"out", "steps", "epochs", "device"}
    return {k: v for k, v in data.items() if k not in ignored and v not in (None, {}, [])}
