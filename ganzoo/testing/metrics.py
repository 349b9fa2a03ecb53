"""The metric contract, checked: snake_case finite numbers, declared keys, determinism."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch

from ganzoo.data.source import DataSource
from ganzoo.data.spec import DataSpec
from ganzoo.data.tensors import TensorSource
from ganzoo.evaluation.metric import EvalContext, Metric
from ganzoo.registry import Entry, Registry
from ganzoo.testing.contract import Checker

SYNTHETIC_SPECS = (DataSpec((2,), (-2.0, 2.0)), DataSpec((1, 28, 28)), DataSpec((3, 32, 32)))
"""The data a metric is tried on when the check names no dataset."""
SAMPLES = 64
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")


def check_metric(
    entry: Entry,
    registry: Registry,
    settings: Mapping[str, Any] | None,
    dataset: str | None,
    data_root: Path | None,
) -> list[str]:
    check = Checker(entry)
    metric = registry.build("metric", entry.name, settings)
    check.that(
        isinstance(metric, Metric),
        "builds a Metric",
        f"got {type(metric).__name__}, not ganzoo.evaluation.Metric",
    )
    with tempfile.TemporaryDirectory() as cache:
        make_context = _contexts(check, metric, registry, dataset, data_root, Path(cache))
        context = make_context()
        reason = metric.unavailable(context)
        if reason is not None:
            raise check.fail(
                f"runs on {context.dataset} data",
                f"it declined: {reason}; pass dataset= to check it on data it takes",
            )
        first = _numbers(check, metric.compute(context))
        second = _numbers(check, metric.compute(make_context()))
    check.that(
        first == second,
        "the same numbers for the same seed",
        f"two evaluations with seed 0 gave {first} and {second}",
    )
    if metric.keys:
        check.that(
            set(first) == set(metric.keys),
            "returns its declared keys",
            f"declared {sorted(metric.keys)}, returned {sorted(first)}",
        )
    return check.checked


def _contexts(
    check: Checker,
    metric: Metric,
    registry: Registry,
    dataset: str | None,
    data_root: Path | None,
    cache: Path,
) -> Callable[[], EvalContext]:
    """A maker of fresh contexts over a named dataset, or synthetic data the metric takes."""
    if dataset is not None:
        from ganzoo.data.context import default_context

        data_context = default_context(data_root, download=False)
        source: DataSource = registry.build("dataset", dataset, None, data_context)
        check.that(
            metric.applies_to(dataset, source.spec),
            f"applies to {dataset}",
            f"applies_to({dataset!r}, {source.spec.describe()}) is False",
        )
        return lambda: _context(source, dataset, cache, data_context.data_root)
    for spec in SYNTHETIC_SPECS:
        applies = metric.applies_to("synthetic", spec)
        check.that(
            isinstance(applies, bool),
            "applies_to returns a bool",
            f"applies_to returned {applies!r}",
        )
        if applies:
            low, high = spec.value_range
            data = torch.rand(256, *spec.shape, generator=torch.Generator().manual_seed(1))
            synthetic = TensorSource(data * (high - low) + low, value_range=spec.value_range)
            return lambda: _context(synthetic, "synthetic", cache, data_root)
    raise check.fail(
        "applies to some data",
        "it applies to none of "
        + "; ".join(s.describe() for s in SYNTHETIC_SPECS)
        + "; pass dataset= to check it on a registered dataset",
    )


def _context(source: DataSource, dataset: str, cache: Path, data_root: Path | None) -> EvalContext:
    spec = source.spec
    low, high = spec.value_range

    def generate(n: int) -> torch.Tensor:
        noise = torch.rand(n, *spec.shape, generator=torch.Generator().manual_seed(2))
        return noise * (high - low) + low

    return EvalContext(
        generate=generate,
        real=source,
        dataset=dataset,
        spec=spec,
        num_samples=SAMPLES,
        cache_dir=cache,
        data_root=data_root,
        download=False,
        seed=0,
    )


def _numbers(check: Checker, values: Any) -> dict[str, float]:
    check.that(
        isinstance(values, dict) and len(values) > 0,
        "compute returns a non-empty dict",
        f"compute returned {values!r}",
    )
    numbers = {}
    for key, value in values.items():
        check.that(
            isinstance(key, str) and bool(SNAKE_CASE.match(key)),
            "keys are snake_case",
            f"key {key!r} is not snake_case",
        )
        numbers[key] = check.number(value, f"{key!r} is a finite number")
    return numbers
