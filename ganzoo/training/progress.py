"""The rich progress bar of a training run: step, losses, images/s, ETA."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class TrainingProgress:
    """A progress bar that shows the latest logged losses and throughput."""

    def __init__(self, console: Console, total: int, completed: int, enabled: bool) -> None:
        self.enabled = enabled
        self._progress = Progress(
            TextColumn("[bold]train"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[losses]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
            transient=False,
        )
        self._task: TaskID | None = None
        self._total, self._completed = total, completed

    def __enter__(self) -> TrainingProgress:
        self._progress.__enter__()
        self._task = self._progress.add_task(
            "train", total=self._total, completed=self._completed, losses=""
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._progress.__exit__(kind, error, trace)

    def advance(self, step: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=step)

    def show_losses(self, row: dict[str, float]) -> None:
        if self._task is None:
            return
        parts = [
            f"{k.removesuffix('_loss')} {v:+.3f}" for k, v in row.items() if k.endswith("_loss")
        ]
        parts.append(f"{row['images_per_s']:,.0f} img/s")
        self._progress.update(self._task, losses=" · ".join(parts))
