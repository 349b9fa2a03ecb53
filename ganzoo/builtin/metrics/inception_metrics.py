"""Fréchet Inception distance and precision / recall in Inception-v3 pool features."""

from __future__ import annotations

from ganzoo.builtin.metrics.settings import InceptionMetricSettings
from ganzoo.data.spec import DataSpec
from ganzoo.evaluation import inception
from ganzoo.evaluation.features import extract, reference_features
from ganzoo.evaluation.frechet import frechet_distance_of
from ganzoo.evaluation.metric import EvalContext, Metric
from ganzoo.evaluation.precision_recall import precision_recall

EXTRACTOR_ID = "inception-v3-torchvision"


class InceptionMetrics(Metric):
    """``fd`` (FID with torchvision's Inception-v3 weights), ``precision`` and ``recall``.

    Applies to any 1- or 3-channel image dataset; chosen by default only where no
    dataset-specific metric applies, and only once the weights are cached. The real
    data's features are cached under ``<cache_dir>/reference``.
    """

    generic = True

    def __init__(self, settings: InceptionMetricSettings | None = None) -> None:
        self.settings = settings or InceptionMetricSettings()

    def applies_to(self, dataset: str, spec: DataSpec) -> bool:
        return spec.is_image and spec.channels in (1, 3)

    def unavailable(self, context: EvalContext) -> str | None:
        if inception.weights_cached():
            return None
        return inception.missing_message("name the metric to download them")

    def compute(self, context: EvalContext) -> dict[str, float]:
        network = inception.load_inception(context.download, context.device)
        batch = self.settings.batch_size
        n = context.samples_for(self.settings.num_samples)

        def features(images):  # type: ignore[no-untyped-def]
            return extract(network, images, device=context.device, batch_size=batch)

        context.log(f"Inception features of {n:,} generated samples")
        fake = features(context.fake_samples(n))
        size = context.real.size
        real_n = n if size is None else min(n, size)
        real = reference_features(context, EXTRACTOR_ID, real_n, features)
        quality = precision_recall(real, fake, k=self.settings.k)
        return {
            "fd": frechet_distance_of(real, fake),
            "precision": quality.precision,
            "recall": quality.recall,
        }
