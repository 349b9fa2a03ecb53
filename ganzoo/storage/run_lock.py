"""One writer per run: an exclusive OS advisory lock on the run's ``.lock`` file.

The process that trains a run holds ``flock`` on the lock file, which also names it
(PID, host, start time). The operating system drops the lock when the process ends,
however it ends, so a killed run never leaves a stale lock behind; the file itself
stays, and only a held lock means a live run.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from types import TracebackType
from typing import IO

from ganzoo.errors import ConfigError
from ganzoo.storage.layout import RunLayout

try:
    import fcntl
except ImportError:  # not POSIX: runs are not locked
    fcntl = None  # type: ignore[assignment]


class RunInUseError(ConfigError):
    """Another live process writes the run."""


@dataclass
class RunLock:
    """The held lock of a run; :meth:`release` (or leaving the ``with`` block) frees it."""

    layout: RunLayout
    handle: IO[str] | None

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()  # closing the file drops the lock
            self.handle = None

    def __enter__(self) -> RunLock:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()


def lock_run(layout: RunLayout, what: str) -> RunLock:
    """Take the run's lock for this process, or refuse: another live process holds it.

    Args:
        layout: the run; its folder is created if need be.
        what: the option that asked, for the message (``--out``, ``--resume``).
    """
    layout.root.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        return RunLock(layout, None)
    handle = open(layout.lock, "a+", encoding="utf-8")  # noqa: SIM115 (held for the run)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise RunInUseError(
            f"{what} {layout.root}: the run is still being trained by {holder(layout)}; "
            "wait for it to finish or stop it first"
        ) from None
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    handle.seek(0)
    handle.truncate()
    handle.write(f"process {os.getpid()} on host {socket.gethostname()}, started {started}\n")
    handle.flush()
    return RunLock(layout, handle)


def live_holder(layout: RunLayout) -> str | None:
    """Who trains the run now (PID, host, start time), or None when no live process does."""
    if fcntl is None or not layout.lock.is_file():
        return None
    with open(layout.lock, encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return holder(layout)
    return None


def holder(layout: RunLayout) -> str:
    """The lock file's description of the process that took it."""
    try:
        text = layout.lock.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "another process"
