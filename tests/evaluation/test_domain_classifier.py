"""The domain classifier: model, training, safetensors cache, and accuracy on real datasets."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import torch
from eval_helpers import TrainedClassifier
from safetensors import safe_open

from ganzoo.errors import WeightsError
from ganzoo.evaluation.classifier import (
    FEATURE_DIM,
    DomainClassifier,
    TrainingRecipe,
    accuracy,
    classify,
    load_classifier,
    save_classifier,
    train_classifier,
)
from ganzoo.evaluation.classifier_store import ClassifierRequest, classifier_path, get_classifier


def _bars(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 images of a bright bar: horizontal (class 0) or vertical (class 1)."""
    stream = torch.Generator().manual_seed(seed)
    labels = torch.randint(2, (n,), generator=stream)
    images = torch.randint(0, 60, (n, 1, 16, 16), generator=stream, dtype=torch.uint8)
    position = torch.randint(2, 14, (n,), generator=stream)
    for i in range(n):
        if labels[i] == 0:
            images[i, 0, position[i], :] = 255
        else:
            images[i, 0, :, position[i]] = 255
    return images, labels


def test_model_gives_features_and_probabilities_for_any_image_size() -> None:
    model = DomainClassifier(in_channels=3, num_classes=7)
    for size in (16, 28, 32):
        out = classify(model, torch.rand(5, 3, size, size) * 2 - 1)
        assert out.features.shape == (5, FEATURE_DIM)
        assert out.probabilities.shape == (5, 7)
        assert torch.allclose(out.probabilities.sum(dim=1), torch.ones(5))


def test_training_learns_an_easy_task_and_round_trips_through_safetensors(tmp_path: Path) -> None:
    images, labels = _bars(256)
    model = train_classifier(images, labels, 2, TrainingRecipe(epochs=3, batch_size=32))
    test_images, test_labels = _bars(200, seed=1)
    assert accuracy(model, test_images, test_labels) >= 0.95

    path = tmp_path / "bars.safetensors"
    save_classifier(model, path, {"dataset": "bars"})
    with safe_open(str(path), framework="pt") as handle:  # a plain safetensors file, no pickle
        assert handle.metadata()["dataset"] == "bars"
    loaded, metadata = load_classifier(path)
    assert metadata["format"] == "ganzoo-domain-classifier"
    assert metadata["num_classes"] == "2"
    expected = classify(model, test_images[:20]).probabilities
    assert torch.allclose(classify(loaded, test_images[:20]).probabilities, expected, atol=1e-6)


def test_an_unreadable_classifier_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.safetensors"
    path.write_bytes(b"not a safetensors file")
    with pytest.raises(WeightsError, match="delete it to retrain"):
        load_classifier(path)


def test_cache_key_ignores_the_split_but_not_other_settings(tmp_path: Path) -> None:
    def path(settings: dict[str, object]) -> Path:
        return classifier_path(ClassifierRequest("mnist", settings, None, tmp_path))

    assert path({}) == path({"split": "train"}) == path({"split": "test", "image_size": 28})
    assert path({"image_size": 32}) != path({})
    assert path({}).parent == tmp_path / "classifiers"
    assert path({}).name.startswith("mnist-")


def test_digits_classifier_is_trained_once_and_cached(classifier_cache: Path) -> None:
    request = ClassifierRequest("digits", {}, None, classifier_cache)
    started = time.perf_counter()
    model, metadata = get_classifier(request)
    assert metadata["scored_on"] == "20% held out"
    assert int(metadata["train_examples"]) + int(metadata["test_examples"]) == 1797
    assert float(metadata["test_accuracy"]) >= 0.95
    path = classifier_path(request)
    assert path.is_file()
    modified = path.stat().st_mtime_ns
    again, _ = get_classifier(request)  # from the cache this time
    assert path.stat().st_mtime_ns == modified
    assert time.perf_counter() - started < 300
    probe = torch.rand(4, 1, 28, 28) * 2 - 1
    assert torch.allclose(classify(model, probe).features, classify(again, probe).features)


@pytest.mark.slow
def test_mnist_classifier_reaches_98_percent_and_leaves_the_data_untouched(
    mnist_classifier: TrainedClassifier,
) -> None:
    metadata = mnist_classifier.metadata
    assert metadata["scored_on"] == "test split"
    assert int(metadata["train_examples"]) == 60000
    assert int(metadata["test_examples"]) == 10000
    assert float(metadata["test_accuracy"]) >= 0.98, metadata
    assert mnist_classifier.data_unchanged
    print(
        f"MNIST classifier: {metadata['test_accuracy']} test accuracy, "
        f"{mnist_classifier.seconds:.0f}s on {os.cpu_count()} CPUs"
    )
