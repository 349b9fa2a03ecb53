"""Built-in metrics (registration only; implementations are imported on first use)."""

from __future__ import annotations

from ganzoo.builtin.metrics import settings as s
from ganzoo.plugins import Registrar

_PKG = "ganzoo.builtin.metrics"


def register_builtin(register: Registrar) -> None:
    """Register ganzoo's built-in metrics."""
    register(
        "mode-coverage",
        f"{_PKG}.mode_coverage:ModeCoverage",
        s.ModeCoverageSettings,
        description="2-D mixtures: modes covered, % high-quality samples, reverse KL.",
    )
    register(
        "classifier-fd",
        f"{_PKG}.classifier_metrics:ClassifierMetrics",
        s.ClassifierMetricSettings,
        description="Digit datasets: Fréchet distance, precision/recall, class coverage, "
        "class KL, Inception Score with a trained classifier.",
        aliases=("classifier",),
    )
    register(
        "inception-fd",
        f"{_PKG}.inception_metrics:InceptionMetrics",
        s.InceptionMetricSettings,
        description="Images: Fréchet Inception distance and precision/recall (Inception-v3).",
        aliases=("fid",),
    )
    register(
        "stacked-mnist-modes",
        f"{_PKG}.stacked_mnist:StackedMnistModes",
        s.StackedMnistSettings,
        description="stacked-mnist: modes covered out of 1,000 and reverse KL to uniform.",
    )
