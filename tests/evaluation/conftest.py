"""Fixtures of the evaluation tests: a session cache, and the MNIST classifier trained once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from eval_helpers import SHARED_DATA, TrainedClassifier

from ganzoo.evaluation.classifier_store import ClassifierRequest, get_classifier


@pytest.fixture(scope="session")
def classifier_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory shared by the tests of one session, so each classifier trains once."""
    return tmp_path_factory.mktemp("ganzoo-cache")


@pytest.fixture(scope="session")
def mnist_classifier(classifier_cache: Path) -> TrainedClassifier:
    """The MNIST classifier, trained from the shared files into the session cache."""
    if not SHARED_DATA.is_dir():
        pytest.skip("needs the shared MNIST files")
    before = _snapshot(SHARED_DATA)
    request = ClassifierRequest("mnist", {}, SHARED_DATA, classifier_cache, download=False)
    started = time.perf_counter()
    _, metadata = get_classifier(request)
    seconds = time.perf_counter() - started
    return TrainedClassifier(metadata, seconds, _snapshot(SHARED_DATA) == before)


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
    }
