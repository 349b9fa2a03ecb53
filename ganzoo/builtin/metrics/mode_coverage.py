"""The mode-coverage metric of 2-D Gaussian mixtures."""

from __future__ import annotations

import torch

from ganzoo.builtin.metrics.settings import ModeCoverageSettings
from ganzoo.data.spec import DataSpec
from ganzoo.errors import DataError
from ganzoo.evaluation import EvalContext, Metric, mode_coverage


class ModeCoverage(Metric):
    """Modes covered, % high-quality samples and reverse KL (VEEGAN / PacGAN protocol)."""

    def __init__(self, settings: ModeCoverageSettings | None = None) -> None:
        self.settings = settings or ModeCoverageSettings()

    def applies_to(self, dataset: str, spec: DataSpec) -> bool:
        return spec.shape == (2,)

    def unavailable(self, context: EvalContext) -> str | None:
        if (
            getattr(context.real, "means", None) is None
            or getattr(context.real, "std", None) is None
        ):
            return f"dataset {context.dataset!r} is not a Gaussian mixture (no means and std)"
        return None

    def compute(self, context: EvalContext) -> dict[str, float]:
        reason = self.unavailable(context)
        if reason is not None:
            raise DataError(f"mode-coverage: {reason}")
        means = torch.as_tensor(context.real.means)  # type: ignore[attr-defined]
        std = float(context.real.std)  # type: ignore[attr-defined]
        samples = context.fake_samples(context.samples_for(self.settings.num_samples))
        return mode_coverage(samples, means, std, self.settings.threshold).to_dict()
