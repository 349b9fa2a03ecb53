"""Distributed tests: real processes started by torchrun, gloo on CPU, one thread each."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="module")
def single_threaded(one_thread: None) -> None:
    """Single-process reference runs on one thread, as the workers are."""
