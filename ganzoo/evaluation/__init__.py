"""Evaluation: the metric contract and the engine that runs metrics on a trained generator.

Importing this package is cheap; torch is imported when a name below is first used.

- :class:`Metric`, :class:`EvalContext`: the contract metric plugins implement / receive.
- :func:`evaluate`, :func:`plan_metrics`, :func:`default_metrics`: choosing and running.
- :func:`results_document`, :func:`save_results`: the ``eval.json`` file.
- :func:`generator_sampler`: a deterministic ``generate(n)`` from a generator network.
- Building blocks of ganzoo's own metrics, for metric plugins to use alike:
  :func:`frechet_distance_of`, :func:`inception_score`, :func:`kl_to_uniform`,
  :func:`precision_recall`, :func:`mode_coverage`; a domain classifier
  (:class:`DomainClassifier`, :func:`classify`) trained once and cached
  (:class:`ClassifierRequest`, :func:`get_classifier`, :func:`classifier_path`,
  :func:`weights_digest`, :func:`held_out_images`). TF-Inception features are in
  :mod:`ganzoo.evaluation.fidelity`, its weights in :mod:`ganzoo.evaluation.inception_weights`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers; at run time these load on first use
    from ganzoo.evaluation.classifier import DomainClassifier, classify
    from ganzoo.evaluation.classifier_store import (
        ClassifierRequest,
        classifier_path,
        get_classifier,
        held_out_images,
        weights_digest,
    )
    from ganzoo.evaluation.distributions import inception_score, kl_to_uniform
    from ganzoo.evaluation.frechet import frechet_distance_of
    from ganzoo.evaluation.manifolds import precision_recall
    from ganzoo.evaluation.metric import EvalContext, Metric
    from ganzoo.evaluation.mixtures import mode_coverage
    from ganzoo.evaluation.run import (
        RESULTS_FILE,
        MetricPlan,
        default_metrics,
        evaluate,
        plan_metrics,
        results_document,
        save_results,
    )
    from ganzoo.evaluation.sampling import generator_sampler

_EXPORTS = {
    "ClassifierRequest": "ganzoo.evaluation.classifier_store",
    "classifier_path": "ganzoo.evaluation.classifier_store",
    "held_out_images": "ganzoo.evaluation.classifier_store",
    "weights_digest": "ganzoo.evaluation.classifier_store",
    "DomainClassifier": "ganzoo.evaluation.classifier",
    "classify": "ganzoo.evaluation.classifier",
    "frechet_distance_of": "ganzoo.evaluation.frechet",
    "get_classifier": "ganzoo.evaluation.classifier_store",
    "inception_score": "ganzoo.evaluation.distributions",
    "kl_to_uniform": "ganzoo.evaluation.distributions",
    "mode_coverage": "ganzoo.evaluation.mixtures",
    "precision_recall": "ganzoo.evaluation.manifolds",
    "EvalContext": "ganzoo.evaluation.metric",
    "Metric": "ganzoo.evaluation.metric",
    "MetricPlan": "ganzoo.evaluation.run",
    "RESULTS_FILE": "ganzoo.evaluation.run",
    "default_metrics": "ganzoo.evaluation.run",
    "evaluate": "ganzoo.evaluation.run",
    "plan_metrics": "ganzoo.evaluation.run",
    "results_document": "ganzoo.evaluation.run",
    "save_results": "ganzoo.evaluation.run",
    "generator_sampler": "ganzoo.evaluation.sampling",
}

__all__ = [
    "RESULTS_FILE",
    "ClassifierRequest",
    "DomainClassifier",
    "EvalContext",
    "Metric",
    "MetricPlan",
    "classifier_path",
    "classify",
    "default_metrics",
    "evaluate",
    "frechet_distance_of",
    "generator_sampler",
    "get_classifier",
    "held_out_images",
    "inception_score",
    "kl_to_uniform",
    "mode_coverage",
    "plan_metrics",
    "precision_recall",
    "results_document",
    "save_results",
    "weights_digest",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
