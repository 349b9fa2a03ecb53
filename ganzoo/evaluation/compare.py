"""``ganzoo compare``: train one architecture with several losses and seeds, evaluate, report."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ganzoo.config import RunConfig, build_config, parse_assignments, split_metric_settings
from ganzoo.errors import ConfigError
from ganzoo.storage.layout import RunLayout

REPORT_FILE = "report.md"
BOARD_FILE = "board.png"


@dataclass
class CompareRequest:
    """What to compare; mirrors the options of ``ganzoo compare``."""

    architecture: str
    losses: list[str]
    dataset: str | None = None
    data_root: Path | None = None
    steps: int | None = None
    seeds: int = 1
    batch_size: int | None = None
    metrics: list[str] | None = None
    num_samples: int | None = None
    assignments: list[str] = field(default_factory=list)
    """``--set`` items; ``metric.NAME.key=value`` ones are metric settings."""
    out: Path | None = None
    device: str = "auto"

    def configs(self, report_dir: Path) -> list[RunConfig]:
        """One validated run config per (loss, seed), checked before anything trains."""
        from ganzoo.plugins import plugin_set
        from ganzoo.training.setup import validate_config

        registry = plugin_set().registry
        overrides = parse_assignments(split_metric_settings(self.assignments)[0])
        configs = []
        for loss in self.losses:
            for seed in range(self.seeds):
                name = registry.get("loss", loss).name
                config = build_config(
                    {
                        "architecture": self.architecture,
                        "loss": name,
                        "dataset": self.dataset,
                        "data_root": self.data_root,
                        "steps": self.steps,
                        "seed": seed,
                        "batch_size": self.batch_size,
                        "device": self.device,
                        "out": report_dir / "runs" / f"{name}-seed{seed}",
                    },
                    overrides,
                )
                configs.append(validate_config(config, registry))
        return configs


def run_comparison(request: CompareRequest, console: Console | None = None) -> Path:
    """Train and evaluate every combination; returns the report folder."""
    from ganzoo.evaluation.saved_run import check_metrics, evaluate_run
    from ganzoo.training.devices import resolve_device
    from ganzoo.training.loop import train

    console = console or Console(stderr=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    report_dir = request.out or Path("compare") / (
        f"{request.architecture}-{request.dataset or 'digits'}-{stamp}"
    )
    if report_dir.exists() and any(report_dir.iterdir()):
        raise ConfigError(f"--out {report_dir} already exists and is not empty; choose another")
    configs = request.configs(report_dir)
    metric_settings = split_metric_settings(request.assignments)[1]
    check_metrics(configs[0], request.metrics, metric_settings)
    documents: list[dict[str, Any]] = []
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("compare", total=len(configs))
        for config in configs:
            progress.update(task, description=f"{config.loss} seed {config.seed}: training")
            run_dir = train(config, show_progress=False, show_summary=False)
            progress.update(task, description=f"{config.loss} seed {config.seed}: evaluating")
            document = evaluate_run(
                run_dir,
                request.metrics,
                num_samples=request.num_samples,
                settings=metric_settings,
                seed=0,
                device=resolve_device(config.device),
            )
            document["seed"] = config.seed
            documents.append(document)
            progress.advance(task)
    write_report(report_dir, request, documents)
    console.print(f"report: {report_dir / REPORT_FILE}, board: {report_dir / BOARD_FILE}")
    return report_dir


def summarise(documents: list[dict[str, Any]]) -> dict[str, dict[str, tuple[float, float, int]]]:
    """``{loss: {"metric.number": (mean, standard deviation, runs)}}`` over seeds."""
    values: dict[str, dict[str, list[float]]] = {}
    for document in documents:
        per_loss = values.setdefault(document["loss"], {})
        for metric, numbers in document["metrics"].items():
            for key, value in numbers.items():
                per_loss.setdefault(f"{metric}.{key}", []).append(float(value))
    return {
        loss: {
            key: (statistics.fmean(v), statistics.stdev(v) if len(v) > 1 else 0.0, len(v))
            for key, v in numbers.items()
        }
        for loss, numbers in values.items()
    }


def markdown_table(summary: dict[str, dict[str, tuple[float, float, int]]]) -> str:
    keys = sorted({key for numbers in summary.values() for key in numbers})
    lines = ["| loss | " + " | ".join(keys) + " |", "| --- |" + " ---: |" * len(keys)]
    for loss, numbers in summary.items():
        cells = []
        for key in keys:
            if key not in numbers:
                cells.append("–")
                continue
            mean, spread, runs = numbers[key]
            cells.append(f"{mean:.3g} ± {spread:.2g}" if runs > 1 else f"{mean:.3g}")
        lines.append(f"| {loss} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_report(
    report_dir: Path, request: CompareRequest, documents: list[dict[str, Any]]
) -> None:
    """``report.md`` (mean ± standard deviation over seeds), ``results.json`` and ``board.png``."""
    summary = summarise(documents)
    first = documents[0]
    header = (
        f"# {request.architecture} on {first['dataset']}: "
        f"{', '.join(summary)} ({request.seeds} seed{'s' if request.seeds > 1 else ''} each)\n\n"
        f"Each cell is the mean ± the standard deviation over seeds; steps per run: "
        f"{request.steps or 'each loss default'}.\n\n"
    )
    (report_dir / REPORT_FILE).write_text(header + markdown_table(summary) + "\n")
    (report_dir / "results.json").write_text(json.dumps(documents, indent=2))
    runs = [(d["loss"], Path(d["run"])) for d in documents if d["seed"] == 0]
    board(runs).save(report_dir / BOARD_FILE)


def board(runs: list[tuple[str, Path]]) -> Image.Image:
    """The final sample picture of each ``(title, run directory)`` side by side, titled."""
    pictures = []
    for title, run_dir in runs:
        frames = RunLayout(run_dir).sample_frames()
        picture = Image.open(frames[-1]).convert("RGB")
        scale = 256 / max(picture.size)
        picture = picture.resize(
            (round(picture.width * scale), round(picture.height * scale)), Image.Resampling.NEAREST
        )
        pictures.append((title, picture))
    width = sum(p.width for _, p in pictures) + 10 * (len(pictures) + 1)
    height = max(p.height for _, p in pictures) + 40
    canvas = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(canvas)
    x = 10
    for title, picture in pictures:
        draw.text((x, 8), title, fill="black")
        canvas.paste(picture, (x, 30))
        x += picture.width + 10
    return canvas
