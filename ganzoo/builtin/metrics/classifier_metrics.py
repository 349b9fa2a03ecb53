"""Metrics in the feature space of a digit classifier that ganzoo trains once per dataset."""

from __future__ import annotations

import torch

from ganzoo.builtin.metrics.settings import ClassifierMetricSettings
from ganzoo.data.spec import DataSpec
from ganzoo.evaluation import (
    ClassifierRequest,
    EvalContext,
    Metric,
    classifier_path,
    classify,
    frechet_distance_of,
    get_classifier,
    held_out_images,
    inception_score,
    kl_to_uniform,
    precision_recall,
    weights_digest,
)


def confident_share(probabilities: torch.Tensor, confidence: float = 0.9) -> float:
    """The share of rows of ``probabilities`` ``(N, K)`` whose largest entry is ≥ ``confidence``."""
    return (probabilities.max(dim=1).values >= confidence).double().mean().item()


class ClassifierMetrics(Metric):
    """Fréchet distance, precision / recall, class coverage, class KL and Inception Score.

    Returns ``fd``, ``precision``, ``recall`` (penultimate-layer features against the
    training data), ``classes_covered`` (classes predicted for at least one sample) of
    ``num_classes``, ``class_kl`` (KL of the predicted-class histogram to uniform),
    ``inception_score`` (the classifier's, one split), ``confident_share`` (samples given
    one class with probability at least ``confidence``) and ``real_confident_share`` (the
    same of the real images the classifier was scored on). For a conditional generator,
    ``label_agreement`` is the share of samples the classifier puts in the class G was given.

    Where the dataset has a test split, the floor a perfect generator would reach comes
    too: ``real_fd``, ``real_precision`` and ``real_recall`` of test images against the
    training images, and ``precision_to_real`` and ``recall_to_real``, ours over theirs.
    """

    def __init__(self, settings: ClassifierMetricSettings | None = None) -> None:
        self.settings = settings or ClassifierMetricSettings()

    def applies_to(self, dataset: str, spec: DataSpec) -> bool:
        return spec.is_image and dataset in self.settings.datasets

    def protocol(self, context: EvalContext) -> dict[str, str | int]:
        n = context.samples_for(self.settings.num_samples)
        size = context.real.size
        real = n if size is None else min(n, size)
        path = classifier_path(ClassifierRequest.for_context(context))
        digest = weights_digest(path) if path.is_file() else "not trained yet"
        return {
            "num_samples": n,
            "num_real": real,
            "split": context.real_split,
            "classifier": f"{path.stem} (weights sha256 {digest})",
        }

    def compute(self, context: EvalContext) -> dict[str, float]:
        request = ClassifierRequest.for_context(context)
        model, _ = get_classifier(request, device=context.device, log=context.log)
        n = context.samples_for(self.settings.num_samples)
        fake = classify(model, context.fake_samples(n))
        real = classify(model, context.real_samples(n))
        held_out, separate = held_out_images(request)
        other = classify(model, held_out[:n])
        quality = precision_recall(real.features, fake.features, k=self.settings.k)
        predicted = fake.probabilities.argmax(dim=1)
        counts = torch.bincount(predicted, minlength=model.num_classes)
        figures = {
            "fd": frechet_distance_of(real.features, fake.features),
            "precision": quality.precision,
            "recall": quality.recall,
            "classes_covered": float((counts > 0).sum()),
            "num_classes": float(model.num_classes),
            "class_kl": kl_to_uniform(counts),
            "inception_score": inception_score(fake.probabilities),
            "confident_share": confident_share(fake.probabilities, self.settings.confidence),
            "real_confident_share": confident_share(other.probabilities, self.settings.confidence),
        }
        if context.given_labels is not None:
            given = context.given_labels(n)
            figures["label_agreement"] = (predicted == given).double().mean().item()
        if separate and context.real_split != "test":
            floor = precision_recall(real.features, other.features, k=self.settings.k)
            figures |= {
                "real_fd": frechet_distance_of(real.features, other.features),
                "real_precision": floor.precision,
                "real_recall": floor.recall,
                "precision_to_real": quality.precision / max(floor.precision, 1e-12),
                "recall_to_real": quality.recall / max(floor.recall, 1e-12),
            }
        return figures
