"""Helpers shared by the command modules."""

from __future__ import annotations

from rich.console import Console

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def print_plugin_warnings() -> None:
    """One line on stderr for each plugin that failed to load and each name clash."""
    from ganzoo.plugins import plugin_set

    for warning in plugin_set().warnings():
        stderr.print(f"[yellow]warning:[/] {warning}", soft_wrap=True)
