"""Choosing metrics for a dataset, running them, and saving the results."""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganzoo.data.spec import DataSpec
from ganzoo.errors import ConfigError, GanzooError
from ganzoo.evaluation.metric import EvalContext, Metric
from ganzoo.registry import Registry
from ganzoo.storage.layout import RunLayout

RESULTS_FILE = RunLayout(Path()).results.name
"""The name of the results file ``ganzoo eval`` writes into a run directory."""


@dataclass
class MetricPlan:
    """The metrics to run (built, by name) and the defaults left out, with why."""

    metrics: dict[str, Metric]
    skipped: dict[str, str] = field(default_factory=dict)


def default_metrics(dataset: str, spec: DataSpec, *, registry: Registry | None = None) -> list[str]:
    """Names of the metrics that apply to ``dataset``, the most specific ones only.

    Dataset-specific metrics win; generic metrics (``Metric.generic``, e.g. Inception
    features for any image) are chosen only where no specific metric applies.
    """
    specific, generic = applicable_metrics(dataset, spec, registry=registry)
    return specific or generic


def applicable_metrics(
    dataset: str, spec: DataSpec, *, registry: Registry | None = None
) -> tuple[list[str], list[str]]:
    """``(specific, generic)``: the names of the metrics that apply to ``dataset``."""
    registry = registry or _registry()
    specific: list[str] = []
    generic: list[str] = []
    for entry in registry.list(kind="metric"):
        try:
            metric = registry.build("metric", entry.name)
        except GanzooError:  # e.g. a metric with required settings cannot be a default
            continue
        if metric.applies_to(dataset, spec):
            (generic if metric.generic else specific).append(entry.name)
    return specific, generic


def plan_metrics(
    context: EvalContext,
    names: Sequence[str] | None = None,
    *,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    registry: Registry | None = None,
) -> MetricPlan:
    """Build the named metrics, or the defaults for the context's dataset.

    Named metrics that do not apply to the dataset are a :class:`ConfigError`. Default
    ones that are unavailable (:meth:`Metric.unavailable`) are skipped with a reason; when
    every specific metric declines, the generic ones run instead. No metric at all to run
    is a :class:`ConfigError` naming the reasons.
    """
    registry = registry or _registry()
    settings = _by_canonical_name(settings or {}, registry)
    plan = MetricPlan(metrics={})
    if names:
        for name in names:
            canonical = registry.get("metric", name).name
            metric: Metric = registry.build("metric", canonical, settings.get(canonical))
            if not metric.applies_to(context.dataset, context.spec):
                choices = default_metrics(context.dataset, context.spec, registry=registry)
                raise ConfigError(
                    f"metric {canonical!r} does not apply to dataset {context.dataset!r} "
                    f"({context.spec.describe()}); metrics that do: "
                    f"{', '.join(choices) or 'none is installed'}"
                )
            plan.metrics[canonical] = metric
        return _check_settings_used(plan, settings)
    for group in applicable_metrics(context.dataset, context.spec, registry=registry):
        for name in group:
            metric = registry.build("metric", name, settings.get(name))
            reason = metric.unavailable(context)
            if reason is None:
                plan.metrics[name] = metric
            else:
                plan.skipped[name] = reason
        if plan.metrics:
            break
    if not plan.metrics:
        reasons = "; ".join(f"{name}: {why}" for name, why in plan.skipped.items())
        raise ConfigError(
            f"no metric can evaluate dataset {context.dataset!r} ({context.spec.describe()}): "
            f"{reasons or 'no installed metric applies to it'}; install or write a metric "
            "plugin that does (see 'ganzoo list --kind metric')"
        )
    return _check_settings_used(plan, settings)


def _check_settings_used(plan: MetricPlan, settings: Mapping[str, Any]) -> MetricPlan:
    """Refuse settings for a metric the plan does not run: they would be ignored silently."""
    unused = sorted(set(settings) - set(plan.metrics))
    if unused:
        raise ConfigError(
            f"settings given for metric {unused[0]!r}, which this evaluation does not run "
            f"(it runs {', '.join(plan.metrics)}); name it with --metric {unused[0]}"
        )
    return plan


def _by_canonical_name(
    settings: Mapping[str, Mapping[str, Any]], registry: Registry
) -> dict[str, Mapping[str, Any]]:
    """Per-metric settings keyed by each metric's registered name (an alias resolves)."""
    return {registry.get("metric", name).name: values for name, values in settings.items()}


def evaluate(
    context: EvalContext,
    metric_names: Sequence[str] | MetricPlan | None = None,
    *,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    registry: Registry | None = None,
) -> dict[str, dict[str, float]]:
    """Run metrics on the context's run: ``{metric name: {number name: value}}``.

    Args:
        context: the run under evaluation.
        metric_names: metric names, a plan from :func:`plan_metrics`, or ``None`` for the
            defaults of the context's dataset (skipped defaults are logged).
        settings: per-metric settings, keyed by metric name.
        registry: the component registry; by default the loaded plugins'.
    """
    if isinstance(metric_names, MetricPlan):
        plan = metric_names
    else:
        plan = plan_metrics(context, metric_names, settings=settings, registry=registry)
    for name, reason in plan.skipped.items():
        context.log(f"skipping {name}: {reason}")
    results: dict[str, dict[str, float]] = {}
    for name, metric in plan.metrics.items():
        started = time.perf_counter()
        context.log(f"computing {name}")
        values = metric.compute(context)
        results[name] = {key: _to_float(name, key, value) for key, value in values.items()}
        if protocol := metric.protocol(context):
            context.protocols[name] = dict(protocol)
        context.log(f"{name} done in {time.perf_counter() - started:.1f}s")
    return results


def results_document(
    context: EvalContext, results: Mapping[str, Mapping[str, float]], **extra: Any
) -> dict[str, Any]:
    """The JSON document saved as ``eval.json``: results plus what they were computed on.

    ``protocols`` holds, per metric that reports one, the sample counts and the real
    split its numbers come from (:meth:`Metric.protocol`).
    """
    return {
        "dataset": context.dataset,
        "dataset_settings": dict(context.dataset_settings),
        "num_samples": context.num_samples,
        "seed": context.seed,
        **extra,
        "metrics": {name: dict(values) for name, values in results.items()},
        "protocols": {
            name: dict(context.protocols[name]) for name in results if name in context.protocols
        },
    }


def save_results(path: Path, document: Mapping[str, Any]) -> Path:
    """Write ``document`` as JSON to ``path`` (or ``path / eval.json`` for a directory)."""
    if path.is_dir():
        path = RunLayout(path).results
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")  # one per writer process
    partial.write_text(json.dumps(document, indent=2, allow_nan=False) + "\n")
    partial.replace(path)
    return path


def _to_float(metric: str, key: str, value: Any) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"metric {metric!r} returned a non-finite {key}: {number}")
    return number


def _registry() -> Registry:
    from ganzoo.plugins import plugin_set

    return plugin_set().registry
