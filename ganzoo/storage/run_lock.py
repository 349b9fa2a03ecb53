"""One writer per run: an exclusive OS advisory lock on the run's ``.lock`` file.

The process that trains a run holds ``flock`` on the lock file, which also names it
(PID, host, start time). The operating system drops the lock when the process ends,
however it ends, so a killed run never leaves a stale lock behind; the file itself
stays, and only a held lock means a live run.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import IO

from ganzoo.errors import ConfigError
from ganzoo.storage.layout import RunLayout

try:
    import fcntl
except ImportError:  # not POSIX: runs are not locked
    fcntl = None  # type: ignore[assignment]


class RunInUseError(ConfigError):
    """Another live process writes the run."""


@contextlib.contextmanager
def run_lock(layout: RunLayout, what: str) -> Iterator[None]:
    """Hold the run's lock while the block runs, or refuse: another live process holds it.

    Args:
        layout: the run; its folder is created if need be.
        what: the option that asked, for the message (``--out``, ``--resume``).
    """
    layout.root.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield
        return
    with open(layout.lock, "a+", encoding="utf-8") as handle:  # closing it drops the lock
        if not _lock_exclusively(handle):
            raise RunInUseError(
                f"{what} {layout.root}: the run is still being trained by {holder(layout)}; "
                "wait for it to finish or stop it first"
            )
        started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} on host {socket.gethostname()}, started {started}\n")
        handle.flush()
        yield


def _lock_exclusively(handle: IO[str], attempts: int = 20, pause: float = 0.01) -> bool:
    """Take the exclusive lock, retrying for a moment: ``live_holder`` (``ganzoo runs``,
    say) holds a shared lock for an instant while it looks, and must not turn a trainer away."""
    assert fcntl is not None
    for attempt in range(attempts):
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if attempt + 1 < attempts:
                time.sleep(pause)
    return False


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
