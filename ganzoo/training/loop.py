"""``ganzoo.train``: run a training job from a config and leave a complete run directory."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import torch
from rich.console import Console

from ganzoo.config import RunConfig, build_config, read_toml
from ganzoo.errors import ConfigError, DivergenceError, WeightsError
from ganzoo.plugins import plugin_set
from ganzoo.storage.atomic import remove_stale_temporaries, write_atomic
from ganzoo.storage.checkpoint import (
    CHECKPOINT_DIR,
    Checkpoint,
    checkpoint_path,
    checkpoint_step,
    list_checkpoints,
    newest_readable_checkpoint,
    save_checkpoint,
    set_aside,
)
from ganzoo.storage.weights import ModelDescription, load_state, save_module
from ganzoo.training.artifacts import METRICS_FILE, RunArtifacts, read_metrics
from ganzoo.training.distributed import Session, SingleProcess, on_all_ranks, session_for_run
from ganzoo.training.interrupts import GracefulStop, StopNow, StopRequested
from ganzoo.training.step import StepLosses, Trainer
from ganzoo.training.progress import TrainingProgress
from ganzoo.training.run_dir import CONFIG_FILE, prepare_run_dir, save_config
from ganzoo.training.setup import RunPlan, default_run_dir, prepare


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
    every global batch, and only rank 0 writes the run directory or prints.
    """
    with session_for_run() as session:
        if session is not None and not session.is_main:
            console, show_progress, show_summary = None, False, False
        console = console or Console(stderr=True, quiet=not show_progress)
        registry = plugin_set().registry
        if session is None:
            plan = prepare(config, registry)
        else:  # rank 0 first: it alone fetches missing dataset files into the cache
            plan = session.main_first(lambda: prepare(config, registry, session))
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        run_dir = Path(config.out) if config.out else default_run_dir(plan.config, stamp)
        plan.config = plan.config.model_copy(update={"out": run_dir})

        def start_run_dir() -> Path:
            prepare_run_dir(run_dir, plan.config, overwrite)
            save_config(run_dir, plan.config)
            return run_dir

        if session is None:
            start_run_dir()
        else:  # rank 0's folder (and timestamp) for every rank
            run_dir = session.main_first(start_run_dir, others=False)
            plan.config = plan.config.model_copy(update={"out": run_dir})
        trainer = Trainer(plan, session=session)
        return _run(trainer, run_dir, console, show_progress, show_summary)


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

    Started by torchrun, rank 0 alone reads the run directory and hands the checkpoint
    to the other ranks, so they need not see the folder at all.
    """
    with session_for_run() as session:
        if session is not None and not session.is_main:
            console, show_progress = None, False
        console = console or Console(stderr=True, quiet=not show_progress)
        run_dir = Path(run_dir)

        def read_run() -> tuple[Checkpoint, dict[str, object]]:
            if not (run_dir / CONFIG_FILE).is_file():
                raise ConfigError(
                    f"--resume {run_dir}: not a ganzoo run directory (no {CONFIG_FILE})"
                )
            checkpoint, skipped, reasons = newest_readable_checkpoint(run_dir)
            for path, reason in zip(skipped, reasons, strict=True):
                console.print(f"[yellow]warning:[/] {reason}; renamed it {set_aside(path).name}")
            return checkpoint, read_toml(run_dir / CONFIG_FILE)

        if session is None:
            checkpoint, saved = read_run()
        else:
            checkpoint, saved = session.main_first(read_run, others=False)
        overrides = {"steps": steps, "device": device, "out": run_dir}
        config = build_config(saved, overrides, source=str(run_dir / CONFIG_FILE))
        registry = plugin_set().registry
        if session is None:
            plan = prepare(config, registry)
        else:
            plan = session.main_first(lambda: prepare(config, registry, session))
        trainer = Trainer(plan, start_step=checkpoint.step, session=session)
        restore(trainer, checkpoint, checkpoint_path(run_dir, checkpoint.step))
        if session is None or session.is_main:
            tidy_for_resume(run_dir, checkpoint.step)
            if steps or device:
                save_config(run_dir, plan.config)
        total = plan.config.steps or 0
        if checkpoint.step >= total:
            console.print(f"{run_dir} is already at step {checkpoint.step} of {total}; "
                          "give --steps with --resume to train longer")  # fmt: skip
        else:
            console.print(f"resuming {run_dir} from step {checkpoint.step} of {total}")
        return _run(trainer, run_dir, console, show_progress, show_summary=False)


def tidy_for_resume(run_dir: Path, step: int) -> None:
    """Remove what a killed process left behind and log lines past the checkpoint's ``step``."""
    for folder in (run_dir, run_dir / CHECKPOINT_DIR, run_dir / "samples"):
        remove_stale_temporaries(folder)
    metrics = run_dir / METRICS_FILE
    if metrics.is_file():
        kept = [row for row in read_metrics(run_dir) if row.get("step", 0) <= step]
        write_atomic(metrics, "".join(json.dumps(row) + "\n" for row in kept).encode())


def restore(trainer: Trainer, checkpoint: Checkpoint, source: Path | None = None) -> None:
    """Put a checkpoint's networks, optimiser and RNG states into ``trainer``."""
    where = source or Path(f"checkpoint of step {checkpoint.step}")
    modules = [("generator", trainer.generator), ("discriminator", trainer.discriminator)]
    if trainer.generator_ema is not None:
        modules.append(("generator_ema", trainer.generator_ema))
    for role, module in modules:
        if role not in checkpoint.modules:
            raise WeightsError(f"{where} holds no {role} weights")
        load_state(module, checkpoint.modules[role], where)
    if "torch" not in checkpoint.rng:
        raise WeightsError(f"{where} holds no random-number state")
    try:
        trainer.optimizer_g.load_state_dict(checkpoint.optimizers["generator"])
        trainer.optimizer_d.load_state_dict(checkpoint.optimizers["discriminator"])
        torch.set_rng_state(checkpoint.rng["torch"])
        if "cuda" in checkpoint.rng and trainer.device.type == "cuda":
            torch.cuda.set_rng_state(checkpoint.rng["cuda"])
    except (KeyError, ValueError, TypeError, RuntimeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise WeightsError(f"{where} does not fit this run's optimisers: {reason}") from None


def _run(
    trainer: Trainer, run_dir: Path, console: Console, show_progress: bool, show_summary: bool
) -> Path:
    """The training loop: steps, logs, samples, checkpoints, stops and divergence.

    With several processes all ranks train and rank 0 alone writes and prints; ranks agree
    after every step (one small all-reduce) on whether any was asked to stop or saw a
    non-finite loss, so they all checkpoint, stop or fail at the same step. A single
    process makes no collective calls at all.
    """
    plan = trainer.plan
    config = plan.config
    assert config.steps is not None
    session: Session | SingleProcess = trainer.session or SingleProcess()
    artifacts = RunArtifacts(run_dir, plan, console) if session.is_main else None
    if artifacts is not None and show_summary:
        artifacts.print_summaries(trainer)
    where = str(plan.device)
    if session.world_size > 1:
        where = (
            f"{session.world_size} processes ({plan.device.type}), global batch "
            f"{config.batch_size} = {session.world_size} × "
            f"{config.batch_size // session.world_size}"
        )
    console.print(
        f"training [bold]{config.architecture}[/] with [bold]{config.loss}[/] on "
        f"[bold]{config.dataset}[/] ({plan.data.describe()}) on {where}, "
        f"{config.steps} steps → {run_dir}"
    )
    sample_every = config.sample_every or max(1, config.steps // 10)
    checkpoint_every = config.checkpoint_every or sample_every
    check_every = 1 if plan.device.type == "cpu" else config.log_every
    if trainer.step == 0 and artifacts is not None:
        artifacts.save_samples(trainer, 0)
    interval = StepLosses()
    examples_per_step = config.batch_size * trainer.n_critic
    started = time.perf_counter()
    interval_start, interval_step = started, trainer.step
    with (
        GracefulStop() as stop,
        TrainingProgress(console, config.steps, trainer.step, show_progress) as progress,
        explaining_stops(run_dir),
    ):
        while trainer.step < config.steps:
            losses = trainer.train_step()
            interval.add(losses)
            step = trainer.step
            checked = step % check_every == 0 or step == config.steps
            bad = trainer.not_finite(losses) if checked else []
            # read the stop flag once: a signal arriving later stops after the next step
            signum, any_bad = session.agree(stop.signum or 0, int(bool(bad)))
            if any_bad:
                raise on_all_ranks(trainer.divergence(bad or ["a loss of another process"]))
            if step % config.log_every == 0 or step == config.steps:
                means = session.mean_over_ranks(interval.means())
                now = time.perf_counter()
                rate = examples_per_step * (step - interval_step) / max(now - interval_start, 1e-9)
                row = {"step": step, **means, "images_per_s": rate, "elapsed_s": now - started}
                if artifacts is not None:
                    artifacts.log(row)
                progress.show_losses(row)
                interval, interval_start, interval_step = StepLosses(), now, step
            if artifacts is not None and (step % sample_every == 0 or step == config.steps):
                artifacts.save_samples(trainer, step)
            stopping = signum or None
            if stopping is not None or step % checkpoint_every == 0 or step == config.steps:
                bad = trainer.not_finite(losses, weights=True)  # never replace a good checkpoint
                if bad:
                    raise on_all_ranks(trainer.divergence(bad))
                if session.is_main:
                    write_checkpoint(trainer, run_dir)
            progress.advance(step)
            if stopping is not None:
                session.barrier()  # nobody exits (and so ends the others) before the checkpoint
                raise on_all_ranks(StopRequested(stopping, step, run_dir))
    if artifacts is not None:
        artifacts.finish()
    console.print(
        f"[green]done[/]: {config.steps} steps in {time.perf_counter() - started:.1f} s; "
        f"weights, samples and logs in {run_dir}"
    )
    return run_dir


@contextlib.contextmanager
def explaining_stops(run_dir: Path) -> Iterator[None]:
    """Name the newest checkpoint on disk in a divergence message or an immediate stop."""
    try:
        yield
    except DivergenceError as error:
        explained = DivergenceError(f"{error}; {describe_newest_checkpoint(run_dir)}")
        if getattr(error, "on_all_ranks", False):
            on_all_ranks(explained)
        raise explained from None
    except StopNow as now:
        newest = list_checkpoints(run_dir)
        now.run_dir = run_dir
        now.checkpoint_step = checkpoint_step(newest[-1]) if newest else None
        raise


def describe_newest_checkpoint(run_dir: Path) -> str:
    newest = list_checkpoints(run_dir)
    if not newest:
        return "no checkpoint was written before it"
    return f"the last good checkpoint, of step {checkpoint_step(newest[-1])}, is {newest[-1]}"


def write_checkpoint(trainer: Trainer, run_dir: Path) -> None:
    """Save the training state and the current weights (both atomically)."""
    plan = trainer.plan
    description = describe(plan, trainer.step)
    rng = {"torch": torch.get_rng_state()}
    if plan.device.type == "cuda":
        rng["cuda"] = torch.cuda.get_rng_state()
    modules = {
        "generator": trainer.generator.state_dict(),
        "discriminator": trainer.discriminator.state_dict(),
    }
    if trainer.generator_ema is not None:
        modules["generator_ema"] = trainer.generator_ema.state_dict()
    checkpoint = Checkpoint(
        step=trainer.step,
        modules=modules,
        optimizers={
            "generator": trainer.optimizer_g.state_dict(),
            "discriminator": trainer.optimizer_d.state_dict(),
        },
        rng=rng,
        config_toml=(run_dir / CONFIG_FILE).read_text(),
        metadata=description.to_metadata("checkpoint"),
    )
    save_checkpoint(run_dir, checkpoint, keep=plan.config.keep_checkpoints)
    save_module(trainer.generator, run_dir / "generator.safetensors", description, "generator")
    save_module(
        trainer.discriminator, run_dir / "discriminator.safetensors", description, "discriminator"
    )
    if trainer.generator_ema is not None:
        save_module(
            trainer.generator_ema,
            run_dir / "generator_ema.safetensors",
            description,
            "generator-ema",
        )


def describe(plan: RunPlan, step: int) -> ModelDescription:
    """The self-description stored with a run's weights."""
    return ModelDescription(
        architecture=plan.config.architecture,
        architecture_settings=plan.config.architecture_settings,
        build_options=plan.build_options,
        spec=plan.data.spec,
        step=step,
        extra={
            "loss": plan.config.loss,
            "dataset": plan.config.dataset,
            "conditional": json.dumps(plan.models.conditional),
        },
    )
