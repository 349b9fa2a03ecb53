"""The run layout: the one place that names the files and folders of a run directory.

Every writer and reader of a run goes through :class:`RunLayout`, so each file has one
spelling. A network's role (``generator``, ``discriminator``, ``generator_ema``) names
its weights file, its tensors in a checkpoint and the ``ganzoo.role`` in its metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

GENERATOR = "generator"
DISCRIMINATOR = "discriminator"
GENERATOR_EMA = "generator_ema"
"""The moving average of the generator, kept with ``--ema``."""

RUNS_FOLDER = Path("runs")
"""Where runs go when no ``--out`` is given (relative to the working directory)."""

CHECKPOINT_PATTERN = re.compile(r"^step-(\d+)\.safetensors$")


@dataclass(frozen=True)
class RunLayout:
    """The paths of one run directory::

    config.toml  metrics.jsonl  loss_curve.png  samples.gif  eval.json  state.json  .lock
    generator.safetensors  discriminator.safetensors  generator_ema.safetensors
    samples/step-NNNNNN.png  checkpoints/step-NNNNNN.safetensors  tb/events.out.tfevents.*
    """

    root: Path

    @property
    def config(self) -> Path:
        """The resolved configuration, which ``--resume`` and ``eval`` read back."""
        return self.root / "config.toml"

    @property
    def metrics(self) -> Path:
        """One JSON line of losses and throughput per logged step."""
        return self.root / "metrics.jsonl"

    @property
    def loss_curve(self) -> Path:
        return self.root / "loss_curve.png"

    @property
    def samples_gif(self) -> Path:
        return self.root / "samples.gif"

    @property
    def results(self) -> Path:
        """What ``ganzoo eval`` measured."""
        return self.root / "eval.json"

    @property
    def state(self) -> Path:
        """Where the run stands (running, finished, stopped, diverged), kept by the trainer."""
        return self.root / "state.json"

    @property
    def samples(self) -> Path:
        return self.root / "samples"

    @property
    def events(self) -> Path:
        """TensorBoard's event files (``tensorboard --logdir runs`` finds every run's)."""
        return self.root / "tb"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def lock(self) -> Path:
        """Held by the one process that writes the run (see :mod:`ganzoo.storage.run_lock`)."""
        return self.root / ".lock"

    def weights(self, role: str) -> Path:
        """The newest weights of the network ``role`` (e.g. :data:`GENERATOR`)."""
        return self.root / f"{role}.safetensors"

    def sample(self, step: int) -> Path:
        """The sample grid of ``step``."""
        return self.samples / f"step-{step:06d}.png"

    def sample_frames(self) -> list[Path]:
        """The sample grids, oldest first."""
        return sorted(self.samples.glob("step-*.png"))

    def checkpoint(self, step: int) -> Path:
        """The checkpoint file of ``step``."""
        return self.checkpoints / f"step-{step:06d}.safetensors"

    def checkpoint_files(self) -> list[Path]:
        """The run's checkpoint files, oldest first."""
        if not self.checkpoints.is_dir():
            return []
        found = [
            (int(m.group(1)), path)
            for path in self.checkpoints.iterdir()
            if (m := CHECKPOINT_PATTERN.match(path.name))
        ]
        return [path for _, path in sorted(found)]

    def is_run(self) -> bool:
        """Whether the folder holds a run (its config)."""
        return self.config.is_file()

    def own_files(self) -> list[Path]:
        """The files ganzoo writes into a run (the lock aside), which ``--overwrite`` removes."""
        weights = [self.weights(role) for role in (GENERATOR, DISCRIMINATOR, GENERATOR_EMA)]
        logs = [self.metrics, self.loss_curve, self.samples_gif, self.results, self.state]
        return [self.config, *weights, *logs]

    def own_folders(self) -> list[Path]:
        """The folders ganzoo writes into a run."""
        return [self.samples, self.checkpoints, self.events]


def checkpoint_step(path: Path) -> int:
    """The step in a checkpoint's file name."""
    match = CHECKPOINT_PATTERN.match(path.name)
    if match is None:
        raise ValueError(f"{path.name} is not a checkpoint file name")
    return int(match.group(1))
