"""The classifier metrics end to end on real datasets: true data scores well, collapse badly."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from eval_helpers import SHARED_DATA, TrainedClassifier, from_tensor, make_context

from ganzoo.data.source import DataContext
from ganzoo.evaluation import evaluate
from ganzoo.plugins import plugin_set


def _source(dataset: str, cache: Path, data_root: Path | None = None):  # type: ignore[no-untyped-def]
    context = DataContext(data_root=data_root, cache_dir=cache, download=False)
    return plugin_set().registry.build("dataset", dataset, {}, context)


def test_classifier_metrics_on_digits(classifier_cache: Path) -> None:
    source = _source("digits", classifier_cache)
    real = source.sample(source.size, seed=5, device=torch.device("cpu")).x

    def context_for(samples: torch.Tensor):  # type: ignore[no-untyped-def]
        return make_context(
            from_tensor(samples), source, "digits", classifier_cache, num_samples=1000
        )

    good = evaluate(context_for(real))["classifier-fd"]
    assert set(good) == {
        "fd", "precision", "recall", "classes_covered", "num_classes", "class_kl",
        "inception_score", "confident_share", "real_confident_share",
    }  # fmt: skip
    # digits has no test split, so no real-vs-real floor
    assert good["confident_share"] > 0.8 and good["real_confident_share"] > 0.8
    assert good["classes_covered"] == good["num_classes"] == 10
    assert good["class_kl"] < 0.02
    assert good["inception_score"] > 8.5
    assert good["precision"] > 0.9 and good["recall"] > 0.9

    collapsed = evaluate(context_for(real[:1]))["classifier-fd"]
    assert collapsed["classes_covered"] == 1
    assert collapsed["class_kl"] == pytest.approx(math.log(10))
    assert collapsed["inception_score"] == pytest.approx(1.0)
    assert collapsed["recall"] < 0.05
    assert collapsed["fd"] > 10 * good["fd"] + 1
    assert collapsed["confident_share"] in (0.0, 1.0)  # one image, repeated


def test_label_agreement_scores_a_conditional_generator_against_the_classes_it_was_given(
    classifier_cache: Path,
) -> None:
    source = _source("digits", classifier_cache)
    batch = source.sample(1000, seed=5, device=torch.device("cpu"))
    assert batch.labels is not None

    def agreement(given: torch.Tensor) -> float:
        context = make_context(
            from_tensor(batch.x), source, "digits", classifier_cache, num_samples=1000,
            given_labels=lambda n: given[:n],
        )  # fmt: skip
        return evaluate(context, ["classifier-fd"])["classifier-fd"]["label_agreement"]

    # the real digits with their own labels, as from a generator that draws what it is given
    assert agreement(batch.labels) > 0.9
    # the same images, each said to have been asked for as the next class
    assert agreement((batch.labels + 1) % 10) < 0.1


def test_confident_share_counts_rows_whose_top_class_reaches_the_threshold() -> None:
    from ganzoo.builtin.metrics.classifier_metrics import confident_share

    probabilities = torch.tensor([[0.95, 0.05], [0.9, 0.1], [0.6, 0.4], [0.3, 0.7]])
    assert confident_share(probabilities) == 0.5
    assert confident_share(probabilities, confidence=0.65) == 0.75


@pytest.mark.slow
def test_mnist_classifier_metrics_give_the_real_vs_real_floor(
    classifier_cache: Path, mnist_classifier: TrainedClassifier
) -> None:
    source = _source("mnist", classifier_cache, SHARED_DATA)
    real = source.sample(2000, seed=7, device=torch.device("cpu")).x
    context = make_context(from_tensor(real), source, "mnist", classifier_cache,
                           data_root=SHARED_DATA, num_samples=2000)  # fmt: skip
    figures = evaluate(context, ["classifier-fd"])["classifier-fd"]
    # the test images against the training images: what a perfect generator would score
    assert figures["real_precision"] > 0.7 and figures["real_recall"] > 0.7
    assert figures["real_fd"] < 20 and figures["real_confident_share"] > 0.9  # FD: 2,000 a side
    # training images as the "samples" are as good as the floor, within sampling noise
    assert figures["precision_to_real"] == pytest.approx(1.0, abs=0.05)
    assert figures["recall_to_real"] == pytest.approx(1.0, abs=0.05)
    assert figures["confident_share"] > 0.9
    protocol = context.protocols["classifier-fd"]
    assert "weights sha256 " in str(protocol["classifier"])


@pytest.mark.slow
def test_stacked_mnist_modes(classifier_cache: Path, mnist_classifier: TrainedClassifier) -> None:
    source = _source("stacked-mnist", classifier_cache, SHARED_DATA)
    real = source.sample(26000, seed=3, device=torch.device("cpu")).x
    context = make_context(
        from_tensor(real), source, "stacked-mnist", classifier_cache, data_root=SHARED_DATA
    )
    good = evaluate(context)["stacked-mnist-modes"]
    assert good["num_modes"] == 1000
    assert good["modes_covered"] >= 990
    assert good["reverse_kl"] < 0.1

    context = make_context(
        from_tensor(real[:1]),
        source,
        "stacked-mnist",
        classifier_cache,
        data_root=SHARED_DATA,
        num_samples=1000,
    )
    collapsed = evaluate(context, ["stacked-mnist-modes"])["stacked-mnist-modes"]
    assert collapsed["modes_covered"] == 1
    assert collapsed["reverse_kl"] == pytest.approx(math.log(1000))
