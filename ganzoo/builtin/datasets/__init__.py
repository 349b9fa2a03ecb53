"""Built-in datasets (registration only; implementations are imported on first use)."""

from __future__ import annotations

from ganzoo.plugins.loading import Registrar


def register_builtin(register: Registrar) -> None:
    """Register ganzoo's built-in datasets."""
