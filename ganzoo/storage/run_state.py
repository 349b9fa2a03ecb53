"""Where a run stands: ``state.json``, kept by the trainer, and the rule that reads it.

The trainer (rank 0) writes ``running`` when it starts, again with the step at every
logging step, and at the end ``finished``, ``stopped`` (Ctrl-C, SIGTERM), ``diverged``
or ``failed``. A process killed outright (SIGKILL, power loss, out of memory) writes
nothing more, so ``running`` alone proves nothing: a run is live only while a process
holds its ``.lock`` (see :mod:`ganzoo.storage.run_lock`); ``running`` without a held
lock reads as ``killed``.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from typing import Literal, get_args

from ganzoo.storage.atomic import write_atomic
from ganzoo.storage.layout import RunLayout
from ganzoo.storage.run_lock import fcntl, live_holder

Recorded = Literal["running", "finished", "stopped", "diverged", "failed"]
"""What the trainer records."""
Observed = Literal["running", "finished", "stopped", "diverged", "failed", "killed", "unknown"]
"""What a reader concludes: ``killed`` is ``running`` with nobody holding the lock;
``unknown`` is a run without a readable ``state.json`` (one older than it, say)."""
RECORDED: tuple[Recorded, ...] = get_args(Recorded)


@dataclass(frozen=True)
class RunState:
    """The content of ``state.json``."""

    state: Recorded
    step: int
    """Steps done (the step of the last logging step, or the last step trained)."""
    steps: int
    """Steps planned."""
    pid: int
    host: str
    updated: str
    """When it was written (UTC, ISO 8601)."""
    message: str = ""
    """Why it stopped, diverged or failed, in one line."""

    @classmethod
    def now(cls, state: Recorded, step: int, steps: int, message: str = "") -> RunState:
        """This process's state at this moment."""
        return cls(state, step, steps, os.getpid(), socket.gethostname(), _utc_now(), message)

    def moved_to(self, state: Recorded, step: int, message: str = "") -> RunState:
        """The same run, later."""
        return replace(self, state=state, step=step, updated=_utc_now(), message=message)


def write_state(layout: RunLayout, state: RunState, *, durable: bool = True) -> None:
    """Replace ``state.json`` atomically (a reader sees the old state or the new one).

    ``durable=False`` skips the fsync, for the step of a running run, rewritten at every
    logging step: losing the newest one to a power cut costs nothing.
    """
    data = (json.dumps(asdict(state), indent=2) + "\n").encode()
    write_atomic(layout.state, data, durable=durable)


def read_state(layout: RunLayout) -> RunState | None:
    """The recorded state, or None where there is none or it cannot be read."""
    try:
        data = json.loads(layout.state.read_text(encoding="utf-8"))
        state = RunState(**data)
    except (OSError, ValueError, TypeError):
        return None
    if state.state not in RECORDED or not _well_typed(state):
        return None
    return state


def _well_typed(state: RunState) -> bool:
    """Whether each field holds its declared type (a hand-edited file may not)."""
    numbers = (state.step, state.steps, state.pid)
    texts = (state.host, state.updated, state.message)
    return all(isinstance(n, int) and not isinstance(n, bool) for n in numbers) and all(
        isinstance(t, str) for t in texts
    )


def observed_state(layout: RunLayout, recorded: RunState | None) -> Observed:
    """The rule: a recorded ``running`` counts only while a live process holds the lock."""
    if recorded is None:
        return "unknown"
    if recorded.state != "running":
        return recorded.state
    if fcntl is None:  # no advisory locks on this system: trust the record
        return "running"
    return "running" if live_holder(layout) is not None else "killed"


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
