"""Ctrl-C and SIGTERM: finish the current step, checkpoint, exit 130 / 143.

The first signal only sets a flag that the training loop reads after each step; a
second one raises :class:`StopNow` at once (the newest checkpoint on disk stays valid,
since checkpoints are written atomically).
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType, TracebackType

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


def exit_code(signum: int) -> int:
    """The shell's exit code for a process ended by ``signum`` (128 + number)."""
    return 128 + int(signum)


def signal_name(signum: int) -> str:
    return "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name


class StopRequested(Exception):
    """Raised after the checkpoint that follows a Ctrl-C or SIGTERM."""

    def __init__(self, signum: int, step: int, run_dir: Path | None = None) -> None:
        self.signum = signum
        self.exit_code = exit_code(signum)
        self.step = step
        self.run_dir = run_dir
        super().__init__(f"stopped by {signal_name(signum)} at step {step}")


class StopNow(KeyboardInterrupt):
    """A second signal: stop at once, without finishing the step or writing a checkpoint."""

    def __init__(self, signum: int, second: bool = True) -> None:
        self.signum = signum
        self.exit_code = exit_code(signum)
        self.run_dir: Path | None = None
        self.checkpoint_step: int | None = None
        again = "a second " if second else ""
        super().__init__(f"stopped at once by {again}{signal_name(signum)}")


class GracefulStop:
    """While active, the first Ctrl-C / SIGTERM sets :attr:`signum`; a second one stops at once."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> GracefulStop:
        if threading.current_thread() is threading.main_thread():
            for signum in EXIT_CODES:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None:
            raise StopNow(signum)
        self.signum = signum


def describe_stop(error: BaseException) -> str:
    """One line for the user: why the run stopped, what was kept, and how to continue."""
    run_dir = getattr(error, "run_dir", None)
    if isinstance(error, StopRequested) and run_dir is not None:
        return f"{error}; checkpoint written. To continue: ganzoo run --resume {run_dir}"
    if isinstance(error, StopNow) and run_dir is not None:
        if error.checkpoint_step is None:
            return f"{error}, before any checkpoint was written"
        return (
            f"{error}; the checkpoint of step {error.checkpoint_step} is intact. "
            f"To continue: ganzoo run --resume {run_dir}"
        )
    return str(error) or "interrupted"


def terminate_quietly() -> None:
    """Outside training, let SIGTERM end the process like Ctrl-C does (no traceback, 143)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise StopNow(signum, second=False)
