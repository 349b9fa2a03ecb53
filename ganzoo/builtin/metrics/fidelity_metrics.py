"""FID, KID, Inception Score and precision / recall, computed by torch-fidelity.

The four share one pass of torch-fidelity's TF-Inception over the generated images
per evaluation, and the real images' features are cached once per dataset and split
(see :mod:`ganzoo.evaluation.fidelity`). Each reports its sample counts and the real
split beside its numbers (:meth:`Metric.protocol`), since the figures depend on both.
"""

from __future__ import annotations

import torch

from ganzoo.builtin.metrics.settings import (
    FidelitySettings,
    FidSettings,
    InceptionScoreSettings,
    KidSettings,
    PrecisionRecallSettings,
)
from ganzoo.data.spec import DataSpec
from ganzoo.errors import ConfigError
from ganzoo.evaluation import fidelity
from ganzoo.evaluation.inception_weights import (
    find_weights,
    missing_message,
    require_torch_fidelity,
    torch_fidelity_missing,
)
from ganzoo.evaluation.metric import EvalContext, Metric


class FidelityMetric(Metric):
    """What the four share: images only, the weights, the sample counts."""

    generic = True
    name = ""
    """The registered name, for messages."""
    uses_real_data = True

    def __init__(self, settings: FidelitySettings) -> None:
        self.settings = settings

    def applies_to(self, dataset: str, spec: DataSpec) -> bool:
        return fidelity.applies_to(spec)

    def unavailable(self, context: EvalContext) -> str | None:
        if reason := torch_fidelity_missing(self.name):
            return reason
        if find_weights(self.settings.weights) is None:
            return missing_message(self.name, "name the metric to download them")
        return None

    def num_samples(self, context: EvalContext) -> int:
        return context.samples_for(self.settings.num_samples)

    def protocol(self, context: EvalContext) -> dict[str, str | int]:
        n = self.num_samples(context)
        real: dict[str, str | int] = {
            "num_real": fidelity.real_count(context, n),
            "split": context.real_split,
        }
        return {
            "num_samples": n,
            **(real if self.uses_real_data else {}),
            "features": fidelity.features_name(),
        }

    def fake(self, context: EvalContext) -> dict[str, torch.Tensor]:
        require_torch_fidelity(self.name)
        settings = self.settings
        n = self.num_samples(context)
        return fidelity.fake_features(context, self.name, n, settings.weights, settings.batch_size)

    def real(self, context: EvalContext) -> torch.Tensor:
        settings = self.settings
        n = self.num_samples(context)
        return fidelity.real_features(context, self.name, n, settings.weights, settings.batch_size)


class Fid(FidelityMetric):
    """``fid``: the Fréchet Inception distance of published tables."""

    name = "fid"
    keys = ("fid",)
    settings: FidSettings

    def __init__(self, settings: FidSettings | None = None) -> None:
        super().__init__(settings or FidSettings())

    def compute(self, context: EvalContext) -> dict[str, float]:
        from torch_fidelity.metric_fid import (
            KEY_METRIC_FID,
            fid_features_to_statistics,
            fid_statistics_to_metric,
        )

        fake = fid_features_to_statistics(self.fake(context)[fidelity.POOL])
        real = fid_features_to_statistics(self.real(context))
        return {"fid": fid_statistics_to_metric(real, fake, verbose=False)[KEY_METRIC_FID]}


class Kid(FidelityMetric):
    """``kid`` and ``kid_std``: the kernel Inception distance over random subsets."""

    name = "kid"
    keys = ("kid", "kid_std")
    settings: KidSettings

    def __init__(self, settings: KidSettings | None = None) -> None:
        super().__init__(settings or KidSettings())

    def compute(self, context: EvalContext) -> dict[str, float]:
        from torch_fidelity.metric_kid import (
            KEY_METRIC_KID_MEAN,
            KEY_METRIC_KID_STD,
            kid_features_to_metric,
        )

        fake, real = self.fake(context)[fidelity.POOL], self.real(context)
        subset = min(self.settings.subset_size, len(fake), len(real))
        values = kid_features_to_metric(
            fake,
            real,
            kid_subsets=self.settings.subsets,
            kid_subset_size=subset,
            rng_seed=context.seed,
            verbose=False,
        )
        return {"kid": values[KEY_METRIC_KID_MEAN], "kid_std": values[KEY_METRIC_KID_STD]}

    def protocol(self, context: EvalContext) -> dict[str, str | int]:
        n = self.num_samples(context)
        subset = min(self.settings.subset_size, n, fidelity.real_count(context, n))
        return {**super().protocol(context), "subsets": self.settings.subsets, "subset": subset}


class InceptionScore(FidelityMetric):
    """``inception_score`` and ``inception_score_std`` over splits of the generated images."""

    name = "inception-score"
    keys = ("inception_score", "inception_score_std")
    uses_real_data = False
    settings: InceptionScoreSettings

    def __init__(self, settings: InceptionScoreSettings | None = None) -> None:
        super().__init__(settings or InceptionScoreSettings())

    def compute(self, context: EvalContext) -> dict[str, float]:
        from torch_fidelity.metric_isc import (
            KEY_METRIC_ISC_MEAN,
            KEY_METRIC_ISC_STD,
            isc_features_to_metric,
        )

        logits = self.fake(context)[fidelity.LOGITS]
        splits = self.settings.splits
        if splits > len(logits):
            raise ConfigError(
                f"inception-score: {splits} splits need at least {splits} samples, "
                f"got {len(logits)} (lower metric.inception-score.splits or raise -n)"
            )
        values = isc_features_to_metric(logits, splits=splits, shuffle=True, rng_seed=context.seed)
        return {
            "inception_score": values[KEY_METRIC_ISC_MEAN],
            "inception_score_std": values[KEY_METRIC_ISC_STD],
        }

    def protocol(self, context: EvalContext) -> dict[str, str | int]:
        return {**super().protocol(context), "splits": self.settings.splits}


class PrecisionRecall(FidelityMetric):
    """``precision``, ``recall`` and ``f_score`` of the k-NN manifolds (Kynkäänniemi et al.)."""

    name = "precision-recall"
    keys = ("precision", "recall", "f_score")
    settings: PrecisionRecallSettings

    def __init__(self, settings: PrecisionRecallSettings | None = None) -> None:
        super().__init__(settings or PrecisionRecallSettings())

    def compute(self, context: EvalContext) -> dict[str, float]:
        from torch_fidelity.metric_prc import (
            KEY_METRIC_F_SCORE,
            KEY_METRIC_PRECISION,
            KEY_METRIC_RECALL,
            prc_features_to_metric,
        )

        fake = self.fake(context)[fidelity.POOL].to(context.device)
        real = self.real(context).to(context.device)
        k = self.settings.k
        if min(len(fake), len(real)) <= k:
            raise ConfigError(
                f"precision-recall: k={k} neighbours need more than {k} samples "
                f"(got {len(fake)} generated, {len(real)} real)"
            )
        values = prc_features_to_metric(
            fake, real, prc_neighborhood=k, save_cpu_ram=True, verbose=False
        )
        return {
            "precision": values[KEY_METRIC_PRECISION],
            "recall": values[KEY_METRIC_RECALL],
            "f_score": values[KEY_METRIC_F_SCORE],
        }
