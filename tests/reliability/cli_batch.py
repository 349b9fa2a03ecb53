"""Run many ``ganzoo`` command lines, each in its own forked process, after one warm-up.

Usage: ``python cli_batch.py CASES.json RESULTS.json``. Each case is
``{"args": [...], "cwd": "..."}``; each result is ``{"code", "stdout", "stderr"}``.

The parent imports ganzoo, torch and the plugins once; every case then runs in a
child process forked from it, with its own stdout, stderr, working directory and
exit status, exactly as ``python -m ganzoo ARGS`` would (an uncaught exception
prints its traceback and exits 1, as the interpreter does).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from pathlib import Path


def warm_up() -> None:
    """Import what every command needs, so the children start at once."""
    import torch  # noqa: F401

    import ganzoo.cli.app  # noqa: F401
    from ganzoo.plugins import plugin_set

    plugin_set()


def run_case(args: list[str], cwd: str) -> int:
    """In a forked child: run one command line; return its exit status."""
    from ganzoo.cli.app import run_app

    os.chdir(cwd)
    sys.argv = ["ganzoo", *args]
    try:
        run_app(args)
    except SystemExit as exit:
        if exit.code is None or isinstance(exit.code, int):
            return exit.code or 0
        print(exit.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def fork_case(case: dict[str, object], scratch: Path, index: int) -> dict[str, object]:
    """Run ``case`` in a child process with its output captured into files."""
    out, err = scratch / f"{index}.out", scratch / f"{index}.err"
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            with open(out, "wb") as stdout, open(err, "wb") as stderr:
                os.dup2(stdout.fileno(), 1)
                os.dup2(stderr.fileno(), 2)
                code = run_case(list(case["args"]), str(case["cwd"]))  # type: ignore[call-overload]
                sys.stdout.flush()
                sys.stderr.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return {
        "code": os.waitstatus_to_exitcode(status),
        "stdout": out.read_text(errors="replace"),
        "stderr": err.read_text(errors="replace"),
    }


def main() -> None:
    cases = json.loads(Path(sys.argv[1]).read_text())
    warm_up()
    with tempfile.TemporaryDirectory() as scratch:
        results = [fork_case(case, Path(scratch), i) for i, case in enumerate(cases)]
    Path(sys.argv[2]).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
