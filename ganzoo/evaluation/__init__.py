"""Evaluation: the metric contract and the engine that runs metrics on a trained generator.

Importing this package is cheap; torch is imported when a name below is first used.

- :class:`Metric`, :class:`EvalContext`: the contract metric plugins implement / receive.
- :func:`evaluate`, :func:`plan_metrics`, :func:`default_metrics`: choosing and running.
- :func:`results_document`, :func:`save_results`: the ``eval.json`` file.
- :func:`generator_sampler`: a deterministic ``generate(n)`` from a generator network.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers; at run time these load on first use
    from ganzoo.evaluation.metric import EvalContext, Metric
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
    "EvalContext",
    "Metric",
    "MetricPlan",
    "default_metrics",
    "evaluate",
    "generator_sampler",
    "plan_metrics",
    "results_document",
    "save_results",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
