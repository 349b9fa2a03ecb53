"""``ganzoo eval`` and ``ganzoo compare``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ganzoo.cli.common import note_live_run, print_plugin_warnings, stderr, stdout
from ganzoo.config import split_metric_settings
from ganzoo.errors import ConfigError


def eval_command(
    run_dir: Path = typer.Argument(..., help="A run directory written by 'ganzoo run'."),
    metrics: list[str] = typer.Option([], "--metric", "-m", help="Metric to compute (repeat)."),
    num_samples: int | None = typer.Option(None, "-n", help="Samples per metric."),
    seed: int = typer.Option(0, "--seed", help="Seed of the fake and real samples."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda or mps."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    assignments: list[str] = typer.Option(
        [], "--set", "-s", help="A metric setting, metric.NAME.key=value (repeat)."
    ),
) -> None:
    """Evaluate a run; prints a table and writes eval.json into the run directory."""
    print_plugin_warnings()
    if num_samples is not None and num_samples < 2:
        raise ConfigError(f"-n must be at least 2, got {num_samples}")
    settings = metric_settings_only(assignments)
    from ganzoo.evaluation.saved_run import evaluate_run
    from ganzoo.training.devices import resolve_device

    note_live_run(run_dir)
    document = evaluate_run(
        run_dir,
        metrics or None,
        num_samples=num_samples,
        settings=settings,
        seed=seed,
        device=resolve_device(device),
        progress=lambda line: stderr.print(f"[dim]{line}[/]"),
    )
    if as_json:
        typer.echo(json.dumps(document, indent=2))
        return
    title = f"{run_dir} (step {document['step']})"
    stdout.print(metrics_table(document["metrics"], document.get("protocols", {}), title=title))


def metric_settings_only(assignments: list[str]) -> dict[str, dict[str, Any]]:
    """``--set`` items of a command that takes metric settings only."""
    others, settings = split_metric_settings(assignments)
    if others:
        raise ConfigError(
            f"--set {others[0]!r}: this command takes metric settings only, spelled "
            "metric.NAME.key=value (e.g. --set metric.fid.weights=PATH)"
        )
    return settings


def metrics_table(
    metrics: dict[str, dict[str, float]],
    protocols: dict[str, dict[str, str | int]] | None = None,
    title: str = "",
) -> Table:
    """One row per number; a metric's first row also says what it was computed on."""
    protocols = protocols or {}
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in ("metric", "value", "", "computed on"):
        table.add_column(column, justify="right" if column == "" else "left")
    for metric, values in metrics.items():
        on = describe_protocol(protocols.get(metric, {}))
        for index, (key, value) in enumerate(values.items()):
            first = index == 0
            table.add_row(metric if first else "", key, f"{value:.4g}", on if first else "")
    return table


def describe_protocol(protocol: dict[str, str | int]) -> str:
    """``num_samples=50,000 num_real=50,000 split=train``: a metric's protocol on one line."""
    return " ".join(
        f"{key}={value:,}" if isinstance(value, int) else f"{key}={value}"
        for key, value in protocol.items()
    )


def compare_command(
    architecture: str = typer.Argument(..., help="Architecture, e.g. mlp-gan."),
    losses: list[str] = typer.Option([], "--loss", "-l", help="Loss to compare (repeat)."),
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="Dataset (default digits)."),
    data_root: Path | None = typer.Option(None, "--data-root", help="Folder of dataset files."),
    steps: int | None = typer.Option(None, "--steps", help="Steps per run (default: each loss's)."),
    seeds: int = typer.Option(1, "--seeds", help="Seeds per loss."),
    batch_size: int | None = typer.Option(None, "--batch-size", "-b", help="Batch size."),
    metrics: list[str] = typer.Option([], "--metric", "-m", help="Metric (repeat)."),
    num_samples: int | None = typer.Option(None, "-n", help="Samples per metric."),
    assignments: list[str] = typer.Option(
        [],
        "--set",
        "-s",
        help="key=value for every run, or metric.NAME.key=value for a metric (repeat).",
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Report folder."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda or mps."),
) -> None:
    """Train ARCH with every --loss and --seeds seeds, evaluate each, write a report folder."""
    print_plugin_warnings()
    if not losses:
        raise ConfigError("give at least one --loss (e.g. --loss bce --loss wgan-gp)")
    if seeds < 1:
        raise ConfigError(f"--seeds must be at least 1, got {seeds}")
    from ganzoo.evaluation.compare import CompareRequest, run_comparison

    request = CompareRequest(
        architecture=architecture,
        losses=losses,
        dataset=dataset,
        data_root=data_root,
        steps=steps,
        seeds=seeds,
        batch_size=batch_size,
        metrics=metrics or None,
        num_samples=num_samples,
        assignments=assignments,
        out=out,
        device=device,
    )
    report = run_comparison(request, console=stderr)
    stdout.print(str(report))


def reproduce_command(
    recipe: str = typer.Argument(
        ..., help="Recipe to reproduce (see 'ganzoo list --kind recipe')."
    ),
    seeds: int | None = typer.Option(
        None, "--seeds", help="Seeds to train (default: the recipe's, from the paper's count)."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Report folder (default reproductions/RECIPE)."
    ),
    steps: int | None = typer.Option(
        None, "--steps", help="Another budget; the report then says it is not the recipe's."
    ),
    data_root: Path | None = typer.Option(None, "--data-root", help="Folder of dataset files."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda or mps."),
    assignments: list[str] = typer.Option(
        [], "--set", "-s", help="A metric setting, metric.NAME.key=value (repeat)."
    ),
) -> None:
    """Train a recipe over seeds, evaluate each, and set the figures beside the published ones.

    Run it again on the same --out to finish a half-done reproduction: finished seeds are
    kept and a half-trained seed resumes from its newest checkpoint. A missed figure is a
    result, reported with exit code 0.
    """
    print_plugin_warnings()
    settings = metric_settings_only(assignments)
    from ganzoo.evaluation.reproduce import reproduce

    report = reproduce(
        recipe,
        seeds=seeds,
        out=out,
        steps=steps,
        device=device,
        data_root=data_root,
        metric_settings=settings,
        console=stderr,
    )
    stdout.print(str(report))


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
    app.command("compare")(compare_command)
    app.command("reproduce")(reproduce_command)
