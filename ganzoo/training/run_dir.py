"""Starting a run directory: never clobber a run or a folder that isn't one."""

from __future__ import annotations

import shutil

from ganzoo.config import RunConfig, read_toml, to_toml
from ganzoo.errors import ConfigError
from ganzoo.storage.atomic import write_atomic
from ganzoo.storage.layout import RunLayout


def check_out_folder(layout: RunLayout) -> None:
    """Refuse an ``--out`` that is a file, or a folder of files that is not a run."""
    root = layout.root
    if root.exists() and not root.is_dir():
        raise ConfigError(f"--out {root} is a file, not a directory")
    if root.is_dir() and not layout.is_run() and any(p != layout.lock for p in root.iterdir()):
        raise ConfigError(
            f"--out {root} exists and is not a ganzoo run directory; choose an empty or new folder"
        )


def prepare_run_dir(layout: RunLayout, config: RunConfig, overwrite: bool) -> None:
    """Create the folder of a new run; an existing run is replaced only with ``overwrite``."""
    check_out_folder(layout)
    if layout.is_run():
        if not overwrite:
            previous = read_toml(layout.config)
            same = _comparable(previous) == _comparable(config.model_dump(mode="json"))
            what = "the same config" if same else "another config"
            raise ConfigError(
                f"--out {layout.root} already holds a run with {what}; "
                "add --resume to continue it, --overwrite to replace it, or choose another --out"
            )
        clear_run(layout)
    layout.root.mkdir(parents=True, exist_ok=True)


def clear_run(layout: RunLayout) -> None:
    """Remove ganzoo's own files from a run directory (for --overwrite); leave anything else."""
    for path in layout.own_files():
        path.unlink(missing_ok=True)
    for folder in layout.own_folders():
        shutil.rmtree(folder, ignore_errors=True)


def save_config(layout: RunLayout, config: RunConfig) -> None:
    """Write the resolved configuration that ``--resume`` and ``ganzoo eval`` read back."""
    import torch

    from ganzoo.training.performance import cpu_threads

    header = (
        "# The resolved configuration of this run; `ganzoo run --config` reads it back.\n"
        f"# Trained in {config.precision} with {cpu_threads(torch.get_num_threads())} "
        "(the weights' floating-point sums depend on both).\n"
    )
    write_atomic(layout.config, (header + to_toml(config)).encode())


def _comparable(data: dict[str, object]) -> dict[str, object]:
    """The settings that tell two configs apart: unset ones and switches left off by default
    are left out, since a run written before a switch existed does not name it."""
    ignored = {"out", "steps", "epochs", "device"}
    off = {name for name, field in RunConfig.model_fields.items() if field.default is False}
    return {
        k: v
        for k, v in data.items()
        if k not in ignored and v not in (None, {}, []) and not (k in off and v is False)
    }
