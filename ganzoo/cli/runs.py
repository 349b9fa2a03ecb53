"""``ganzoo runs``: the past and live runs under a folder, in a table or as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ganzoo.cli.common import stdout
from ganzoo.errors import ConfigError
from ganzoo.storage.layout import RUNS_FOLDER
from ganzoo.storage.run_index import RunSummary, index

STATE_STYLES = {
    "running": "cyan",
    "finished": "green",
    "stopped": "yellow",
    "diverged": "red",
    "failed": "red",
    "killed": "red",
    "unknown": "dim",
}


def runs_command(
    folder: Path = typer.Argument(
        RUNS_FOLDER, help="Folder holding run directories (searched a few levels deep)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table."),
) -> None:
    """List the runs under FOLDER: what trains, steps done, state, last eval figures, path.

    A run reads as running only while its process holds the run's lock; one recorded as
    running that nobody holds was killed.
    """
    if not folder.is_dir() and folder != RUNS_FOLDER:
        raise ConfigError(f"{folder} is not a folder; give the folder that holds your runs")
    summaries = index(folder) if folder.is_dir() else []  # no runs/ yet: no runs
    if as_json:
        typer.echo(json.dumps([summary.to_json() for summary in summaries], indent=2))
        return
    if not summaries:
        stdout.print(f"no runs under {folder}")
        return
    stdout.print(runs_table(summaries))


def runs_table(summaries: list[RunSummary]) -> Table:
    table = Table(header_style="bold")
    for column in ("architecture", "loss", "dataset", "steps", "state", "eval", "path"):
        table.add_column(column, justify="right" if column == "steps" else "left")
    for run in summaries:
        planned = f"{run.steps_planned:,}" if run.steps_planned is not None else "?"
        style = STATE_STYLES[run.state]
        state = f"[{style}]{run.state}[/]"
        if run.message:
            state += f"\n[dim]{escape(run.message[:80])}[/]"
        figures = eval_cell(run)
        table.add_row(
            escape(run.architecture),
            escape(run.loss),
            escape(run.dataset),
            f"{run.steps_done:,} / {planned}",
            state,
            figures,
            escape(run.path),
        )
    return table


def eval_cell(run: RunSummary) -> str:
    """The latest eval figures, under each metric's name and the step they were taken at."""
    lines: list[str] = []
    for name, value in run.eval.items():
        metric, _, key = name.partition(".")
        if not lines or not any(line == f"[dim]{escape(metric)}[/]" for line in lines):
            lines.append(f"[dim]{escape(metric)}[/]")
        lines.append(f"{escape(key)} [bold]{value:.4g}[/]")
    if lines and run.eval_step is not None:
        lines.insert(0, f"[dim]at step {run.eval_step:,}[/]")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.command("runs")(runs_command)
