"""Helpers for tests that drive real ``ganzoo`` processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tests.conftest import run_cli


@dataclass
class Outcome:
    """What a finished ``ganzoo`` process left: exit code, stdout and stderr."""

    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """The non-empty lines on stderr."""
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_batch(
    cases: Sequence[Sequence[str]], cwd: Path, env: dict[str, str], timeout: float = 600
) -> list[Outcome]:
    """Run each command line in a process of its own, one after another, and collect them."""
    return [run(args, cwd, env, timeout) for args in cases]


def run(args: Sequence[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> Outcome:
    """``python -m ganzoo ARGS`` to the end (forked from a warm process, as ``run_cli`` does)."""
    done = run_cli(*args, env=env, cwd=cwd, timeout=timeout)
    return Outcome(done.returncode, done.stdout, done.stderr)


class Running:
    """A ``python -m ganzoo`` process in the background, its output going to files."""

    def __init__(self, args: Sequence[str], cwd: Path, env: dict[str, str], **popen: Any) -> None:
        self._out: IO[bytes] = open(cwd / ".stdout", "wb")  # noqa: SIM115
        self._err: IO[bytes] = open(cwd / ".stderr", "wb")  # noqa: SIM115
        self.cwd = cwd
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ganzoo", *args],
            cwd=cwd,
            env={**os.environ, **env},
            stdout=self._out,
            stderr=self._err,
            **popen,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_until(
        self, condition: Callable[[], bool], timeout: float = 300, poll: float = 0.02
    ) -> None:
        """Poll ``condition`` until it holds; fail if the process ends or time runs out first."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                raise AssertionError(f"ganzoo ended early:\n{self.finish(1).stderr}")
            if time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(f"timed out waiting:\n{self.finish(10).stderr}")
            time.sleep(poll)

    def finish(self, timeout: float = 300) -> Outcome:
        """Wait for the process to end and return what it printed."""
        try:
            code = self.process.wait(timeout)
        finally:
            self._out.close()
            self._err.close()
        read = (self.cwd / ".stdout").read_text, (self.cwd / ".stderr").read_text
        return Outcome(code, read[0](errors="replace"), read[1](errors="replace"))


def newest_step(run_dir: Path) -> int:
    """The step of the newest finished checkpoint file in a run (0 if none)."""
    names = sorted((run_dir / "checkpoints").glob("step-*.safetensors"))
    return int(names[-1].name[5:11]) if names else 0


def assert_clean_error(outcome: Outcome, *fragments: str, code: int = 2) -> None:
    """Exit ``code``, one line on stderr naming the problem, and no traceback."""
    assert outcome.code == code, f"exit {outcome.code}, stderr:\n{outcome.stderr}"
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert len(outcome.lines) == 1, f"expected one line on stderr, got:\n{outcome.stderr}"
    for fragment in fragments:
        assert fragment in outcome.stderr, f"{fragment!r} not in {outcome.stderr!r}"
