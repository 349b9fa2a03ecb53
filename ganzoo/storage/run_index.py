"""The run index: every run under a folder, each summed up from its own files.

It reads ``config.toml``, ``state.json`` (with the rule of :mod:`ganzoo.storage.run_state`),
the last line of ``metrics.jsonl`` and ``eval.json``; it imports no torch, so
``ganzoo runs`` answers at once.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ganzoo.storage.layout import RunLayout
from ganzoo.storage.run_state import Observed, observed_state, read_state

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_DEPTH = 4
"""How deep below the folder runs are looked for (reports keep theirs in subfolders)."""


@dataclass(frozen=True)
class RunSummary:
    """One run as ``ganzoo runs`` shows it."""

    path: str
    architecture: str
    loss: str
    dataset: str
    steps_done: int
    steps_planned: int | None
    state: Observed
    message: str = ""
    updated: str = ""
    eval_step: int | None = None
    eval: dict[str, float] = field(default_factory=dict)
    """What ``ganzoo eval`` measured last, keyed ``metric.number``."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def find_runs(folder: Path) -> list[Path]:
    """Run directories at or below ``folder``, by path; a run's own subfolders are not searched."""
    if RunLayout(folder).is_run():
        return [folder]
    found = []
    base_depth = len(folder.parts)
    for root, folders, _ in os.walk(folder):
        here = Path(root)
        if RunLayout(here).is_run():
            found.append(here)
            folders.clear()
            continue
        if len(here.parts) - base_depth >= MAX_DEPTH:
            folders.clear()
        folders[:] = sorted(f for f in folders if not f.startswith("."))
    return sorted(found)


def summarise(run_dir: Path) -> RunSummary:
    """Sum up one run from its files; a file that is missing or unreadable is left out."""
    layout = RunLayout(run_dir)
    config = _read_toml(layout.config)
    recorded = read_state(layout)
    steps = config.get("steps")
    results = _read_json(layout.results)
    return RunSummary(
        path=str(run_dir),
        architecture=str(config.get("architecture", "?")),
        loss=str(config.get("loss", "?")),
        dataset=str(config.get("dataset", "?")),
        steps_done=recorded.step if recorded else last_logged_step(layout),
        steps_planned=recorded.steps if recorded else (steps if isinstance(steps, int) else None),
        state=observed_state(layout, recorded),
        message=recorded.message if recorded else "",
        updated=recorded.updated if recorded else "",
        eval_step=results.get("step") if isinstance(results.get("step"), int) else None,
        eval=_flat_figures(results.get("metrics")),
    )


def index(folder: Path) -> list[RunSummary]:
    """Every run at or below ``folder``, summed up."""
    return [summarise(run_dir) for run_dir in find_runs(folder)]


def last_logged_step(layout: RunLayout) -> int:
    """The step of the last complete line of ``metrics.jsonl`` (0 when there is none)."""
    try:
        with open(layout.metrics, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 4096))
            lines = handle.read().splitlines()
    except OSError:
        return 0
    for line in reversed(lines):
        try:
            return int(json.loads(line)["step"])
        except (ValueError, KeyError, TypeError):
            continue
    return 0


def _flat_figures(metrics: Any) -> dict[str, float]:
    if not isinstance(metrics, dict):
        return {}
    return {
        f"{metric}.{key}": float(value)
        for metric, values in metrics.items()
        if isinstance(values, dict)
        for key, value in values.items()
        if isinstance(value, (int, float))
    }


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
