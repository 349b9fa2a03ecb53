"""``ganzoo run`` and ``ganzoo summary``."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from ganzoo.cli.common import print_plugin_warnings, stderr, stdout
from ganzoo.config import RunConfig, build_config, layered_config, parse_assignments
from ganzoo.errors import ConfigError, GanzooError

REPORT_GRACE_S = 1.5
"""How long ranks other than 0 wait before exiting on an error that rank 0 reports."""


def run_command(
    context: typer.Context,
    architecture: str | None = typer.Argument(
        None, help="Architecture to train, e.g. mlp-gan or dcgan (see 'ganzoo list')."
    ),
    loss: str | None = typer.Option(None, "--loss", "-l", help="Loss, e.g. wgan-gp."),
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="Dataset (default digits)."),
    data_root: Path | None = typer.Option(None, "--data-root", help="Folder of dataset files."),
    steps: int | None = typer.Option(None, "--steps", help="Generator updates."),
    epochs: float | None = typer.Option(None, "--epochs", help="Passes over the data."),
    batch_size: int | None = typer.Option(None, "--batch-size", "-b", help="Batch size."),
    lr_g: float | None = typer.Option(None, "--lr-g", help="Generator learning rate."),
    lr_d: float | None = typer.Option(None, "--lr-d", help="Discriminator learning rate."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed."),
    device: str | None = typer.Option(None, "--device", help="auto, cpu, cuda or mps."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Run directory."),
    config_file: Path | None = typer.Option(None, "--config", "-c", help="A TOML config file."),
    assignments: list[str] = typer.Option(
        [], "--set", "-s", help="key=value for any setting, e.g. loss.gp_weight=5."
    ),
    ema: float | None = typer.Option(None, "--ema", help="Keep a moving average of G (0.999)."),
    spectral_norm: bool | None = typer.Option(
        None, "--spectral-norm/--no-spectral-norm", help="Spectral normalisation in D."
    ),
    minibatch_std: bool | None = typer.Option(
        None,
        "--minibatch-std/--no-minibatch-std",
        help="Minibatch standard-deviation layer in D.",
    ),
    diffaugment: str | None = typer.Option(
        None, "--diffaugment", help="DiffAugment policy, e.g. translation,cutout,color."
    ),
    pack: int | None = typer.Option(
        None, "--pack", help="D judges this many examples at once (PacGAN packing)."
    ),
    recipe: str | None = typer.Option(
        None,
        "--recipe",
        "-r",
        help="Start from a recipe's settings (see 'ganzoo list --kind recipe'); "
        "other options override them.",
    ),
    sync_batchnorm: bool | None = typer.Option(
        None,
        "--sync-batchnorm/--no-sync-batchnorm",
        help="With several processes, BatchNorm statistics over the global batch.",
    ),
    precision: str | None = typer.Option(
        None,
        "--precision",
        help="auto (default: bf16 where the device has a bf16 matrix unit and the "
        "architecture gains from it, else fp32), fp32, bf16, or fp16 with gradient scaling.",
    ),
    channels_last: bool | None = typer.Option(
        None,
        "--channels-last/--no-channels-last",
        help="Memory layout of convolutional networks (default: channels-last on CUDA, "
        "and on the CPU in bf16).",
    ),
    compile: bool | None = typer.Option(
        None,
        "--compile/--no-compile",
        help="Compile G and D with torch.compile (not with gradient penalties).",
    ),
    deterministic: bool | None = typer.Option(
        None,
        "--deterministic/--no-deterministic",
        help="Deterministic algorithms only; turns off cuDNN's autotuning (slower).",
    ),
    loggers: list[str] | None = typer.Option(
        None,
        "--logger",
        help="Also log to this logger (repeat), e.g. tensorboard; metrics.jsonl is always "
        "written (see 'ganzoo list --kind logger').",
    ),
    nproc: int | None = typer.Option(
        None,
        "--nproc",
        min=1,
        help="Train on N processes (one per GPU) with DDP, started through torchrun; "
        "--batch-size stays the global batch.",
    ),
    resume: Path | None = typer.Option(None, "--resume", help="Continue the run in this folder."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the run in --out."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary or progress bar."),
) -> None:
    """Train a GAN; leaves weights, samples, logs and checkpoints in a run directory.\f

    Longer than a screen only by its option list; the work is in small helpers.
    """
    from ganzoo.training.distributed import rank_from_env

    if resume is not None:
        with reported_by_rank_zero(same_everywhere=True):
            refuse_with_resume(context, resume)
    if nproc is not None and nproc > 1:
        raise typer.Exit(start_processes(context, nproc))
    if rank_from_env() == 0:
        print_plugin_warnings()
    if resume is not None:
        with reported_by_rank_zero():
            _resume(resume, steps, device, quiet)
        return
    with reported_by_rank_zero(same_everywhere=True):
        options = {k: v for k, v in context.params.items() if k in RunConfig.model_fields}
        loss_options = {"lr_g": lr_g, "lr_d": lr_d}
        config = resolve_cli_config(
            architecture, recipe, config_file, assignments, options, loss_options
        )
    from ganzoo.training.loop import train

    with reported_by_rank_zero():
        run_dir = train(
            config,
            overwrite=overwrite,
            console=stderr if not quiet else None,
            show_progress=not quiet,
            show_summary=not quiet,
        )
    if rank_from_env() == 0 and not quiet:
        print_recipe_hint(config)
    _print_run_dir(run_dir)


def print_recipe_hint(config: RunConfig) -> None:
    """After a run without a recipe, name the recipes of its dataset that use another network."""
    from ganzoo.plugins import plugin_set

    registry = plugin_set().registry
    if config.recipe is not None:
        return
    names = sorted(
        registry.recipes_for(config.dataset),
        key=lambda name: registry.get("recipe", name).package != "ganzoo",  # ours first
    )
    architectures = {registry.recipe(name).config.get("architecture") for name in names}
    if names and registry.get("architecture", config.architecture).name not in architectures:
        stderr.print(
            f"[yellow]hint:[/] {config.architecture}'s defaults are not tuned for "
            f"{config.dataset}; recipes tuned to published results on it: "
            f"{', '.join(names[:4])}{', …' if len(names) > 4 else ''} "
            f"(e.g. ganzoo run --recipe {names[0]})"
        )


ALLOWED_WITH_RESUME = ("resume", "steps", "device", "quiet", "nproc")
"""The options ``--resume`` takes: none changes what the run's saved config says it trains."""


def given_options(context: typer.Context) -> list[Any]:
    """The command's parameters given on the command line, in the command's order."""
    given = {"COMMANDLINE", "ENVIRONMENT"}
    return [
        param
        for param in context.command.params
        if getattr(context.get_parameter_source(param.name or ""), "name", None) in given
    ]


def option_name(param: Any) -> str:
    """How the user spells ``param``: ``--lr-d``, or ``ARCHITECTURE`` for the argument."""
    if param.param_type_name == "option":
        return str(param.opts[0])
    return str(param.name).upper()


def refuse_with_resume(context: typer.Context, resume: Path) -> None:
    """``--resume`` continues a run with its saved config: refuse every option that would change it.

    Only the options of :data:`ALLOWED_WITH_RESUME` may be given, and ``--out`` when it
    names the same run.
    """
    out = context.params.get("out")
    refused = [
        option_name(param)
        for param in given_options(context)
        if param.name not in ALLOWED_WITH_RESUME
        and not (param.name == "out" and out is not None and out.resolve() == resume.resolve())
    ]
    if refused:
        allowed = [
            option_name(p) for p in context.command.params if p.name in ALLOWED_WITH_RESUME[1:]
        ]
        raise ConfigError(
            f"--resume continues a run with its saved config, so {', '.join(refused)} cannot "
            f"be given with it; allowed with --resume: {', '.join(allowed)} "
            "(or start a new run with another --out)"
        )


def start_processes(context: typer.Context, nproc: int) -> int:
    """This ``ganzoo run`` again on ``nproc`` processes through torchrun; their exit code."""
    from ganzoo.training.distributed import launched

    if launched():
        raise ConfigError("--nproc starts the processes; this one was started by torchrun")
    return relaunch_with_torchrun(nproc, _arguments_again(context))


def relaunch_with_torchrun(nproc: int, args: list[str]) -> int:
    """``ganzoo run ARGS`` on ``nproc`` local processes through torchrun; its exit code.

    Ctrl-C reaches torchrun straight from the terminal (and torchrun hands it on to the
    workers once), so it is not passed on from here; a SIGTERM sent to this process is.
    After a stop, the exit code is the signal's (130, 143) rather than torchrun's 1.
    """
    command = [
        sys.executable,
        "-m",
        "ganzoo.cli.torchrun",
        "--standalone",
        f"--nproc_per_node={nproc}",
        "-m",
        "ganzoo",
        "run",
        *args,
    ]
    process = subprocess.Popen(command)
    received: list[int] = []

    def note(signum: int, frame: object) -> None:
        received.append(signum)

    def forward(signum: int, frame: object) -> None:
        received.append(signum)
        process.send_signal(signum)

    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, note),
        signal.SIGTERM: signal.signal(signal.SIGTERM, forward),
    }
    try:
        code = process.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if code != 0 and received:
        return 128 + int(received[0])
    return code


def _arguments_again(context: typer.Context) -> list[str]:
    """The command line of this ``ganzoo run``, rebuilt from what was given, less --nproc."""
    args: list[str] = []
    for param in given_options(context):
        value = context.params[param.name or ""]
        if param.name == "nproc":
            continue
        if param.param_type_name != "option":
            args.append(str(value))
        elif param.is_flag:
            args += [param.opts[0]] if value else param.secondary_opts[:1]
        else:
            for item in value if param.multiple else [value]:
                args += [param.opts[0], str(item)]
    return args


@contextlib.contextmanager
def reported_by_rank_zero(same_everywhere: bool = False) -> Iterator[None]:
    """On ranks other than 0, end quietly on errors that rank 0 reports for every rank.

    ``same_everywhere``: any ganzoo error in the block is one every rank meets alike
    (reading the command line, say).
    """
    try:
        yield
    except BaseException as error:
        from ganzoo.training.distributed import rank_from_env

        alike = same_everywhere and isinstance(error, GanzooError)
        if rank_from_env() != 0 and (alike or getattr(error, "on_all_ranks", False)):
            # torchrun ends the other workers once one has exited with an error: give
            # rank 0 a moment to report first.
            with contextlib.suppress(BaseException):  # torchrun's SIGTERM ends it early
                time.sleep(REPORT_GRACE_S)
            raise typer.Exit(getattr(error, "exit_code", 1)) from None
        raise


def _print_run_dir(run_dir: Path) -> None:
    from ganzoo.training.distributed import rank_from_env

    if rank_from_env() == 0:
        stdout.print(str(run_dir))


def resolve_cli_config(
    architecture: str | None,
    recipe: str | None,
    config_file: Path | None,
    assignments: list[str],
    options: dict[str, Any],
    loss_options: dict[str, Any],
) -> RunConfig:
    """Defaults < recipe < TOML file < command-line options and ``--set``, validated
    (by :func:`ganzoo.config.layered_config`)."""
    overrides: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if architecture is not None:
        overrides["architecture"] = architecture
    loss_settings = {k: v for k, v in loss_options.items() if v is not None}
    if loss_settings:
        overrides["loss_settings"] = loss_settings
    return layered_config(
        recipe=recipe, config_file=config_file, overrides=overrides, assignments=assignments
    )


def _resume(run_dir: Path, steps: int | None, device: str | None, quiet: bool) -> None:
    from ganzoo.training.loop import resume

    resume(
        run_dir,
        steps=steps,
        device=device,
        console=stderr if not quiet else None,
        show_progress=not quiet,
    )
    _print_run_dir(run_dir)


def summary_command(
    architecture: str = typer.Argument(..., help="Architecture, e.g. dcgan."),
    dataset: str = typer.Option("digits", "--dataset", "-d", help="Dataset giving the data shape."),
    loss: str = typer.Option("non-saturating", "--loss", "-l", help="Loss (changes D's norms)."),
    data_root: Path | None = typer.Option(None, "--data-root", help="Folder of dataset files."),
    assignments: list[str] = typer.Option([], "--set", "-s", help="key=value settings."),
) -> None:
    """Print the layer summaries of G and D without training."""
    print_plugin_warnings()
    config = build_config(
        {
            "architecture": architecture,
            "dataset": dataset,
            "loss": loss,
            "data_root": data_root,
            "device": "cpu",
        },
        parse_assignments(assignments),
    )
    import torch

    from ganzoo.plugins import plugin_set
    from ganzoo.training.artifacts import summary_tables
    from ganzoo.training.setup import prepare

    plan = prepare(config, plugin_set().registry)
    for note in plan.notes:
        stderr.print(note)
    for table in summary_tables(plan, torch.device("cpu")):
        stdout.print(table)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
    app.command("summary")(summary_command)
