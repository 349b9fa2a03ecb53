"""Helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def print_plugin_warnings() -> None:
    """One line on stderr for each plugin that failed to load and each name clash."""
    from ganzoo.plugins import plugin_set

    for warning in plugin_set().warnings():
        stderr.print(f"[yellow]warning:[/] {warning}", soft_wrap=True)


def note_live_run(source: Path) -> None:
    """One line on stderr when ``source`` is (in) a run that a live process still trains."""
    from ganzoo.storage.layout import RunLayout
    from ganzoo.storage.run_lock import live_holder

    run_dir = source if source.is_dir() else source.parent
    holder = live_holder(RunLayout(run_dir))
    if holder is not None:
        stderr.print(
            f"note: {run_dir} is still training ({holder}); using its newest complete weights",
            soft_wrap=True,
        )
