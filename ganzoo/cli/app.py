"""The ``ganzoo`` Typer app: command registration and the one-line error contract.

Command modules import torch only inside their functions, so ``ganzoo --help``
answers at once.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

import typer
from rich.markup import escape

from ganzoo.cli.common import stderr
from ganzoo.errors import GanzooError, one_line
from ganzoo.version import __version__

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
    from ganzoo.cli import evaluation, listing, runs, sampling, scaffold, training

    for module in (listing, training, runs, sampling, evaluation, scaffold):
        module.register(app)


def _register_plugin_commands() -> None:
    from ganzoo.plugins import plugin_set
    from ganzoo.plugins.loading import call_command_hooks

    # Strict mode's errors are raised by the commands that use plugins, so that
    # 'ganzoo plugins' can still show every problem.
    call_command_hooks(plugin_set(check_strict=False), app)


def debug_enabled() -> bool:
    return "--debug" in sys.argv[1:] or bool(os.environ.get("GANZOO_DEBUG"))


def run_app(args: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every user error into one line and exit code 2."""
    from ganzoo.training.interrupts import StopRequested, describe_stop, terminate_quietly

    terminate_quietly()
    _register_builtin_commands()
    _register_plugin_commands()
    _report_stops(app)
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="ganzoo", standalone_mode=False)
    except GanzooError as error:
        _fail("[red]error:[/]", _one_line(str(error), lower=False), error.exit_code)
    except (KeyboardInterrupt, StopRequested) as error:  # Ctrl-C, SIGTERM
        _fail("", describe_stop(error), getattr(error, "exit_code", 130))
    except Exception as error:
        _click_error(error)
        # A bug, not a user error: one line, exit code 1; --debug shows the traceback.
        where = "" if debug_enabled() else " (run with --debug for the traceback)"
        message = _one_line(str(error), lower=False) or "no message"
        _fail("[red]internal error:[/]", f"{type(error).__name__}: {message}{where}", 1)
    sys.exit(code if isinstance(code, int) else 0)


def _report_stops(cli: typer.Typer) -> None:
    """Wrap every command so that a stop reaches the user as one line (Typer would swallow it).

    Typer turns a KeyboardInterrupt into a silent exit code 130; a Ctrl-C, a SIGTERM
    or a second signal must instead say what was kept and how to continue.
    """
    for info in cli.registered_commands:
        if info.callback is not None and not getattr(info.callback, "reports_stops", False):
            info.callback = _reporting_stops(info.callback)
    for group in cli.registered_groups:
        if group.typer_instance is not None:
            _report_stops(group.typer_instance)


def _reporting_stops(callback: Callable[..., Any]) -> Callable[..., Any]:
    from ganzoo.training.interrupts import describe_stop

    @functools.wraps(callback)
    def command(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except KeyboardInterrupt as error:
            _fail("", describe_stop(error), getattr(error, "exit_code", 130))

    command.reports_stops = True  # type: ignore[attr-defined]
    return command


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
    text = one_line(message)
    return text[:1].lower() + text[1:] if text and lower else text
