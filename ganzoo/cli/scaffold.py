"""``ganzoo new-plugin``: start a plugin package."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from ganzoo.cli.common import stdout


def new_plugin_command(
    name: str = typer.Argument(
        ..., help="Distribution name in kebab-case, e.g. ganzoo-hinge (module: ganzoo_hinge)."
    ),
    path: Path = typer.Option(
        Path("."), "--path", "-p", help="Folder to create the package in (default: here)."
    ),
) -> None:
    """Create a ready-to-install plugin package: pyproject, an example loss, README, tests."""
    from ganzoo.scaffold import PluginNames, create_plugin

    folder = create_plugin(name, path)
    names = PluginNames.from_name(name)
    shown = _shown(folder)
    stdout.print(
        f"created {shown}: plugin package {names.name} (module {names.module}) "
        f"with the example loss {names.loss_name}"
    )
    editable = f'"{shown}[test]"'
    stdout.print("next (in the environment that has ganzoo):")
    stdout.print(f"  {_installer()} install -e {editable}", markup=False)
    stdout.print(f"  pytest {shown}")
    stdout.print(f"  ganzoo list {names.loss_name}")


def _installer() -> str:
    """``pip``, or ``uv pip`` in an environment made by uv (which has no pip of its own)."""
    import importlib.util

    return "pip" if importlib.util.find_spec("pip") is not None else "uv pip"


def _shown(folder: Path) -> str:
    try:
        relative = os.path.relpath(folder)
    except ValueError:  # another drive on Windows
        return str(folder)
    return relative if not relative.startswith("..") else str(folder.resolve())


def register(app: typer.Typer) -> None:
    app.command("new-plugin")(new_plugin_command)
