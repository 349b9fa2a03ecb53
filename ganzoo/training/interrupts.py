"""Ctrl-C and SIGTERM: finish the current step, checkpoint, exit 130 / 143."""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


class StopRequested(Exception):
    """Raised after the checkpoint that follows a Ctrl-C or SIGTERM."""

    def __init__(self, signum: int, step: int) -> None:
        self.signum = signum
        self.exit_code = EXIT_CODES.get(signal.Signals(signum), 130)
        self.step = step
        super().__init__(f"stopped by {signal.Signals(signum).name} at step {step}")


class GracefulStop:
    """While active, the first Ctrl-C / SIGTERM sets :attr:`signum`; a second Ctrl-C stops at once."""

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

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt  # second signal: stop at once
        self.signum = signum
