"""Build-time pages for the docs: the CLI reference and the component catalogue.

mkdocs loads this file as a hook (see ``hooks:`` in mkdocs.yml). Both pages are
generated from the installed code on every build, so they cannot drift from it:
the CLI reference walks ganzoo's Typer app, the catalogue loads the built-in
plugin into a fresh registry and reads each component's pydantic settings model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

CLI_PAGE = "reference/cli.md"
COMPONENTS_PAGE = "reference/components.md"


# --- mkdocs events -------------------------------------------------------------------------


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages to the site before the navigation is built."""
    from mkdocs.structure.files import File

    for path, text in ((CLI_PAGE, cli_reference()), (COMPONENTS_PAGE, component_catalogue())):
        existing = files.get_file_from_path(path)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, path, content=text))
    return files


QUICKSTART_PAGE = "quickstart.md"
QUICKSTART_MARKER = "<!-- quickstart-commands -->"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Put the README's quick-start commands into the quickstart page."""
    if page.file.src_uri != QUICKSTART_PAGE:
        return markdown
    readme = Path(config.config_file_path).parent / "README.md"
    return markdown.replace(QUICKSTART_MARKER, quickstart_commands(readme.read_text("utf-8")))


def quickstart_commands(readme: str) -> str:
    """The first two shell blocks of the README's "Quick start" section, as Markdown."""
    section = re.search(r"^## Quick start\s*$(.*?)(?=^## |\Z)", readme, re.M | re.S)
    blocks = re.findall(r"^```bash\n(.*?)^```", section.group(1), re.M | re.S) if section else []
    if len(blocks) < 2:
        raise ValueError(
            "README.md needs a '## Quick start' section with two ```bash blocks "
            "(set up and train; run the checks): the quickstart page shows them"
        )
    labels = ("Set up and train:", "Run every check:")
    pairs = zip(labels, blocks[:2], strict=True)
    parts = [f"{label}\n\n```bash\n{block}```" for label, block in pairs]
    return "\n\n".join(parts)


# --- the CLI reference ---------------------------------------------------------------------


def cli_command() -> Any:
    """ganzoo's command line as a click command, with every built-in subcommand registered.

    Commands that plugins add are left out: the reference documents ganzoo itself.
    """
    import typer

    from ganzoo.cli import app as app_module

    if not app_module.app.registered_commands:
        app_module._register_builtin_commands()
    return typer.main.get_command(app_module.app)


def cli_reference() -> str:
    """The CLI reference page in Markdown."""
    root = cli_command()
    context = root.make_context("ganzoo", [], resilient_parsing=True)
    lines = [
        "# Command line",
        "",
        "<!-- Generated from ganzoo's Typer app at build time; do not edit. -->",
        "",
        _clean(root.help or ""),
        "",
        "```text",
        root.get_usage(context),
        "```",
        "",
        "Every user error (an unknown name, a bad setting, a missing file) is printed as one",
        "line on stderr with exit code 2; `--debug` shows the full traceback instead.",
        "",
        "## Global options",
        "",
        *_parameter_table(root, context),
        "",
        "## Commands",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    names = root.list_commands(context)
    for name in names:
        command = root.get_command(context, name)
        lines.append(f"| [`{name}`](#{_anchor(name)}) | {_first_line(command.help or '')} |")
    for name in names:
        command = root.get_command(context, name)
        sub = command.make_context(name, [], parent=context, resilient_parsing=True)
        lines += [
            "",
            f"### ganzoo {name} {{#{_anchor(name)}}}",
            "",
            _clean(command.help or ""),
            "",
            "```text",
            command.get_usage(sub),
            "```",
            "",
            *_parameter_table(command, sub),
        ]
    return "\n".join(lines) + "\n"


def _parameter_table(command: Any, context: Any) -> list[str]:
    rows = []
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        record = param.get_help_record(context)
        if record is None:
            continue
        declaration, help_text = record
        kind = "argument" if param.param_type_name == "argument" else "option"
        default = _cli_default(param)
        rows.append(
            f"| `{declaration}` | {kind} | {default} | {_escape(_clean(help_text or ''))} |"
        )
    rows.append("| `--help` | option | | Show the help and exit. |")
    return ["| name | | default | description |", "|---|---|---|---|", *rows]


def _cli_default(param: Any) -> str:
    if param.required:
        return "required"
    default = param.default
    if callable(default) or default is None or default == () or default == []:
        return ""
    if isinstance(default, bool):
        return "on" if default else "off"
    return f"`{default}`"


def _anchor(name: str) -> str:
    return "cmd-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# --- the component catalogue ---------------------------------------------------------------


def builtin_registry() -> Any:
    """A fresh registry holding only ganzoo's own components (installed plugins left out)."""
    from ganzoo.plugins.loading import CORE_DISTRIBUTION, discover, load

    core = [ep for ep in discover() if ep.dist is not None and ep.dist.name == CORE_DISTRIBUTION]
    plugin_set = load(entry_points_=core, strict=True)
    if plugin_set.failures:
        raise RuntimeError("; ".join(f.message() for f in plugin_set.failures))
    return plugin_set.registry


def component_catalogue() -> str:
    """The component catalogue page in Markdown."""
    from ganzoo.kinds import KIND_TABLE

    registry = builtin_registry()
    lines = [
        "# Components",
        "",
        "<!-- Generated from the registry at build time; do not edit. -->",
        "",
        "Every architecture, loss, dataset, metric, recipe and logger that ships with ganzoo,",
        "with its settings and their defaults. Installed plugins add more: `ganzoo list`",
        "shows everything installed, `ganzoo list --json` the same with settings.",
        "",
        "Change a setting for one run with `--set`, prefixed by the kind:",
        "",
        "```bash",
        "ganzoo run mlp-gan --loss wgan-gp --set loss.gp_weight=5 --set architecture.latent_dim=64",
        "```",
        "",
        "or in a TOML file given with `--config`, under `[architecture]`, `[loss]` or",
        "`[dataset]`.",
    ]
    for kind, spec in KIND_TABLE.items():
        entries = registry.list(kind)
        lines += ["", f"## {spec.plural.capitalize()}", ""]
        if not entries:
            lines.append(f"No built-in {kind}s.")
            continue
        lines += ["| name | aliases | description |", "|---|---|---|"]
        for entry in entries:
            aliases = ", ".join(f"`{a}`" for a in entry.aliases)
            link = f"[`{entry.name}`](#{kind}-{entry.name})"
            lines.append(f"| {link} | {aliases} | {_escape(entry.description)} |")
        for entry in entries:
            section = _recipe_section if kind == "recipe" else _component_section
            lines += ["", *section(entry, registry)]
    return "\n".join(lines) + "\n"


def _recipe_section(entry: Any, registry: Any) -> list[str]:
    """A recipe: what it reproduces, its settings, its departures and its command."""
    import tomli_w

    recipe = registry.recipe(entry.name)
    which = "Reproduces" if recipe.reference.published else "Held to"
    lines = [
        f"### {entry.name} {{#recipe-{entry.name}}}",
        "",
        _escape(entry.description),
        "",
        f"{which}: {_escape(recipe.summary())}. Protocol: {_escape(recipe.protocol.description)}.",
        "",
        "```toml",
        tomli_w.dumps(recipe.config).strip(),
        "```",
    ]
    if recipe.departures:
        lines += ["", "Departures:", "", *[f"- {_escape(d)}" for d in recipe.departures]]
    return [*lines, "", f"`ganzoo reproduce {entry.name}` · measured: [the zoo](../zoo.md)"]


def _component_section(entry: Any, registry: Any = None) -> list[str]:
    lines = [f"### {entry.name} {{#{entry.kind}-{entry.name}}}", "", _escape(entry.description)]
    facts = []
    if entry.aliases:
        facts.append("aliases " + ", ".join(f"`{a}`" for a in entry.aliases))
    factory = entry.factory if isinstance(entry.factory, str) else _qualified(entry.factory)
    facts.append(f"factory `{factory}`")
    sentence = "; ".join(facts)
    lines += ["", sentence[:1].upper() + sentence[1:] + "."]
    model = entry.settings
    if model is None:
        return [*lines, "", "No settings."]
    doc = _clean(model.__doc__ or "")
    if doc and not doc.startswith(model.__name__ + "("):  # pydantic's default docstring
        lines += ["", doc]
    from ganzoo.registry import set_prefix

    prefix = set_prefix(entry)  # loss., or metric.NAME. for the kinds a command uses several of
    lines += [
        "",
        f"Settings (`{_qualified(model)}`):",
        "",
        "| setting | type | default | allowed | description |",
        "|---|---|---|---|---|",
    ]
    from ganzoo.settings_table import describe_settings

    for info in describe_settings(model):
        name = f"{prefix}{info.name}"
        default = "required" if info.required else _value(info.default)
        lines.append(
            f"| `{name}` | {_escape(_code_choices(info.type))} | {default} | "
            f"{_escape(info.bounds)} | {_escape(info.description)} |"
        )
    return lines


def _code_choices(type_text: str) -> str:
    """Quoted choices of a type (``"adam" | "rmsprop"``) as code: `` `adam` | `rmsprop` ``."""
    return re.sub(r'"([^"]*)"', r"`\1`", type_text)


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, (list, tuple)):
        return "`[" + ", ".join(_value(v).strip("`") for v in value) + "]`"
    return f"`{value}`"


def _qualified(obj: Any) -> str:
    return f"{obj.__module__}.{getattr(obj, '__qualname__', repr(obj))}"


# --- text helpers --------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Docstring or help text as Markdown paragraphs (rst roles become code)."""
    import inspect

    text = inspect.cleandoc(text.split("\f")[0])
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def _first_line(text: str) -> str:
    return _escape(_clean(text).split("\n\n")[0].replace("\n", " "))


def _escape(text: str) -> str:
    """Safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
