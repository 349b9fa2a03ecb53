"""The ``ganzoo`` Typer app: command registration and the one-line error contract.

Command modules import torch only inside their functions, so ``ganzoo --help``
answers at once.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import NoReturn

import typer
from rich.markup import escape

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
    from ganzoo.training.interrupts import terminate_quietly

    terminate_quietly()
    _register_builtin_commands()
    _register_plugin_commands()
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="ganzoo", standalone_mode=False)
    except GanzooError as error:
        _fail("[red]error:[/]", _one_line(str(error), lower=False), error.exit_code)
    except KeyboardInterrupt as error:
        _fail("", str(error) or "interrupted", getattr(error, "exit_code", 130))
    except Exception as error:
        _click_error(error)
        # A bug, not a user error: one line, exit code 1; --debug shows the traceback.
        where = "" if debug_enabled() else " (run with --debug for the traceback)"
        message = _one_line(str(error), lower=False) or "no message"
        _fail("[red]internal error:[/]", f"{type(error).__name__}: {message}{where}", 1)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(label: str, message: str, code: int) -> NoReturn:
    """Print the traceback under --debug, then ``label message`` as one line, and exit."""
    if debug_enabled():
        traceback.print_exc()
    stderr.print(f"{label} {escape(message)}" if label else escape(message), soft_wrap=True)
    sys.exit(code)


def _click_error(error: Exception) -> None:
    """Exit for the errors of Typer's vendored click, recognised by what they offer."""
    if type(error).__name__ == "Abort":
        _fail("", "interrupted", 130)
    if type(error).__name__ == "NoArgsIsHelpError":
        error.show()  # type: ignore[attr-defined]
        sys.exit(2)
    if not (hasattr(error, "format_message") and hasattr(error, "exit_code")):
        return
    context = getattr(error, "ctx", None)
    hint = ""
    if context is not None and getattr(context, "parent", None) is not None:
        hint = f" (see 'ganzoo {context.info_name} --help')"
    message = _one_line(error.format_message())
    _fail("[red]error:[/]", f"{message}{hint}", error.exit_code)


def _one_line(message: str, lower: bool = True) -> str:
    text = " ".join(part.strip() for part in message.splitlines() if part.strip())
    return text[:1].lower() + text[1:] if text and lower else text
