"""KL to uniform and the Inception Score on distributions with known answers."""

from __future__ import annotations

import math

import pytest
import torch

from ganzoo.evaluation.distributions import inception_score, kl_to_uniform


def test_uniform_histogram_has_zero_kl() -> None:
    assert kl_to_uniform(torch.full((25,), 100)) == pytest.approx(0.0, abs=1e-12)


def test_collapsed_and_empty_histograms_score_log_k() -> None:
    collapsed = torch.zeros(25, dtype=torch.long)
    collapsed[3] = 2500
    assert kl_to_uniform(collapsed) == pytest.approx(math.log(25))
    assert kl_to_uniform(torch.zeros(25)) == pytest.approx(math.log(25))


def test_kl_of_a_known_histogram() -> None:
    # p = (1/2, 1/2, 0, 0) against uniform over 4: KL = log 2.
    assert kl_to_uniform(torch.tensor([5, 5, 0, 0])) == pytest.approx(math.log(2))


def test_confident_balanced_classifier_scores_the_number_of_classes() -> None:
    probs = torch.eye(10).repeat(50, 1)  # each class predicted with certainty, equally often
    assert inception_score(probs) == pytest.approx(10.0)
    assert inception_score(probs, splits=5) == pytest.approx(10.0)


def test_uncertain_or_collapsed_predictions_score_one() -> None:
    assert inception_score(torch.full((100, 10), 0.1)) == pytest.approx(1.0)
    one_class = torch.zeros(100, 10)
    one_class[:, 2] = 1.0
    assert inception_score(one_class) == pytest.approx(1.0)
