"""Metrics in the feature space of a digit classifier that ganzoo trains once per dataset."""

from __future__ import annotations

import torch

from ganzoo.builtin.metrics.settings import ClassifierMetricSettings
from ganzoo.data.spec import DataSpec
from ganzoo.evaluation.classifier import classify
from ganzoo.evaluation.classifier_store import ClassifierRequest, get_classifier
from ganzoo.evaluation.distributions import inception_score, kl_to_uniform
from ganzoo.evaluation.frechet import frechet_distance_of
from ganzoo.evaluation.metric import EvalContext, Metric
from ganzoo.evaluation.precision_recall import precision_recall


class ClassifierMetrics(Metric):
    """Fréchet distance, precision / recall, class coverage, class KL and Inception Score.

    Returns ``fd``, ``precision``, ``recall`` (penultimate-layer features against the
    training data), ``classes_covered`` (classes predicted for at least one sample) of
    ``num_classes``, ``class_kl`` (KL of the predicted-class histogram to uniform) and
    ``inception_score`` (the classifier's, one split).
    """

    def __init__(self, settings: ClassifierMetricSettings | None = None) -> None:
        self.settings = settings or ClassifierMetricSettings()

    def applies_to(self, dataset: str, spec: DataSpec) -> bool:
        return spec.is_image and dataset in self.settings.datasets

    def protocol(self, context: EvalContext) -> dict[str, str | int]:
        n = context.samples_for(self.settings.num_samples)
        size = context.real.size
        real = n if size is None else min(n, size)
        return {"num_samples": n, "num_real": real, "split": context.real_split}

    def compute(self, context: EvalContext) -> dict[str, float]:
        model, _ = get_classifier(
            ClassifierRequest.for_context(context), device=context.device, log=context.log
        )
        n = context.samples_for(self.settings.num_samples)
        fake = classify(model, context.fake_samples(n))
        real = classify(model, context.real_samples(n))
        quality = precision_recall(real.features, fake.features, k=self.settings.k)
        predicted = fake.probabilities.argmax(dim=1)
        counts = torch.bincount(predicted, minlength=model.num_classes)
        return {
            "fd": frechet_distance_of(real.features, fake.features),
            "precision": quality.precision,
            "recall": quality.recall,
            "classes_covered": float((counts > 0).sum()),
            "num_classes": float(model.num_classes),
            "class_kl": kl_to_uniform(counts),
            "inception_score": inception_score(fake.probabilities),
        }
