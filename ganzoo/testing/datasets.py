"""The dataset contract, checked: spec, dtype, range, labels, determinism, resuming."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from ganzoo.data.source import Batch, DataContext, DataSource
from ganzoo.data.spec import DataSpec
from ganzoo.registry import Entry, Registry
from ganzoo.testing.contract import Checker

BATCH = 8
BATCHES = 3


def check_dataset(
    entry: Entry,
    registry: Registry,
    settings: Mapping[str, Any] | None,
    data_root: Path | None,
) -> list[str]:
    check = Checker(entry)
    with tempfile.TemporaryDirectory() as cache:
        context = DataContext(data_root=data_root, cache_dir=Path(cache), download=False)
        source = registry.build("dataset", entry.name, settings, context)
        check.that(
            isinstance(source, DataSource),
            "builds a DataSource",
            f"got {type(source).__name__}, not ganzoo.data.DataSource",
        )
        _check_spec(check, source.spec)
        size = source.size
        check.that(
            size is None or (isinstance(size, int) and size > 0),
            "size is None or positive",
            f"size is {size!r}",
        )
        batch_size = BATCH if size is None else min(BATCH, size)
        device = torch.device("cpu")
        first = _take(source.batches(batch_size, seed=0, device=device), BATCHES)
        for index, batch in enumerate(first):
            _check_batch(check, source.spec, batch, batch_size, index)
        again = _take(source.batches(batch_size, seed=0, device=device), BATCHES)
        check.that(
            all(_same(a, b) for a, b in zip(first, again, strict=True)),
            "batch i depends only on (seed, i)",
            "two passes with seed 0 gave different batches",
        )
        resumed = _take(source.batches(batch_size, seed=0, device=device, start=2), 1)[0]
        check.that(
            _same(resumed, first[2]),
            "batches(start=i) begins with batch i",
            "batches(start=2) did not begin with the third batch of batches(start=0)",
        )
        if size is None or size > batch_size:
            other = _take(source.batches(batch_size, seed=1, device=device), BATCHES)
            check.that(
                not all(_same(a, b) for a, b in zip(first, other, strict=True)),
                "the seed changes the batches",
                "seeds 0 and 1 gave the same batches",
            )
    return check.checked


def _check_spec(check: Checker, spec: Any) -> None:
    check.that(isinstance(spec, DataSpec), "spec is a DataSpec", f"spec is {spec!r}")
    check.that(
        len(spec.shape) in (1, 3) and all(isinstance(s, int) and s > 0 for s in spec.shape),
        "spec.shape is (D,) or (C, H, W)",
        f"spec.shape is {spec.shape!r}",
    )
    low, high = spec.value_range
    check.that(low < high, "spec.value_range is (low, high)", f"it is {spec.value_range!r}")
    check.that(
        spec.num_classes is None or spec.num_classes >= 1,
        "spec.num_classes is None or positive",
        f"it is {spec.num_classes!r}",
    )


def _check_batch(check: Checker, spec: DataSpec, batch: Any, size: int, index: int) -> None:
    where = f"batch {index}"
    check.that(
        isinstance(batch, Batch), "yields Batch(x, labels)", f"{where} is {type(batch).__name__}"
    )
    check.that(
        batch.x.dtype == torch.float32,
        "examples are float32",
        f"{where} holds {batch.x.dtype}",
    )
    check.shape(batch.x, (size, *spec.shape), "examples have the spec's shape")
    check.finite(batch.x, "examples are finite")
    check.within(batch.x, *spec.value_range, "examples lie in spec.value_range")
    if spec.num_classes:
        labels = batch.labels
        check.that(
            labels is not None and labels.dtype == torch.int64 and labels.shape == (size,),
            "labels are int64 of shape (N,)",
            f"{where} labels are {None if labels is None else (labels.dtype, tuple(labels.shape))}",
        )
        assert labels is not None
        check.that(
            int(labels.min()) >= 0 and int(labels.max()) < spec.num_classes,
            "labels lie in [0, num_classes)",
            f"{where} labels span [{int(labels.min())}, {int(labels.max())}] "
            f"with {spec.num_classes} classes",
        )
    else:
        check.that(
            batch.labels is None,
            "no labels without classes",
            f"{where} has labels but spec.num_classes is None",
        )


def _take(batches: Any, count: int) -> list[Batch]:
    found = []
    for batch in batches:
        found.append(batch)
        if len(found) == count:
            break
    return found


def _same(a: Batch, b: Batch) -> bool:
    if not torch.equal(a.x, b.x):
        return False
    if a.labels is None or b.labels is None:
        return a.labels is None and b.labels is None
    return torch.equal(a.labels, b.labels)
