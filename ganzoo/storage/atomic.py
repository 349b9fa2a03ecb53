"""Write files so that a crash at any moment leaves either the old or the new file."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import threading
from pathlib import Path
from typing import BinaryIO

from ganzoo.errors import StorageError

TEMPORARY_MARK = ".tmp-"
"""Temporary files are named ``.<name>.tmp-<pid>-<n>`` beside their target."""

_FULL = {errno.ENOSPC, errno.EDQUOT}
_counter = itertools.count()
_counter_lock = threading.Lock()


def temporary_path(path: Path) -> Path:
    """A fresh temporary name beside ``path``, unique to this process and call."""
    with _counter_lock:
        number = next(_counter)
    return path.with_name(f".{path.name}{TEMPORARY_MARK}{os.getpid()}-{number}")


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it over ``path``.

    With ``durable=False`` nothing is fsynced: a reader still sees the old content or the
    new, but a power cut may lose the newest write (for files rewritten often, like a
    heartbeat, where that costs nothing).

    Whatever happens (a full disk, a signal, a crash), ``path`` holds either its old
    content or ``data``, never a mix. Failures are a one-line :class:`StorageError`.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _storage_error(path, error) from None
    try:
        handle, temporary = _create_temporary(path)
    except OSError as error:
        raise _storage_error(path, error) from None
    try:
        with handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        _discard(temporary)
        raise _storage_error(path, error) from None
    except BaseException:  # a second Ctrl-C while writing: leave no half-written file
        _discard(temporary)
        raise
    if durable:
        fsync_directory(path.parent)


def _create_temporary(path: Path) -> tuple[BinaryIO, Path]:
    """Open a new temporary file exclusively (never through a link someone left there)."""
    for _ in range(100):
        temporary = temporary_path(path)
        try:
            return open(temporary, "xb"), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def _storage_error(path: Path, error: OSError) -> StorageError:
    if error.errno in _FULL:
        return StorageError(
            f"disk full while writing {path} ({error.strerror}): free some space and try "
            "again; files written before are intact"
        )
    if error.errno == errno.EFBIG:
        return StorageError(
            f"file size limit reached while writing {path}: raise the limit (ulimit -f) or "
            "write elsewhere; files written before are intact"
        )
    return StorageError(f"cannot write {path}: {error.strerror or error}")


def _discard(temporary: Path) -> None:
    with contextlib.suppress(OSError):
        temporary.unlink(missing_ok=True)


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories cannot be opened)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Delete temporary files that a killed process left in ``directory``; return them.

    Only files named by :func:`temporary_path` whose process is gone are removed.
    """
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for candidate in directory.iterdir():
        pid = _owner(candidate.name)
        if pid is None or _alive(pid):
            continue
        _discard(candidate)
        removed.append(candidate)
    return removed


def _owner(name: str) -> int | None:
    if not name.startswith(".") or TEMPORARY_MARK not in name:
        return None
    owner = name.rpartition(TEMPORARY_MARK)[2].partition("-")[0]
    return int(owner) if owner.isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
