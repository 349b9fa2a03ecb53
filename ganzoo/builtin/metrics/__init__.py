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
        "fid",
        f"{_PKG}.fidelity_metrics:Fid",
        s.FidSettings,
        description="Images: Fréchet Inception distance, TF-Inception via torch-fidelity.",
    )
    register(
        "kid",
        f"{_PKG}.fidelity_metrics:Kid",
        s.KidSettings,
        description="Images: kernel Inception distance, TF-Inception via torch-fidelity.",
    )
    register(
        "inception-score",
        f"{_PKG}.fidelity_metrics:InceptionScore",
        s.InceptionScoreSettings,
        description="Images: Inception Score, TF-Inception via torch-fidelity.",
        aliases=("is",),
    )
    register(
        "precision-recall",
        f"{_PKG}.fidelity_metrics:PrecisionRecall",
        s.PrecisionRecallSettings,
        description="Images: precision, recall and F-score, TF-Inception via torch-fidelity.",
        aliases=("prc",),
    )
    register(
        "inception-fd",
        f"{_PKG}.retired:inception_fd",
        None,
        description="Retired: FID in torchvision's Inception, not comparable with papers; "
        "use 'fid'.",
    )
    register(
        "stacked-mnist-modes",
        f"{_PKG}.stacked_mnist:StackedMnistModes",
        s.StackedMnistSettings,
        description="stacked-mnist: modes covered out of 1,000 and reverse KL to uniform.",
    )
