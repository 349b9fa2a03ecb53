"""The ``ganzoo`` Typer app: command registration and the one-line error contract.

Command modules import torch only inside their functions, so ``ganzoo --help``
answers at once.
"""

from __future__ import annotations

import os
import sys
import traceback

import typer
from ganzoo import __version__
from ganzoo.cli.common import stderr
from ganzoo.errors import GanzooError

app = typer.Typer(
    name="ganzoo",
    help="A plugin-based GAN model zoo: train, sample and evaluate GANs; extend it with plugins.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ganzoo {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    """ganzoo: a plugin-based GAN model zoo for PyTorch."""
    if debug:
        os.environ["GANZOO_DEBUG"] = "1"


def _register_builtin_commands() -> None:
    from ganzoo.cli import listing, sampling, training

    listing.register(app)
    training.register(app)
    sampling.register(app)
    for optional in ("ganzoo.cli.evaluation", "ganzoo.cli.scaffold"):
        try:
            module = __import__(optional, fromlist=["register"])
        except ModuleNotFoundError:
            continue
        module.register(app)


def _register_plugin_commands() -> None:
    from ganzoo.plugins import plugin_set
    from ganzoo.plugins.loading import call_command_hooks

    try:
        call_command_hooks(plugin_set(), app)
    except GanzooError as error:  # strict mode
        stderr.print(f"[red]error:[/] {error}")
        sys.exit(error.exit_code)


def debug_enabled() -> bool:
    return "--debug" in sys.argv[1:] or bool(os.environ.get("GANZOO_DEBUG"))


def run_app(args: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every user error into one line and exit code 2."""
    _register_builtin_commands()
    _register_plugin_commands()
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="ganzoo", standalone_mode=False)
    except GanzooError as error:
        if debug_enabled():
            traceback.print_exc()
        stderr.print(f"[red]error:[/] {error}", soft_wrap=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        stderr.print("interrupted")
        sys.exit(130)
    except Exception as error:
        # Typer vendors its own click; recognise its exceptions by what they offer.
        if type(error).__name__ == "Abort":
            stderr.print("interrupted")
            sys.exit(130)
        if type(error).__name__ == "NoArgsIsHelpError":
            error.show()  # type: ignore[attr-defined]
            sys.exit(2)
        if not (hasattr(error, "format_message") and hasattr(error, "exit_code")):
            raise
        context = getattr(error, "ctx", None)
        hint = ""
        if context is not None and getattr(context, "parent", None) is not None:
            hint = f" (see 'ganzoo {context.info_name} --help')"
        message = _one_line(error.format_message())
        stderr.print(f"[red]error:[/] {message}{hint}", soft_wrap=True)
        sys.exit(error.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def _one_line(message: str) -> str:
    text = " ".join(part.strip() for part in message.splitlines() if part.strip())
    return text[:1].lower() + text[1:] if text else text
