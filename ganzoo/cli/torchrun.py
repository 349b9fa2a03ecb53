"""torchrun for ``ganzoo run --nproc``, quiet about failures its workers report themselves.

A worker that meets a bad input prints one line and exits with code 2. torchrun would
then log the failure, print a traceback of its own and exit with 1; here it ends with the
first failed worker's exit code (128 + N for a worker killed by signal N) and prints
nothing more. Stopped by signal N itself (Ctrl-C, SIGTERM), after the workers have said
where they stopped, it ends with 128 + N, without torchrun's traceback.

Run as ``python -m ganzoo.cli.torchrun TORCHRUN-ARGS``.
"""

from __future__ import annotations

import logging
import sys


def main(argv: list[str]) -> int:
    """Run torchrun with ``argv``; the exit code of its first failed worker, or 0."""
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import main as torchrun

    logging.disable(logging.ERROR)  # torchrun's own log lines, in this process only
    try:
        torchrun(argv)
    except ChildFailedError as failed:
        _, failure = failed.get_first_failure()
        code = failure.exitcode
        return code if code > 0 else 128 - code
    except SignalException as stopped:  # Ctrl-C or SIGTERM: the workers said where they stopped
        return 128 + int(stopped.sigval)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
