"""A run's loggers and its ``state.json``: what the training loop reports, and to whom.

Only rank 0 builds loggers and writes the state. ``jsonl`` (``metrics.jsonl``) is always
the first logger; the config's ``loggers`` follow in the order given.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganzoo.config import RunConfig
from ganzoo.errors import ConfigError, DivergenceError, StorageError, one_line
from ganzoo.registry import Registry
from ganzoo.storage.layout import RunLayout
from ganzoo.storage.run_state import RunState, write_state
from ganzoo.tracking import Logger, LoggerContext, Outcome

if TYPE_CHECKING:
    from PIL.Image import Image
    from torch import nn

ALWAYS_ON = "jsonl"
"""The logger every run has, whatever the config says."""


def selected_loggers(config: RunConfig) -> list[str]:
    """The names of a run's loggers: ``jsonl`` first, then the config's, each once."""
    return list(dict.fromkeys([ALWAYS_ON, *config.loggers]))


def check_loggers(config: RunConfig, registry: Registry) -> dict[str, Any]:
    """Resolve the config's loggers: canonical names, settings with defaults filled in.

    Each selected logger's implementation is imported here, before any run folder
    exists, so a missing optional extra is one line at once. Returns the config fields.
    """
    loggers: list[str] = []
    for name in config.loggers:
        entry = registry.get("logger", name)
        if entry.name not in loggers:
            loggers.append(entry.name)
    settings: dict[str, dict[str, Any]] = {}
    for name, values in config.logger_settings.items():
        entry = registry.get("logger", name)
        if entry.name not in loggers and entry.name != ALWAYS_ON:
            raise ConfigError(
                f"settings are given for logger {entry.name!r}, which the run does not use; "
                f"add it with --logger {entry.name} (loggers of this run: "
                f"{', '.join([ALWAYS_ON, *loggers])})"
            )
        validated = registry.settings("logger", entry.name, values)
        settings[entry.name] = validated.model_dump(mode="json") if validated is not None else {}
    for name in [ALWAYS_ON, *loggers]:
        registry.get("logger", name).load_factory()
    return {"loggers": loggers, "logger_settings": settings}


def open_loggers(
    config: RunConfig,
    run_dir: Path,
    registry: Registry,
    *,
    resumed_from: int | None = None,
    evaluating: bool = False,
) -> RunLoggers:
    """Build the run's loggers (rank 0 only)."""
    context = LoggerContext(
        run_dir=run_dir,
        name=run_dir.resolve().name,
        config=config.model_dump(mode="json"),
        resumed_from=resumed_from,
        evaluating=evaluating,
    )
    built: list[tuple[str, Logger]] = []
    for name in selected_loggers(config):
        settings = config.logger_settings.get(name)
        try:
            built.append((name, registry.build("logger", name, settings, context)))
        except Exception as error:  # a tracker that cannot start never costs the run
            if name == ALWAYS_ON:
                raise
            _warn(f"logger {name!r} could not start and is off for this run: {_described(error)}")
    return RunLoggers(built)


def _described(error: Exception) -> str:
    return one_line(f"{type(error).__name__}: {error}")


class RunLoggers(Logger):
    """Every logger of a run, called in turn.

    ``jsonl`` is the run's own record, so its errors (a full disk, say) end the run. Any
    other logger that raises is reported in one line and switched off for the rest of the
    run: a tracker that loses its connection never costs the training.
    """

    def __init__(
        self, loggers: list[tuple[str, Logger]], report: Callable[[str], None] | None = None
    ) -> None:
        self.loggers = loggers
        self.report = report or _warn

    def _each(self, call: Callable[[Logger], None]) -> None:
        for name, logger in list(self.loggers):
            try:
                call(logger)
            except Exception as error:
                if name == ALWAYS_ON:
                    raise
                self.loggers.remove((name, logger))
                self.report(
                    f"logger {name!r} failed and is off for the rest of this run: "
                    f"{_described(error)}"
                )

    def log_config(self, config: Mapping[str, Any]) -> None:
        self._each(lambda logger: logger.log_config(config))

    def log_scalars(self, step: int, values: Mapping[str, float]) -> None:
        self._each(lambda logger: logger.log_scalars(step, values))

    def log_images(self, step: int, tag: str, image: Image) -> None:
        self._each(lambda logger: logger.log_images(step, tag, image))

    def log_networks(self, step: int, networks: Mapping[str, nn.Module]) -> None:
        self._each(lambda logger: logger.log_networks(step, networks))

    def log_evaluation(self, step: int, figures: Mapping[str, Mapping[str, float]]) -> None:
        self._each(lambda logger: logger.log_evaluation(step, figures))

    def close(self, outcome: Outcome | None) -> None:
        self._each(lambda logger: logger.close(outcome))


def _warn(message: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[yellow]warning:[/] {escape(message)}"
    )


class RunTracking:
    """Rank 0's reporting during training: the loggers and ``state.json``."""

    def __init__(
        self,
        layout: RunLayout,
        config: RunConfig,
        registry: Registry,
        step: int,
        resumed_from: int | None,
    ) -> None:
        assert config.steps is not None
        self.layout = layout
        self.loggers = open_loggers(config, layout.root, registry, resumed_from=resumed_from)
        self.state = RunState.now("running", step, config.steps)
        write_state(layout, self.state)
        self.loggers.log_config(config.model_dump(mode="json"))

    def log_scalars(self, row: Mapping[str, float]) -> None:
        """One logged row (``step`` and the values); the state's step follows it."""
        step = int(row["step"])
        self.loggers.log_scalars(step, {k: v for k, v in row.items() if k != "step"})
        self.state = self.state.moved_to("running", step)
        write_state(self.layout, self.state, durable=False)

    def log_samples(self, step: int, image: Image) -> None:
        self.loggers.log_images(step, "samples", image)

    def log_networks(self, step: int, networks: Mapping[str, nn.Module]) -> None:
        self.loggers.log_networks(step, networks)

    @contextlib.contextmanager
    def recording_outcome(self, step: Callable[[], int]) -> Iterator[None]:
        """Record how the block ends (``step()`` gives the step reached), then close."""
        outcome: Outcome = "failed"
        message = ""
        try:
            yield
            outcome = "finished"
        except DivergenceError as error:
            outcome, message = "diverged", one_line(str(error))
            raise
        except KeyboardInterrupt as error:  # a second signal, StopNow
            outcome, message = "stopped", one_line(str(error)) or "interrupted"
            raise
        except Exception as error:
            from ganzoo.training.interrupts import StopRequested

            stopped = isinstance(error, StopRequested)
            outcome = "stopped" if stopped else "failed"
            message = one_line(str(error) if stopped else f"{type(error).__name__}: {error}")
            raise
        finally:
            self.state = self.state.moved_to(outcome, int(step()), message)
            try:
                write_state(self.layout, self.state)
            except StorageError:
                if outcome == "finished":
                    raise
                # the error that ended the run is the one to report (a full disk, say)
            finally:
                self.loggers.close(outcome)


def recording_outcome(
    tracking: RunTracking | None, step: Callable[[], int]
) -> contextlib.AbstractContextManager[None]:
    """:meth:`RunTracking.recording_outcome` on rank 0; nothing to record on the others."""
    return contextlib.nullcontext() if tracking is None else tracking.recording_outcome(step)


def log_evaluation(
    config: RunConfig,
    run_dir: Path,
    registry: Registry,
    step: int,
    figures: Mapping[str, Mapping[str, float]],
) -> None:
    """Hand ``ganzoo eval``'s figures to the run's loggers (the events of ``tb/``, say)."""
    loggers = open_loggers(config, run_dir, registry, evaluating=True)
    try:
        loggers.log_evaluation(step, figures)
    finally:
        loggers.close(None)
