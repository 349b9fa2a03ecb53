"""Errors that reach the user as one clear line and an exit code (2 for bad input)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class GanzooError(Exception):
    """A problem the user can fix: printed as one line, exit code 2, no traceback."""

    exit_code: int = 2


class UnknownComponentError(GanzooError, KeyError):
    """A name that no installed plugin registered."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        known = sorted(known)
        close = closest(name, known)
        hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
        listing = ", ".join(known) if known else "none installed"
        super().__init__(f"unknown {kind} {name!r}: {hint}available: {listing}")
        self.kind = kind
        self.name = name
        self.suggestions = close

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ConfigError(GanzooError):
    """An invalid run configuration, settings value or config file."""


class DataError(GanzooError):
    """A dataset that cannot be found, read or used."""


class WeightsError(GanzooError):
    """A weights or checkpoint file that cannot be read or does not fit."""


class PluginError(GanzooError):
    """A plugin that breaks the plugin contract (raised only in strict mode)."""


class MissingExtraError(GanzooError):
    """A component that needs an optional extra which is not installed."""


class StorageError(GanzooError):
    """A file that cannot be written: a full disk, a read-only folder."""


class DivergenceError(GanzooError):
    """Training produced a non-finite loss or weight; not an input error, so exit code 1."""

    exit_code = 1


def closest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Return up to ``n`` of ``choices`` that look like ``name``."""
    return difflib.get_close_matches(name, list(choices), n=n, cutoff=0.5)


def one_line(text: str, separator: str = " ") -> str:
    """A multi-line message on one line: its non-empty lines, stripped and joined."""
    return separator.join(line.strip() for line in text.splitlines() if line.strip())
