"""``ganzoo reproduce``: train a recipe over seeds, evaluate each, set ours beside the source."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ganzoo.config import RunConfig, build_config, read_toml, recipe_settings_here
from ganzoo.errors import ConfigError
from ganzoo.evaluation.compare import BOARD_FILE, REPORT_FILE, board
from ganzoo.recipes import Recipe, Verdict
from ganzoo.settings_table import jsonable
from ganzoo.storage.layout import GENERATOR, RunLayout, checkpoint_step

RESULTS_FILE = "results.json"


@dataclass
class SeedResult:
    """One seed's evaluation and how long it trained."""

    seed: int
    run_dir: Path
    figures: dict[str, float]
    """By ``metric.key``, e.g. ``mode-coverage.modes_covered``."""
    train_seconds: float
    how: str = "trained"
    """``trained``, ``kept`` (finished before) or ``resumed from step N``."""
    trained_in: dict[str, str] | None = None
    """``precision`` and ``threads`` from the weights' metadata (absent from older runs)."""
    train_cpu_seconds: float | None = None
    """Process CPU time of the training (all threads); None when the seed was kept."""
    protocols: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What each metric was computed on, from ``eval.json`` (e.g. the classifier's digest)."""


@dataclass
class Row:
    """One metric over seeds, beside the reference."""

    key: str
    mean: float
    sd: float
    seeds: int
    reference: str
    verdict: Verdict


def reproduce(
    name: str,
    *,
    seeds: int | None = None,
    out: Path | None = None,
    steps: int | None = None,
    device: str = "auto",
    data_root: Path | None = None,
    metric_settings: Mapping[str, Mapping[str, Any]] | None = None,
    console: Console | None = None,
) -> Path:
    """Train recipe ``name`` with seeds 0 … N-1 in ``out``, evaluate, write the report.

    Finished seeds (an ``eval.json`` of the recipe's protocol at the final step) are
    kept; a seed with checkpoints resumes from the newest. ``metric_settings`` (``--set
    metric.NAME.key=value``) override the protocol's, and the report names them.
    Returns the report folder.
    """
    from ganzoo.plugins import plugin_set

    console = console or Console(stderr=True)
    registry = plugin_set().registry
    entry = registry.get("recipe", name)
    recipe = registry.recipe(name)
    if seeds is not None and seeds < 1:
        raise ConfigError(f"--seeds must be at least 1, got {seeds}")
    count = seeds or recipe.default_seeds
    out = out or Path("reproductions") / entry.name
    configs = [seed_config(entry.name, recipe, seed, out, steps, device, data_root)
               for seed in range(count)]  # fmt: skip
    _check_folder(out, entry.name)
    results = []
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(f"{entry.name}", total=count)
        for config in configs:
            result = run_seed(config, recipe, progress, task, metric_settings or {})
            progress.console.print(f"seed {config.seed}: {result.how}; {_one_line(result, recipe)}")
            results.append(result)
            progress.advance(task)
    rows = summarise(results, recipe)
    write_report(out, entry.name, recipe, results, rows, steps, metric_settings or {})
    console.print(verdict_table(entry.name, recipe, rows, len(results)))
    console.print(f"report: {out / REPORT_FILE}, board: {out / BOARD_FILE}")
    return out


def seed_config(
    name: str,
    recipe: Recipe,
    seed: int,
    out: Path,
    steps: int | None,
    device: str,
    data_root: Path | None,
) -> RunConfig:
    """The run config of one seed: the recipe's, with seed, folder and any overrides."""
    overrides = {"seed": seed, "out": out / f"seed-{seed}", "recipe": name, "device": device,
                 "steps": steps, "data_root": data_root}  # fmt: skip
    settings = recipe_settings_here(recipe.config, overrides)
    return build_config(settings, overrides, source=f"recipe {name!r}")


def run_seed(
    config: RunConfig,
    recipe: Recipe,
    progress: Progress,
    task: Any,
    metric_settings: Mapping[str, Mapping[str, Any]],
) -> SeedResult:
    """Train (or resume, or keep) one seed and evaluate it by the recipe's protocol."""
    from ganzoo.evaluation.saved_run import evaluate_run
    from ganzoo.training.devices import resolve_device
    from ganzoo.training.loop import resume, train

    assert config.out is not None
    run_dir = Path(config.out)
    settings = _merged(recipe.protocol.settings, metric_settings)
    document = _finished_evaluation(run_dir, config, recipe, settings)
    how = "kept"
    cpu_seconds = None
    if document is None:
        how = "trained"
        cpu_started = time.process_time()
        layout = RunLayout(run_dir)
        checkpoints = layout.checkpoint_files() if layout.is_run() else []
        if checkpoints:
            how = f"resumed from step {checkpoint_step(checkpoints[-1])}"
            progress.update(task, description=f"seed {config.seed}: {how}")
            resume(run_dir, steps=config.steps, show_progress=False)
        else:
            progress.update(task, description=f"seed {config.seed}: training")
            train(config, overwrite=True, show_progress=False, show_summary=False)
        cpu_seconds = time.process_time() - cpu_started
        progress.update(task, description=f"seed {config.seed}: evaluating")
        document = evaluate_run(
            run_dir,
            recipe.protocol.metrics,
            num_samples=recipe.protocol.num_samples,
            settings=settings,
            seed=0,
            device=resolve_device(config.device),
        )
    figures = {
        f"{metric}.{key}": float(value)
        for metric, values in document["metrics"].items()
        for key, value in values.items()
    }
    seconds = training_seconds(run_dir)
    return SeedResult(
        config.seed, run_dir, figures, seconds, how, trained_in(run_dir),
        train_cpu_seconds=cpu_seconds, protocols=dict(document.get("protocols", {})),
    )  # fmt: skip


def trained_in(run_dir: Path) -> dict[str, str]:
    """The precision and CPU thread count a run's generator was trained with (and
    ``denormals: flushed`` where it flushed them)."""
    from ganzoo.storage.weights import read_safetensors

    _, metadata = read_safetensors(RunLayout(run_dir).weights(GENERATOR))
    keys = ("precision", "threads", "denormals")
    return {key: metadata[f"ganzoo.{key}"] for key in keys if f"ganzoo.{key}" in metadata}


def _merged(
    protocol: Mapping[str, Mapping[str, Any]], given: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The protocol's metric settings, overridden key by key by the given ones."""
    from ganzoo.plugins import plugin_set

    registry = plugin_set().registry
    merged: dict[str, dict[str, Any]] = {}
    for layer in (protocol, given):
        for name, values in layer.items():  # an alias ('is') and its name share one entry
            merged.setdefault(registry.get("metric", name).name, {}).update(values)
    return merged


def _finished_evaluation(
    run_dir: Path, config: RunConfig, recipe: Recipe, settings: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any] | None:
    """The seed's ``eval.json`` if it scores the final step by the recipe's protocol, with
    the metric settings of this reproduction."""
    layout = RunLayout(run_dir)
    if not layout.results.is_file() or not layout.is_run():
        return None
    try:
        document = json.loads(layout.results.read_text())
        saved = build_config(read_toml(layout.config))
    except (ValueError, ConfigError):
        return None
    finished = saved.steps is not None and document.get("step") == saved.steps
    wanted = config.steps is None or config.steps == saved.steps
    same_protocol = (
        document.get("num_samples") == recipe.protocol.num_samples
        and set(recipe.protocol.metrics) <= set(document.get("metrics", {}))
        and document.get("metric_settings", {}) == jsonable(settings)
    )
    return document if finished and wanted and same_protocol else None


def training_seconds(run_dir: Path) -> float:
    """Training time from ``metrics.jsonl``: the sum over each (re)started stretch."""
    from ganzoo.training.artifacts import read_metrics

    total = last = 0.0
    for row in read_metrics(run_dir):
        elapsed = float(row.get("elapsed_s") or 0.0)
        if elapsed < last:  # a resume started the clock again
            total += last
        last = elapsed
    return total + last


def summarise(results: list[SeedResult], recipe: Recipe) -> list[Row]:
    """Mean ± sd over seeds of each reference figure, and its verdict."""
    rows = []
    for key, figure in recipe.reference.figures.items():
        values = [r.figures[key] for r in results if key in r.figures]
        if not values:
            continue
        mean = statistics.fmean(values)
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        rows.append(Row(key, mean, sd, len(values), figure.describe(), figure.verdict(mean, sd)))
    return rows


def count_of_seeds(count: int) -> str:
    """``"1 seed"``, ``"3 seeds"``."""
    return f"{count} seed" if count == 1 else f"{count} seeds"


def verdict_table(name: str, recipe: Recipe, rows: list[Row], seeds: int) -> Table:
    """The terminal table: reference, ours and the verdict per metric."""
    title = f"{name}: {recipe.reference.source}"
    table = Table(title=title, title_justify="left", header_style="bold")
    which = "published" if recipe.reference.published else "target"
    for column in ("metric", which, f"ours ({count_of_seeds(seeds)})", "verdict"):
        table.add_column(column)
    colours = {"beaten": "green", "matched": "green", "missed": "red"}
    for row in rows:
        ours = f"{row.mean:.3g} ± {row.sd:.2g}"
        table.add_row(row.key, row.reference, ours, f"[{colours[row.verdict]}]{row.verdict}[/]")
    return table


def write_report(
    out: Path,
    name: str,
    recipe: Recipe,
    results: list[SeedResult],
    rows: list[Row],
    steps: int | None,
    metric_settings: Mapping[str, Mapping[str, Any]],
) -> None:
    """``report.md``, ``results.json`` and ``board.png`` (each seed's final samples)."""
    which = "Published" if recipe.reference.published else "Target"
    minutes = [r.train_seconds / 60 for r in results]
    lines = [
        f"# {name}",
        "",
        f"Reproduces: {recipe.reference.source}"
        + (f" ({recipe.reference.url})" if recipe.reference.url else ""),
        "",
        f"Protocol: {recipe.protocol.description}",
        "",
        *_figure_table(which.lower(), rows, results),
        "",
        f"Training time per seed: {statistics.fmean(minutes):.1f} min (mean of {len(minutes)})"
        + _cpu_minutes(results)
        + ".",
        "",
        f"Trained in: {_trained_in_line(results)}.",
    ]
    measured = recipe.config.get("precision", "fp32")
    if any((r.trained_in or {}).get("precision", measured) != measured for r in results):
        lines += [
            "",
            f"The recipe was measured in {measured}; a seed that trained in another precision "
            "(fp32 where the device has no bf16 matrix unit, or as asked) departs from it.",
        ]
    classifiers = sorted(
        {str(p["classifier"]) for r in results for p in r.protocols.values() if "classifier" in p}
    )
    if classifiers:
        lines += ["", f"Classifier: {'; '.join(classifiers)}."]
    if steps is not None:
        lines += ["", f"**Budget changed to {steps} steps**: not the recipe's protocol."]
    changed = [f"{metric}.{key}" for metric, values in metric_settings.items() for key in values]
    if changed:
        lines += ["", f"Metric settings given with --set: {', '.join(changed)}."]
    if recipe.departures:
        lines += ["", "Departures from the source:", "", *[f"- {d}" for d in recipe.departures]]
    (out / REPORT_FILE).write_text("\n".join(lines) + "\n")
    document = {
        "recipe": name,
        "reference": recipe.reference.model_dump(mode="json"),
        "protocol": recipe.protocol.model_dump(mode="json"),
        "departures": recipe.departures,
        "steps_override": steps,
        "metric_settings": {name: dict(values) for name, values in metric_settings.items()},
        "seeds": [
            {
                "seed": r.seed,
                "run": str(r.run_dir),
                "metrics": r.figures,
                "train_seconds": r.train_seconds,
                "train_cpu_seconds": r.train_cpu_seconds,
                **(r.trained_in or {}),
                "protocols": r.protocols,
            }
            for r in results
        ],
        "summary": {
            r.key: {"mean": r.mean, "sd": r.sd, "seeds": r.seeds, "verdict": r.verdict}
            for r in rows
        },
    }
    (out / RESULTS_FILE).write_text(json.dumps(document, indent=2) + "\n")
    board([(f"seed {r.seed}", r.run_dir) for r in results]).save(out / BOARD_FILE)


def _figure_table(which: str, rows: list[Row], results: list[SeedResult]) -> list[str]:
    """The report's table; a real-vs-real column where the metric gives its floor.

    The floor of ``metric.key`` is ``metric.real_key`` (e.g. the test images' precision
    against the training images), averaged over seeds.
    """
    floors = {}
    for row in rows:
        metric, _, key = row.key.rpartition(".")
        values = [r.figures[f"{metric}.real_{key}"] for r in results
                  if f"{metric}.real_{key}" in r.figures]  # fmt: skip
        if values:
            floors[row.key] = f"{statistics.fmean(values):.3g}"
    ours = f"ours (mean ± sd, {count_of_seeds(len(results))})"
    if not floors:
        return [f"| metric | {which} | {ours} | verdict |", "| --- | ---: | ---: | --- |",
                *[f"| {r.key} | {r.reference} | {r.mean:.3g} ± {r.sd:.2g} | {r.verdict} |"
                  for r in rows]]  # fmt: skip
    return [
        f"| metric | {which} | {ours} | real vs real | verdict |",
        "| --- | ---: | ---: | ---: | --- |",
        *[f"| {r.key} | {r.reference} | {r.mean:.3g} ± {r.sd:.2g} | {floors.get(r.key, '')} "
          f"| {r.verdict} |" for r in rows],
    ]  # fmt: skip


def _cpu_minutes(results: list[SeedResult]) -> str:
    """``, 3.1 min of CPU time`` when every seed was trained by this reproduction, else ``""``."""
    cpu = [r.train_cpu_seconds for r in results]
    if not cpu or any(seconds is None for seconds in cpu):
        return ""
    return f", {statistics.fmean(s / 60 for s in cpu if s is not None):.1f} min of CPU time"


def _check_folder(out: Path, name: str) -> None:
    """Refuse a folder that holds something other than this recipe's seeds."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file, not a folder")
    if not out.is_dir():
        return
    for child in out.iterdir():
        if child.name in {REPORT_FILE, RESULTS_FILE, BOARD_FILE}:
            continue
        seed = RunLayout(child)
        if not (child.is_dir() and child.name.startswith("seed-") and seed.is_run()):
            raise ConfigError(
                f"--out {out} holds {child.name!r}, which is not a seed of a reproduction; "
                "choose an empty or new folder"
            )
        recipe = read_toml(seed.config).get("recipe")
        if recipe != name:
            raise ConfigError(
                f"--out {out} holds a reproduction of {recipe or 'no recipe'!r}, not {name!r}; "
                "choose another folder"
            )


def _trained_in_line(results: list[SeedResult]) -> str:
    """``bf16, 2 CPU threads`` (``, denormals flushed``) when every seed agrees, else each
    seed's."""
    from ganzoo.training.performance import cpu_threads

    described = [
        ", ".join(
            [r.trained_in.get("precision", "unrecorded precision")]
            + ([cpu_threads(int(r.trained_in["threads"]))] if "threads" in r.trained_in else [])
            + ([f"denormals {r.trained_in['denormals']}"] if "denormals" in r.trained_in else [])
        )
        if r.trained_in
        else "not recorded"
        for r in results
    ]
    if len(set(described)) == 1:
        return described[0]
    return "; ".join(f"seed {r.seed} {text}" for r, text in zip(results, described, strict=True))


def _one_line(result: SeedResult, recipe: Recipe) -> str:
    figures = ", ".join(
        f"{key.split('.')[-1]} {result.figures[key]:.3g}"
        for key in recipe.reference.figures
        if key in result.figures
    )
    return f"{figures} ({result.train_seconds / 60:.1f} min of training)"
