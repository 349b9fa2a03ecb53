"""The training loop, and ``ganzoo.train`` / ``resume``, which start and continue runs."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import torch
from rich.console import Console

from ganzoo.config import RunConfig, build_config, read_toml
from ganzoo.errors import ConfigError, DivergenceError
from ganzoo.plugins import plugin_set
from ganzoo.storage.checkpoint import Checkpoint, checkpoint_step, list_checkpoints
from ganzoo.storage.layout import DISCRIMINATOR, GENERATOR, RunLayout
from ganzoo.storage.run_lock import run_lock
from ganzoo.training.artifacts import RunArtifacts
from ganzoo.training.checkpointing import (
    read_newest_checkpoint,
    restore,
    tidy_for_resume,
    write_checkpoint,
)
from ganzoo.training.distributed import Session, on_all_ranks, session_for_run
from ganzoo.training.interrupts import GracefulStop, StopNow, StopRequested
from ganzoo.training.performance import bf16_note, describe_precision
from ganzoo.training.progress import TrainingProgress
from ganzoo.training.run_dir import check_out_folder, prepare_run_dir, save_config
from ganzoo.training.run_tracking import RunTracking, recording_outcome
from ganzoo.training.setup import default_run_dir, prepare
from ganzoo.training.step import StepLosses, Trainer


def train(
    config: RunConfig,
    *,
    overwrite: bool = False,
    console: Console | None = None,
    show_progress: bool = True,
    show_summary: bool = True,
) -> Path:
    """Train the GAN ``config`` describes and return its run directory.

    Args:
        config: the run's configuration (see :class:`ganzoo.RunConfig`).
        overwrite: replace an existing run in ``config.out``.
        console: where to print; a quiet one when ``show_progress`` is False.
        show_progress: draw a progress bar.
        show_summary: print the layer summaries of G and D first.

    Returns:
        The run directory holding weights, samples, logs and checkpoints.

    Started by torchrun on several processes, it trains with DDP on each rank's shard of
    every global batch, and only rank 0 writes the run directory (holding its lock) or prints.
    """
    with session_for_run() as session, contextlib.ExitStack() as held:
        if not session.is_main:
            console, show_progress, show_summary = None, False, False
        console = console or Console(stderr=True, quiet=not show_progress)
        registry = plugin_set().registry
        # rank 0 first: it alone fetches missing dataset files into the cache
        plan = session.main_first(lambda: prepare(config, registry, session))
        for note in plan.notes:
            console.print(note)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        run_dir = Path(config.out) if config.out else default_run_dir(plan.config, stamp)
        plan.config = plan.config.model_copy(update={"out": run_dir})

        def start_run_dir() -> Path:
            layout = RunLayout(run_dir)
            check_out_folder(layout)
            held.enter_context(run_lock(layout, "--out"))
            prepare_run_dir(layout, plan.config, overwrite)
            save_config(layout, plan.config)
            return run_dir

        run_dir = session.main_first(start_run_dir, others=False)  # rank 0's folder for all
        plan.config = plan.config.model_copy(update={"out": run_dir})
        trainer = Trainer(plan, session=session)
        return run_loop(trainer, RunLayout(run_dir), console, show_progress, show_summary)


def resume(
    run_dir: Path,
    *,
    steps: int | None = None,
    device: str | None = None,
    console: Console | None = None,
    show_progress: bool = True,
) -> Path:
    """Continue a run from its newest readable checkpoint (optionally to a new step count).

    Unreadable newer checkpoints are renamed ``*.unreadable`` (never deleted), files a
    killed process left half-written are removed, and ``metrics.jsonl`` is cut back to
    the checkpoint's step, so the resumed run continues exactly where that one stood.
    A run already at its last step is left as it is.

    Started by torchrun, rank 0 alone reads the run directory (holding its lock) and
    hands the checkpoint to the other ranks, so they need not see the folder at all.
    """
    with session_for_run() as session, contextlib.ExitStack() as held:
        if not session.is_main:
            console, show_progress = None, False
        console = console or Console(stderr=True, quiet=not show_progress)
        layout = RunLayout(Path(run_dir))

        def read_run() -> tuple[Checkpoint, dict[str, object]]:
            if not layout.is_run():
                raise ConfigError(
                    f"--resume {layout.root}: not a ganzoo run directory (no {layout.config.name})"
                )
            held.enter_context(run_lock(layout, "--resume"))
            return read_newest_checkpoint(layout, console), read_toml(layout.config)

        checkpoint, saved = session.main_first(read_run, others=False)
        overrides = {"steps": steps, "device": device, "out": layout.root}
        config = build_config(saved, overrides, source=str(layout.config))
        total = config.steps or 0
        if checkpoint.step >= total:
            console.print(
                f"{layout.root} is already at step {checkpoint.step} of {total}, so there is "
                f"nothing to train; give --steps above {checkpoint.step} to train longer"
            )
            return layout.root
        plan = session.main_first(lambda: prepare(config, plugin_set().registry, session))
        note = bf16_note(plan.config.precision, plan.device, resuming=True)
        if note is not None:
            console.print(note)
        trainer = Trainer(plan, start_step=checkpoint.step, session=session)
        restore(trainer, checkpoint, layout.checkpoint(checkpoint.step))
        if session.is_main:
            tidy_for_resume(layout, checkpoint.step)
            if steps or device:
                save_config(layout, plan.config)
        console.print(f"resuming {layout.root} from step {checkpoint.step} of {total}")
        return run_loop(trainer, layout, console, show_progress, show_summary=False)


def run_loop(
    trainer: Trainer,
    layout: RunLayout,
    console: Console,
    show_progress: bool,
    show_summary: bool,
) -> Path:
    """The training loop: steps, logs, samples, checkpoints, stops and divergence.

    With several processes all ranks train and rank 0 alone writes and prints; ranks agree
    after every step (one small all-reduce) on whether any was asked to stop or saw a
    non-finite loss, so they all checkpoint, stop or fail at the same step. A single
    process makes no collective calls at all.
    """
    session = trainer.session
    artifacts = RunArtifacts(layout, trainer.plan, console) if session.is_main else None
    if artifacts is not None and show_summary:
        artifacts.print_summaries(trainer)
    console.print(describe_start(trainer, layout))
    every = Cadence.of(trainer)
    tracking = None
    if session.is_main:
        resumed_from = trainer.step or None
        registry = plugin_set().registry
        tracking = RunTracking(layout, trainer.config, registry, trainer.step, resumed_from)
    with recording_outcome(tracking, lambda: trainer.step):
        if trainer.step == 0 and artifacts is not None and tracking is not None:
            tracking.log_samples(0, artifacts.save_samples(trainer, 0))
        log = LossLog(trainer)
        with (
            GracefulStop() as stop,
            TrainingProgress(console, every.last, trainer.step, show_progress) as progress,
            explaining_stops(layout),
        ):
            while trainer.step < every.last:
                losses = trainer.train_step()
                step = trainer.step
                log.add(losses)
                signum = agree_on_stop_or_divergence(trainer, losses, stop, every.check(step))
                if every.log(step):
                    row = log.row(step, session)
                    if tracking is not None:
                        tracking.log_scalars(row)
                        tracking.log_networks(step, networks_of(trainer))
                    progress.show_losses(row)
                if artifacts is not None and tracking is not None and every.sample(step):
                    tracking.log_samples(step, artifacts.save_samples(trainer, step))
                if signum or every.checkpoint(step):
                    checkpoint(trainer, losses, layout)
                progress.advance(step)
                if signum:
                    session.barrier()  # nobody exits (and so ends the others) before the checkpoint
                    raise on_all_ranks(StopRequested(signum, step, layout.root))
        if artifacts is not None:
            artifacts.finish()
    console.print(
        f"[green]done[/]: {every.last} steps in {log.elapsed():.1f} s; "
        f"weights, samples and logs in {layout.root}"
    )
    return layout.root


def networks_of(trainer: Trainer) -> dict[str, torch.nn.Module]:
    """The trained networks by role, for loggers that look at weights and gradients."""
    return {GENERATOR: trainer.generator, DISCRIMINATOR: trainer.discriminator}


@dataclass(frozen=True)
class Cadence:
    """At which steps the loop checks losses, logs, samples and checkpoints; each at the last."""

    last: int
    check_every: int
    log_every: int
    sample_every: int
    checkpoint_every: int

    @classmethod
    def of(cls, trainer: Trainer) -> Cadence:
        config = trainer.config
        assert config.steps is not None
        sample_every = config.sample_every or max(1, config.steps // 10)
        # a check reads the losses back from the device: every step on the CPU, where it's free
        check_every = 1 if trainer.device.type == "cpu" else config.log_every
        return cls(
            last=config.steps,
            check_every=check_every,
            log_every=config.log_every,
            sample_every=sample_every,
            checkpoint_every=config.checkpoint_every or sample_every,
        )

    def check(self, step: int) -> bool:
        return step % self.check_every == 0 or step == self.last

    def log(self, step: int) -> bool:
        return step % self.log_every == 0 or step == self.last

    def sample(self, step: int) -> bool:
        return step % self.sample_every == 0 or step == self.last

    def checkpoint(self, step: int) -> bool:
        return step % self.checkpoint_every == 0 or step == self.last


class LossLog:
    """The losses and throughput of the steps since the last logged row."""

    def __init__(self, trainer: Trainer) -> None:
        self.examples_per_step = trainer.config.batch_size * trainer.n_critic
        self.started = time.perf_counter()
        self.interval = StepLosses()
        self.interval_start, self.interval_step = self.started, trainer.step

    def add(self, losses: dict[str, torch.Tensor]) -> None:
        self.interval.add(losses)

    def row(self, step: int, session: Session) -> dict[str, float]:
        """The row logged at ``step`` (means over every rank), starting a new interval."""
        means = session.mean_over_ranks(self.interval.means())
        now = time.perf_counter()
        seconds = max(now - self.interval_start, 1e-9)
        rate = self.examples_per_step * (step - self.interval_step) / seconds
        self.interval, self.interval_start, self.interval_step = StepLosses(), now, step
        return {"step": step, **means, "images_per_s": rate, "elapsed_s": now - self.started}

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def agree_on_stop_or_divergence(
    trainer: Trainer, losses: dict[str, torch.Tensor], stop: GracefulStop, check: bool
) -> int:
    """The signal any rank was stopped by (0 if none); raises if any rank saw a bad loss."""
    bad = trainer.not_finite(losses) if check else []
    # read the stop flag once: a signal arriving later stops after the next step
    signum, any_bad = trainer.session.agree(stop.signum or 0, int(bool(bad)))
    if any_bad:
        raise on_all_ranks(trainer.divergence(bad or ["a loss of another process"]))
    return signum


def checkpoint(trainer: Trainer, losses: dict[str, torch.Tensor], layout: RunLayout) -> None:
    """Checkpoint on rank 0, unless a loss or weight is not finite: never replace a good one."""
    bad = trainer.not_finite(losses, weights=True)
    if bad:
        raise on_all_ranks(trainer.divergence(bad))
    if trainer.session.is_main:
        write_checkpoint(trainer, layout)


def describe_start(trainer: Trainer, layout: RunLayout) -> str:
    """The line that opens a run: what trains, on what, where, for how long."""
    config, session, device = trainer.config, trainer.session, trainer.device
    where = str(device)
    if session.world_size > 1:
        where = (
            f"{session.world_size} processes ({device.type}), global batch "
            f"{config.batch_size} = {session.world_size} × "
            f"{config.batch_size // session.world_size}"
        )
    layout_note = ", channels-last" if trainer.channels_last else ""
    return (
        f"training [bold]{config.architecture}[/] with [bold]{config.loss}[/] on "
        f"[bold]{config.dataset}[/] ({trainer.plan.data.describe()}) on {where} "
        f"({describe_precision(config.precision, device, trainer.plan.denormals)}{layout_note}), "
        f"{config.steps} steps → {layout.root}"
    )


@contextlib.contextmanager
def explaining_stops(layout: RunLayout) -> Iterator[None]:
    """Name the newest checkpoint on disk in a divergence message or an immediate stop."""
    try:
        yield
    except DivergenceError as error:
        explained = DivergenceError(f"{error}; {describe_newest_checkpoint(layout)}")
        if getattr(error, "on_all_ranks", False):
            on_all_ranks(explained)
        raise explained from None
    except StopNow as now:
        newest = list_checkpoints(layout.root)
        now.run_dir = layout.root
        now.checkpoint_step = checkpoint_step(newest[-1]) if newest else None
        raise


def describe_newest_checkpoint(layout: RunLayout) -> str:
    newest = list_checkpoints(layout.root)
    if not newest:
        return "no checkpoint was written before it"
    return f"the last good checkpoint, of step {checkpoint_step(newest[-1])}, is {newest[-1]}"
