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
from ganzoo.config import RunConfig, build_config, parse_assignments, read_toml
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
        None, "--spectral-norm", help="Spectral normalisation in D."
    ),
    minibatch_std: bool | None = typer.Option(
        None, "--minibatch-std", help="Minibatch standard-deviation layer in D."
    ),
    diffaugment: str | None = typer.Option(
        None, "--diffaugment", help="DiffAugment policy, e.g. translation,cutout,color."
    ),
    sync_batchnorm: bool | None = typer.Option(
        None,
        "--sync-batchnorm",
        help="With several processes, BatchNorm statistics over the global batch.",
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
    """Train a GAN; leaves weights, samples, logs and checkpoints in a run directory."""
    if nproc is not None and nproc > 1:
        from ganzoo.training.distributed import launched

        if launched():
            raise ConfigError("--nproc starts the processes; this one was started by torchrun")
        code = relaunch_with_torchrun(nproc, _arguments_again(context))
        raise typer.Exit(code)
    from ganzoo.training.distributed import rank_from_env

    if rank_from_env() == 0:
        print_plugin_warnings()
    if resume is not None:
        given = {
            "ARCHITECTURE": architecture,
            "--loss": loss,
            "--dataset": dataset,
            "--data-root": data_root,
            "--epochs": epochs,
            "--batch-size": batch_size,
            "--lr-g": lr_g,
            "--lr-d": lr_d,
            "--seed": seed,
            "--config": config_file,
            "--set": assignments or None,
            "--ema": ema,
            "--sync-batchnorm": sync_batchnorm,
            "--overwrite": overwrite or None,
            "--out": out if out is not None and out.resolve() != resume.resolve() else None,
        }
        with reported_by_rank_zero(same_everywhere=True):
            refuse_with_resume([name for name, value in given.items() if value is not None])
        with reported_by_rank_zero():
            _resume(resume, steps, device, quiet)
        return
    with reported_by_rank_zero(same_everywhere=True):
        config = resolve_cli_config(
            architecture,
            config_file,
            assignments,
            {
                "loss": loss,
                "dataset": dataset,
                "data_root": data_root,
                "steps": steps,
                "epochs": epochs,
                "batch_size": batch_size,
                "seed": seed,
                "device": device,
                "out": out,
                "ema": ema,
                "spectral_norm": spectral_norm,
                "minibatch_std": minibatch_std,
                "diffaugment": diffaugment,
                "sync_batchnorm": sync_batchnorm,
            },
            {"lr_g": lr_g, "lr_d": lr_d},
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
    _print_run_dir(run_dir)


def relaunch_with_torchrun(nproc: int, args: list[str]) -> int:
    """``ganzoo run ARGS`` on ``nproc`` local processes through torchrun; its exit code.

    Ctrl-C reaches torchrun straight from the terminal (and torchrun hands it on to the
    workers once), so it is not passed on from here; a SIGTERM sent to this process is.
    After a stop, the exit code is the signal's (130, 143) rather than torchrun's 1.
    """
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
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
    """The command line of this ``ganzoo run``, rebuilt from what was parsed, less --nproc."""
    args: list[str] = []
    for param in context.command.params:
        value = context.params.get(param.name or "")
        if param.name == "nproc" or value is None or value == [] or value is False:
            continue
        if param.param_type_name == "argument":
            args.append(str(value))
            continue
        if getattr(param, "is_flag", False):
            args.append(param.opts[0])
            continue
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
            time.sleep(REPORT_GRACE_S)
            raise typer.Exit(getattr(error, "exit_code", 1)) from None
        raise


def _print_run_dir(run_dir: Path) -> None:
    from ganzoo.training.distributed import rank_from_env

    if rank_from_env() == 0:
        stdout.print(str(run_dir))


def refuse_with_resume(options: list[str]) -> None:
    """``--resume`` continues a run with its saved config; only --steps and --device may change."""
    if options:
        raise ConfigError(
            f"--resume continues a run with its saved config, so {', '.join(options)} cannot "
            "be given with it; allowed with --resume: --steps, --device, --quiet, --nproc "
            "(or start a new run with another --out)"
        )


def resolve_cli_config(
    architecture: str | None,
    config_file: Path | None,
    assignments: list[str],
    options: dict[str, Any],
    loss_options: dict[str, Any],
) -> RunConfig:
    """Defaults < TOML file < command-line options and ``--set``, validated."""
    file_layer = read_toml(config_file) if config_file else {}
    cli_layer: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if architecture is not None:
        cli_layer["architecture"] = architecture
    loss_settings = {k: v for k, v in loss_options.items() if v is not None}
    if loss_settings:
        cli_layer["loss_settings"] = loss_settings
    set_layer = parse_assignments(assignments)
    if "architecture" not in {**file_layer, **cli_layer, **set_layer}:
        raise ConfigError(
            "no architecture given: ganzoo run ARCH (see 'ganzoo list --kind architecture')"
        )
    source = f"config file {config_file}" if config_file and not cli_layer else "configuration"
    return build_config(file_layer, cli_layer, set_layer, source=source)


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
    for table in summary_tables(plan, torch.device("cpu")):
        stdout.print(table)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
    app.command("summary")(summary_command)
