"""``ganzoo list`` and ``ganzoo plugins``: what is installed and where it came from."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from ganzoo.cli.common import print_plugin_warnings, stdout
from ganzoo.errors import ConfigError
from ganzoo.registry import KINDS, Registry


def list_command(
    pattern: str | None = typer.Argument(
        None, help="Only names matching this fnmatch pattern, e.g. 'wgan*'."
    ),
    kind: str | None = typer.Option(
        None, "--kind", "-k", help="architecture, loss, dataset, metric or recipe."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table."),
) -> None:
    """List registered components: name, kind, description, package and version."""
    from ganzoo.plugins import plugin_set

    if kind is not None and kind not in KINDS:
        raise ConfigError(f"unknown --kind {kind!r}; allowed: {', '.join(KINDS)}")
    entries = plugin_set().registry.list(kind, include=pattern)  # type: ignore[arg-type]
    print_plugin_warnings()
    registry = plugin_set().registry
    if as_json:
        rows = [_with_reference(entry.to_json(), registry) for entry in entries]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(header_style="bold")
    for column in ("name", "kind", "description", "package"):
        table.add_column(column)
    for entry in entries:
        aliases = f" [dim]({', '.join(entry.aliases)})[/]" if entry.aliases else ""
        description = entry.description
        if entry.kind == "recipe":
            description += f"\n[dim]{escape(registry.recipe(entry.name).summary())}[/]"
        table.add_row(
            entry.name + aliases, entry.kind, description, f"{entry.package} {entry.version}"
        )
    stdout.print(table)
    if not entries:
        stdout.print(f"no components match {pattern!r}" if pattern else "no components installed")


def _with_reference(row: dict[str, Any], registry: Registry) -> dict[str, Any]:
    """A recipe's JSON row with its configuration, reference and departures."""
    if row["kind"] != "recipe":
        return row
    recipe = registry.recipe(row["name"])
    return {**row, **recipe.model_dump(mode="json")}


def plugins_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List installed plugin packages, the hooks each implements, and those that failed."""
    from ganzoo.plugins import plugin_set

    loaded = plugin_set()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "plugins": [
                        {
                            "package": p.package,
                            "version": p.version,
                            "entry_point": p.entry_point,
                            "module": p.module,
                            "hooks": p.hooks,
                        }
                        for p in loaded.plugins
                    ],
                    "failures": [
                        {
                            "package": f.package,
                            "version": f.version,
                            "hook": f.hook,
                            "error": f.error,
                        }
                        for f in loaded.failures
                    ],
                    "conflicts": [c.message() for c in loaded.registry.conflicts],
                },
                indent=2,
            )
        )
        return
    table = Table(header_style="bold")
    for column in ("package", "version", "hooks", "status"):
        table.add_column(column)
    for plugin in loaded.plugins:
        table.add_row(plugin.package, plugin.version, ", ".join(plugin.hooks), "[green]loaded[/]")
    for failure in loaded.failures:
        where = f" in {failure.hook}" if failure.hook else ""
        table.add_row(
            failure.package,
            failure.version,
            failure.hook or "",
            f"[red]failed{where}:[/] {failure.error}",
        )
    stdout.print(table)
    for conflict in loaded.registry.conflicts:
        stdout.print(f"[yellow]conflict:[/] {conflict.message()}")


def register(app: typer.Typer) -> None:
    app.command("list")(list_command)
    app.command("plugins")(plugins_command)
