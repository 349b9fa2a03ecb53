"""Contract checks for a plugin's own tests: ``check_component("architecture", "my-arch")``.

Each kind is checked for what ganzoo relies on (see the contract pages of the docs):

- architecture: output shapes and range, finite logits, class labels, packing, and
  weights that rebuild from their safetensors file alone;
- loss: finite values, gradients reaching the right network, settings that round-trip;
- dataset: spec, dtype, range, labels, batch ``i`` fixed by ``(seed, i)``, resuming at a batch;
- metric: snake_case finite numbers, its declared keys, the same numbers for the same seed.

A breach raises :class:`ContractViolation` (an ``AssertionError``, so pytest shows it as
a failed test) naming the component, the rule and the offending value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ganzoo.data.spec import DataSpec
from ganzoo.kinds import KINDS, Kind, find_kind
from ganzoo.registry import Registry
from ganzoo.testing.contract import ContractViolation

__all__ = ["ContractViolation", "check_component"]

CHECKED_KINDS: tuple[Kind, ...] = ("architecture", "loss", "dataset", "metric")
"""The kinds :func:`check_component` has contract checks for."""


def check_component(
    kind: str,
    name: str,
    settings: Mapping[str, Any] | None = None,
    *,
    spec: DataSpec | None = None,
    dataset: str | None = None,
    data_root: Path | None = None,
    registry: Registry | None = None,
) -> list[str]:
    """Check that a registered component honours its kind's contract.

    Args:
        kind: ``"architecture"``, ``"loss"``, ``"dataset"`` or ``"metric"``.
        name: its registered name (or an alias).
        settings: its settings (defaults where omitted).
        spec: for an architecture, the data spec to build it for; by default every one
            of 2-D points, 1×28×28 and 3×32×32 images (with and without classes) that
            it accepts, and at least one must be.
        dataset: for a metric, a registered dataset to evaluate against; by default
            synthetic data of a spec the metric applies to.
        data_root: where a dataset reads its files (never written to).
        registry: the registry to look in; by default the installed plugins'.

    Returns:
        The rules checked, e.g. ``["generator output shape (2,)", ...]``.

    Raises:
        ContractViolation: a rule is broken; the message names the rule and the value.
    """
    checked = find_kind(kind)
    if checked is None or checked not in CHECKED_KINDS:
        allowed = ", ".join(CHECKED_KINDS)
        other = f" ({kind!r} has no contract checks)" if kind in KINDS else ""
        raise ValueError(f"unknown kind {kind!r}{other}; allowed: {allowed}")
    if registry is None:
        from ganzoo.plugins import plugin_set

        registry = plugin_set().registry
    entry = registry.get(checked, name)
    if kind == "architecture":
        from ganzoo.testing.architectures import check_architecture

        return check_architecture(entry, registry, settings, spec)
    if kind == "loss":
        from ganzoo.testing.losses import check_loss

        return check_loss(entry, registry, settings)
    if kind == "dataset":
        from ganzoo.testing.datasets import check_dataset

        return check_dataset(entry, registry, settings, data_root)
    from ganzoo.testing.metrics import check_metric

    return check_metric(entry, registry, settings, dataset, data_root)
