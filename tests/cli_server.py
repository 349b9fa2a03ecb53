"""Warm ``ganzoo`` processes: each command line runs in a process forked from a warm parent.

A fresh ``python -m ganzoo`` spends about 5 s importing torch, ``torch._dynamo`` and
torchvision before it does anything, and the suite runs hundreds of command lines. The
server imports all that once; each request then forks a child that *becomes* the command:
its own working directory, environment, stdin (``/dev/null``), stdout and stderr, and
``ganzoo/__main__.py`` run as ``python -m ganzoo`` runs it, so an uncaught exception, an exit
code, atexit handlers and thread shutdown all behave as in a fresh interpreter (only the
teardown of every module at exit is skipped).

A fork keeps what its parent read at start-up (the terminal's width, the thread libraries'
settings, ``PYTHONPATH``), so :class:`Launcher` keeps one server per set of such variables, and
a request that changes where modules come from (``PYTHONPATH``) gets a fresh interpreter.
Tests that are about processes themselves (signals, locks held by a live run) start their own.

Protocol: one JSON request per line on stdin, ``{"args", "cwd", "env", "timeout"}``, and one
JSON reply per line on stdout, ``{"code", "stdout", "stderr", "timed_out"}``.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import pkgutil
import runpy
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

READ_AT_START_UP = (
    "PYTHON", "COLUMNS", "LINES", "TERM", "NO_COLOR", "FORCE_COLOR", "COLORTERM", "LANG",
    "LC_", "LD_", "OMP_", "KMP_", "MKL_", "GOMP_", "CUDA", "TORCH", "PYTORCH", "MPLBACKEND",
)  # fmt: skip
"""Prefixes of variables a process reads as it starts (or its libraries do, on import)."""
APPLIED_IN_CHILD = {"OMP_NUM_THREADS"}
"""Start-up variables a forked child applies itself (``torch.set_num_threads``)."""
FRESH_ONLY = ("PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH")
"""Variables that decide which modules load: a request that sets them gets a fresh process."""
SERVERS_KEPT = 4
"""Warm servers a test process keeps at most (the least recently used one ends first)."""


def start_up_variables(env: Mapping[str, str]) -> frozenset[tuple[str, str]]:
    """The part of ``env`` a server fixes when it starts."""
    return frozenset(
        (name, value)
        for name, value in env.items()
        if name.startswith(READ_AT_START_UP) and name not in APPLIED_IN_CHILD
    )


def warm_up() -> None:
    """Import what the commands need, without computing anything (no thread pools yet).

    That is torch and torchvision, matplotlib (the loss curve) and every module of ganzoo;
    each command then loads its plugins afresh, from its own environment.
    """
    import matplotlib.pyplot  # noqa: F401
    import torch._dynamo  # noqa: F401  (what torch's optimisers import on first use)
    import torchvision  # noqa: F401

    import ganzoo
    from ganzoo import plugins

    for module in pkgutil.walk_packages(ganzoo.__path__, "ganzoo."):
        if not module.name.endswith("__main__"):
            with contextlib.suppress(ImportError):  # an optional extra that is not installed
                importlib.import_module(module.name)
    plugins.plugin_set()  # imports the plugins' modules ...
    plugins.reset()  # ... but each command loads its plugins afresh, from its environment


def become(request: dict[str, Any], output: Path) -> None:
    """In the forked child: turn into ``python -m ganzoo ARGS`` (does not return)."""
    os.setpgid(0, 0)  # the command and its children form one group, killed on a timeout
    null = os.open(os.devnull, os.O_RDONLY)
    stdout = os.open(output / "stdout", os.O_WRONLY | os.O_CREAT, 0o600)
    stderr = os.open(output / "stderr", os.O_WRONLY | os.O_CREAT, 0o600)
    for source, target in ((null, 0), (stdout, 1), (stderr, 2)):
        os.dup2(source, target)
        os.close(source)
    os.environ.clear()
    os.environ.update(request["env"])
    if "OMP_NUM_THREADS" in request["env"]:
        import torch

        torch.set_num_threads(int(request["env"]["OMP_NUM_THREADS"]))
    os.chdir(request["cwd"])
    sys.path[0] = request["cwd"]  # as ``python -m`` puts the working directory first
    sys.argv = ["ganzoo", *request["args"]]
    try:
        runpy.run_module("ganzoo", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exit:
        code = exit_code(exit)
    except BaseException:
        sys.excepthook(*sys.exc_info())  # the traceback, as the interpreter prints it
        code = 1
    exit_as_the_interpreter_does(code)


def exit_code(exit: SystemExit) -> int:
    """The status an interpreter exits with for ``exit`` (printing a message it carries)."""
    if exit.code is None or isinstance(exit.code, int):
        return exit.code or 0
    print(exit.code, file=sys.stderr)
    return 1


def exit_as_the_interpreter_does(code: int) -> None:
    """Join non-daemon threads, run atexit handlers, flush, and end the process.

    A fresh interpreter would also tear down every module; with torch imported that takes
    about a second and changes nothing a test can see, so the child skips it.
    """
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def wait(pid: int, timeout: float) -> tuple[int, bool]:
    """The child's exit code, killing its process group after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), False
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            return os.waitstatus_to_exitcode(status), True
        time.sleep(0.01)


def serve() -> None:
    """Answer requests on stdin until it closes.

    The child unwinds through this function when its command ends, so nothing here may
    clean up on the way out (no ``with`` blocks, no ``TemporaryDirectory`` finalizers): the
    parent alone removes each request's output folder.
    """
    reply = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever the warm-up prints goes to stderr, not into the replies
    warm_up()
    for line in sys.stdin:
        request = json.loads(line)
        output = Path(tempfile.mkdtemp(prefix="ganzoo-cli-"))
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            reply.close()
            become(request, output)
        code, timed_out = wait(pid, request["timeout"])
        read = {name: (output / name).read_text(errors="replace") for name in ("stdout", "stderr")}
        shutil.rmtree(output)
        reply.write(json.dumps({"code": code, "timed_out": timed_out, **read}) + "\n")
        reply.flush()


class Server:
    """A running warm server, started with one environment."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.cli_server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(env),
            cwd=Path(__file__).resolve().parents[1],
        )

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its reply."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError("the warm ganzoo server ended; its stderr is in the test output")
        result: dict[str, Any] = json.loads(answer)
        return result

    def close(self) -> None:
        """End the server: it finishes when its stdin closes."""
        self.process.communicate(timeout=60)


class Launcher:
    """Warm servers for this test process, one per set of start-up variables, made on use."""

    def __init__(self) -> None:
        self._servers: dict[frozenset[tuple[str, str]], Server] = {}

    def run(
        self, args: Sequence[str], env: Mapping[str, str], cwd: Path | None, timeout: float
    ) -> subprocess.CompletedProcess[str]:
        """Run ``python -m ganzoo ARGS`` with ``env`` in ``cwd``, forked from a warm server."""
        command = [sys.executable, "-m", "ganzoo", *args]
        if any(env.get(name) != os.environ.get(name) for name in FRESH_ONLY):
            return subprocess.run(
                command, capture_output=True, text=True, env=dict(env), cwd=cwd, timeout=timeout
            )
        request = {"args": list(args), "cwd": str(cwd or Path.cwd()), "env": dict(env)}
        result = self._server(env).run({**request, "timeout": timeout})
        if result["timed_out"]:
            raise subprocess.TimeoutExpired(command, timeout, result["stdout"], result["stderr"])
        return subprocess.CompletedProcess(
            command, result["code"], result["stdout"], result["stderr"]
        )

    def close(self) -> None:
        """End every server."""
        while self._servers:
            self._servers.pop(next(iter(self._servers))).close()

    def _server(self, env: Mapping[str, str]) -> Server:
        key = start_up_variables(env)
        server = self._servers.pop(key, None) or Server(env)
        self._servers[key] = server  # the most recently used last
        while len(self._servers) > SERVERS_KEPT:
            self._servers.pop(next(iter(self._servers))).close()
        return server


if __name__ == "__main__":
    serve()
