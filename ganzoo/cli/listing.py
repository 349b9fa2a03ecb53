"""``ganzoo list`` and ``ganzoo plugins``: what is installed and where it came from."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from ganzoo.cli.common import print_plugin_warnings, stdout
from ganzoo.errors import ConfigError, UnknownComponentError, closest
from ganzoo.kinds import KINDS, Kind, find_kind, spell_kinds
from ganzoo.plugins.loading import PluginSet
from ganzoo.registry import Entry, Registry, set_prefix
from ganzoo.settings_table import describe_settings


def list_command(
    pattern: str | None = typer.Argument(
        None, help="Only names matching this fnmatch pattern, e.g. 'wgan*'."
    ),
    kind: str | None = typer.Option(None, "--kind", "-k", help=f"{spell_kinds()}."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table."),
) -> None:
    """List registered components: name, kind, description, package and version."""
    from ganzoo.plugins import plugin_set

    checked_kind = kind_option(kind)
    entries = plugin_set().registry.list(checked_kind, include=pattern)
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
            recipe = registry.recipe(entry.name)
            description += f"\n[dim]{escape(recipe.summary())}[/]"
            if recipe.hardware == "gpu":
                measured = recipe.minutes_per_seed
                timing = f"{measured:g} min per seed" if measured else "not yet run"
                description += f"\n[yellow]needs a GPU[/] [dim]({timing})[/]"
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


def show_command(
    name: str = typer.Argument(..., help="A component's name or alias, e.g. wgan-gp."),
    kind: str | None = typer.Option(
        None, "--kind", "-k", help="Which kind, where several share the name."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Show one component in full: description, package, aliases and every setting."""
    from ganzoo.plugins import plugin_set

    checked_kind = kind_option(kind)
    registry = plugin_set().registry
    print_plugin_warnings()
    entry = _one_entry(registry, name, checked_kind)
    if as_json:
        typer.echo(json.dumps(_with_reference(entry.to_json(), registry), indent=2))
        return
    stdout.print(f"[bold]{entry.kind} {entry.name}[/]: {escape(entry.description)}")
    stdout.print(f"package: {entry.package} {entry.version}")
    if entry.aliases:
        stdout.print(f"aliases: {', '.join(entry.aliases)}")
    if entry.kind == "recipe":
        recipe = registry.recipe(entry.name)
        stdout.print(escape(recipe.summary()))
        stdout.print(f"run it: ganzoo run --recipe {entry.name}; ganzoo reproduce {entry.name}")
    settings = describe_settings(entry.settings)
    if not settings:
        stdout.print("settings: none")
        return
    table = Table(header_style="bold", title=f"settings (--set {set_prefix(entry)}KEY=VALUE)")
    for column in ("name", "type", "default", "bounds", "description"):
        table.add_column(column)
    for info in settings:
        default = "[dim]required[/]" if info.required else escape(_shown(info.default))
        table.add_row(info.name, escape(info.type), default, info.bounds, escape(info.description))
    stdout.print(table)


def kind_option(text: str | None) -> Kind | None:
    """The kind ``--kind`` names (``None`` if not given); an unknown one is an error."""
    if text is None:
        return None
    kind = find_kind(text)
    if kind is None:
        raise ConfigError(f"unknown --kind {text!r}; allowed: {', '.join(KINDS)}")
    return kind


def _one_entry(registry: Registry, name: str, kind: Kind | None) -> Entry:
    """The entry ``name`` names, in ``kind`` or the only kind that has it."""
    kinds = KINDS if kind is None else (kind,)
    found = []
    for candidate in kinds:
        try:
            found.append(registry.get(candidate, name))
        except UnknownComponentError:
            continue
    if len(found) > 1:
        raise ConfigError(
            f"{name!r} names a {' and a '.join(e.kind for e in found)}; "
            f"choose with --kind {found[0].kind} or --kind {found[1].kind}"
        )
    if not found:
        if kind is not None:
            registry.get(kind, name)  # raises the error naming the choices
        names = [e.name for e in registry.list()] + [a for e in registry.list() for a in e.aliases]
        near = closest(name, names)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ConfigError(f"no component is named {name!r}{hint}; see 'ganzoo list'")
    return found[0]


def _shown(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def plugins_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List installed plugin packages, the hooks each implements, and those that failed.

    With GANZOO_STRICT set, every clash and contract breach is listed and the exit code is 1.
    """
    from ganzoo.plugins import plugin_set
    from ganzoo.plugins.loading import is_strict

    loaded = plugin_set(check_strict=False)
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
                            "entry_point": f.entry_point,
                            "error": f.error,
                        }
                        for f in loaded.failures
                    ],
                    "conflicts": loaded.conflict_messages(),
                    "notes": loaded.notes,
                },
                indent=2,
            )
        )
    else:
        _plugins_table(loaded)
    if is_strict() and loaded.strict_problems():
        raise typer.Exit(1)


def _plugins_table(loaded: PluginSet) -> None:
    """One row per entry point (package, version, entry point, module, hooks), then problems."""
    table = Table(header_style="bold")
    for column in ("package", "version", "entry point", "module", "hooks", "status"):
        table.add_column(column)
    for plugin in loaded.plugins:
        table.add_row(
            plugin.package,
            plugin.version,
            escape(plugin.entry_point),
            plugin.module,
            ", ".join(plugin.hooks),
            "[green]loaded[/]",
        )
    for failure in loaded.failures:
        where = f" in {failure.hook}" if failure.hook else ""
        table.add_row(
            failure.package,
            failure.version,
            escape(failure.entry_point),
            "",
            failure.hook or "",
            f"[red]failed{where}:[/] {escape(failure.error)}",
        )
    stdout.print(table)
    for conflict in loaded.conflict_messages():
        stdout.print(f"[yellow]conflict:[/] {escape(conflict)}")
    for note in loaded.notes:
        stdout.print(f"[yellow]note:[/] {escape(note)}")


def register(app: typer.Typer) -> None:
    app.command("list")(list_command)
    app.command("show")(show_command)
    app.command("plugins")(plugins_command)
