"""Fixtures of the evaluation tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def classifier_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory shared by the tests of one session, so each classifier trains once."""
    return tmp_path_factory.mktemp("ganzoo-cache")
