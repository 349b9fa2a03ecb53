"""The metric contract: what a metric plugin implements and what it is given.

A metric factory, registered with ``register_metrics``, is called as
``factory(settings)`` (or ``factory()`` without a settings model) and returns a
:class:`Metric`. :func:`ganzoo.evaluation.evaluate` calls :meth:`Metric.compute`
with an :class:`EvalContext` holding everything about the run being evaluated.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import torch

from ganzoo.data.source import DataSource
from ganzoo.data.spec import DataSpec


@dataclass
class EvalContext:
    """The run under evaluation: a sampler of fake data, the real data, and where to cache.

    Fake and real samples are cached, so several metrics asking for the same number
    of samples share one generation pass.
    """

    generate: Callable[[int], torch.Tensor]
    """``generate(n)``: ``n`` fake samples ``(n, *spec.shape)`` in data space, deterministic."""
    real: DataSource
    """The dataset's source (its training split); mixtures expose ``means`` and ``std``."""
    dataset: str
    spec: DataSpec
    dataset_settings: dict[str, Any] = field(default_factory=dict)
    given_labels: Callable[[int], torch.Tensor] | None = None
    """A conditional generator's ``given_labels(n)``: the class it was given for each of the
    samples of ``generate(n)``; ``None`` for an unconditional one."""
    num_samples: int | None = None
    """``-n``: samples per metric; ``None`` keeps each metric's protocol default."""
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    cache_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "ganzoo")
    """Writable cache: trained classifiers, reference features."""
    data_root: Path | None = None
    """Where datasets read their files (never written to), for training classifiers."""
    download: bool = True
    """Whether weights and datasets may be downloaded when missing."""
    seed: int = 0
    progress: Callable[[str], None] | None = None
    """Receives one-line progress messages (e.g. printed by the CLI)."""
    protocols: dict[str, dict[str, str | int]] = field(default_factory=dict)
    """What each metric's numbers were computed on (:meth:`Metric.protocol`), by metric name."""
    _fake: dict[int, torch.Tensor] = field(default_factory=dict, repr=False)
    _real: dict[int, torch.Tensor] = field(default_factory=dict, repr=False)
    _shared: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def real_split(self) -> str:
        """The real data's split: the dataset's ``split`` setting, else ``train``."""
        return str(self.dataset_settings.get("split", "train"))

    def samples_for(self, default: int) -> int:
        """The number of samples a metric should use: ``num_samples`` or its own default."""
        return self.num_samples if self.num_samples is not None else default

    def fake_samples(self, n: int) -> torch.Tensor:
        """``n`` generated samples (cached; the largest set generated so far is reused)."""
        return _cached(self._fake, n, self.generate)

    def real_samples(self, n: int) -> torch.Tensor:
        """Up to ``n`` real examples (fewer when the dataset is smaller), cached."""
        size = self.real.size
        n = n if size is None else min(n, size)
        return _cached(
            self._real, n, lambda k: self.real.sample(k, seed=self.seed, device=self.device).x
        )

    def shared(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per context and shared by the metrics that ask for ``key``.

        For what several metrics of one evaluation need: a loaded feature network, features.
        """
        if key not in self._shared:
            self._shared[key] = make()
        return self._shared[key]

    def log(self, message: str) -> None:
        """Report progress, if anyone listens."""
        if self.progress is not None:
            self.progress(message)


class Metric(ABC):
    """One evaluation metric; may return several numbers.

    Subclasses implement :meth:`applies_to` and :meth:`compute`; :meth:`unavailable`
    is optional. Building a metric must be cheap (it is built just to ask
    :meth:`applies_to`): load weights or train models in :meth:`compute`.

    Set ``generic = True`` for a metric that applies to a broad family
    of datasets (e.g. any image): it is chosen by default only where no
    dataset-specific metric applies.
    """

    generic: ClassVar[bool] = False
    keys: ClassVar[tuple[str, ...]] = ()
    """The numbers :meth:`compute` returns, e.g. ``("fid",)``; :mod:`ganzoo.testing` checks
    a metric returns exactly these. Empty: not declared."""

    @abstractmethod
    def applies_to(self, dataset: str, spec: DataSpec) -> bool:
        """Whether this metric makes sense for the dataset ``dataset`` with data ``spec``."""

    def unavailable(self, context: EvalContext) -> str | None:
        """Why it cannot run here without the user's action (e.g. weights not cached), or None.

        A metric with a reason is left out of the defaults (the reason is reported);
        named explicitly it still runs, and may then download or fail with a clear error.
        """
        return None

    @abstractmethod
    def compute(self, context: EvalContext) -> dict[str, float]:
        """The metric's numbers, keyed by snake_case names (plain floats, JSON-ready)."""

    def protocol(self, context: EvalContext) -> dict[str, str | int]:
        """What :meth:`compute` uses: e.g. ``num_samples``, ``num_real`` and the real ``split``.

        Saved beside the numbers in ``eval.json`` and printed with them, since a figure
        such as FID depends on both. Empty by default.
        """
        return {}


def _cached(
    store: dict[int, torch.Tensor], n: int, make: Callable[[int], torch.Tensor]
) -> torch.Tensor:
    for size, tensor in store.items():
        if size >= n:
            return tensor[:n]
    tensor = make(n)
    if len(tensor) < n:
        raise ValueError(f"asked for {n} samples, got {len(tensor)}")
    store.clear()
    store[n] = tensor
    return tensor
