"""torch-fidelity's TF-Inception features of generated and real images, shared and cached.

The network is torch-fidelity's ``FeatureExtractorInceptionV3`` (the TF-ported Inception
of the reference FID code, with TF1's bilinear resize), fed 8-bit RGB images as
published FIDs are computed. ganzoo hands it tensors only and never names one of
torch-fidelity's registered datasets, so torch-fidelity never downloads data itself.

Within one evaluation the network and the generated images' features are computed once
and shared by ``fid``, ``kid``, ``inception-score`` and ``precision-recall``; the real
data's features are cached on disk (:func:`ganzoo.evaluation.features.reference_features`),
keyed by dataset, settings (its split among them), sample count, seed and weights.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ganzoo.data.spec import DataSpec
from ganzoo.errors import WeightsError, one_line
from ganzoo.evaluation.features import reference_features
from ganzoo.evaluation.inception_weights import load_weights
from ganzoo.evaluation.metric import EvalContext

POOL = "2048"
"""The 2,048-D pool features: FID, KID, precision and recall."""
LOGITS = "logits_unbiased"
"""The 1,008 logits without bias: the Inception Score (as in the reference code)."""
EXTRACTOR = "inception-v3-compat"
"""torch-fidelity's name of the network."""


def features_name() -> str:
    """The feature space, for reports: ``torch-fidelity 0.4.0 inception-v3-compat``."""
    return f"torch-fidelity {version('torch-fidelity')} {EXTRACTOR}"


def applies_to(spec: DataSpec) -> bool:
    """Whether the features are defined for such data: grey or RGB images."""
    return spec.is_image and spec.channels in (1, 3)


def real_count(context: EvalContext, n: int) -> int:
    """How many real examples are compared with ``n`` generated ones: ``n``, or all there are."""
    size = context.real.size
    return n if size is None else min(n, size)


def fake_features(
    context: EvalContext, metric: str, n: int, weights: Path | None, batch_size: int
) -> dict[str, torch.Tensor]:
    """``{POOL: (n, 2048), LOGITS: (n, 1008)}`` of ``n`` generated images, float32 on the CPU.

    ``metric`` (the asking metric's name) and ``weights`` (its setting) choose the weights.
    """
    network, digest = _network(context, metric, weights)
    store: dict[str, torch.Tensor] = context.shared(f"fidelity-fake-{digest}", dict)
    if not store or len(store[POOL]) < n:
        context.log(f"TF-Inception features of {n:,} generated images")
        images = context.fake_samples(n)
        store.update(_features(network, images, context.spec, context.device, batch_size))
    return {layer: features[:n] for layer, features in store.items()}


def real_features(
    context: EvalContext, metric: str, n: int, weights: Path | None, batch_size: int
) -> torch.Tensor:
    """Pool features ``(real_count(n), 2048)`` of real images, cached on disk."""
    network, digest = _network(context, metric, weights)
    count = real_count(context, n)

    def compute(images: torch.Tensor) -> torch.Tensor:
        context.log(f"TF-Inception features of {count:,} real images ({context.real_split})")
        return _features(network, images, context.spec, context.device, batch_size)[POOL]

    key = f"fidelity-real-{digest}-{count}"
    extractor_id = f"tf-inception-{digest}"
    features: torch.Tensor = context.shared(
        key, lambda: reference_features(context, extractor_id, count, compute)
    )
    return features


def to_uint8_rgb(images: torch.Tensor, spec: DataSpec) -> torch.Tensor:
    """Images in the spec's value range → 8-bit RGB ``(N, 3, H, W)``, as saved images are."""
    low, high = spec.value_range
    scaled = ((images.float() - low) / (high - low) * 255).round().clamp(0, 255)
    pixels = scaled.to(torch.uint8)
    return pixels.expand(-1, 3, -1, -1) if pixels.shape[1] == 1 else pixels


@torch.no_grad()
def _features(
    network: Any,
    images: torch.Tensor,
    spec: DataSpec,
    device: torch.device,
    batch_size: int,
) -> dict[str, torch.Tensor]:
    parts: dict[str, list[torch.Tensor]] = {POOL: [], LOGITS: []}
    for batch in images.split(batch_size):
        outputs = network(to_uint8_rgb(batch, spec).to(device))
        for layer, features in network.convert_features_tuple_to_dict(outputs).items():
            parts[layer].append(features.float().cpu())
    return {layer: torch.cat(chunks) for layer, chunks in parts.items()}


def _network(context: EvalContext, metric: str, weights: Path | None) -> tuple[nn.Module, str]:
    """torch-fidelity's network with the weights found for ``weights``, once per context."""

    def build() -> tuple[nn.Module, str]:
        state_dict, digest = load_weights(metric, weights, download=context.download)
        context.log("loaded the TF-Inception weights")
        return build_network(state_dict).to(context.device), digest

    network: tuple[nn.Module, str] = context.shared(f"fidelity-network-{weights}", build)
    return network


def build_network(state_dict: dict[str, torch.Tensor]) -> nn.Module:
    """torch-fidelity's InceptionV3 feature extractor holding ``state_dict``.

    torch-fidelity's constructor reads its weights with ``torch.load(weights_only=False)``.
    It is handed the tensors' shapes only (meta tensors, no data), read with weights-only
    loading forced; the weights, already loaded safely, are then assigned. So nothing from
    a weights file ever reaches an unpickler, and no time goes into a throwaway copy.
    """
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    shapes = io.BytesIO()
    torch.save({key: value.to("meta") for key, value in state_dict.items()}, shapes)
    shapes.seek(0)
    try:
        with _weights_only_loading(), torch.device("meta"):
            network = FeatureExtractorInceptionV3(
                EXTRACTOR, [POOL, LOGITS], feature_extractor_weights_path=shapes
            )
        network.load_state_dict(state_dict, assign=True)
    except RuntimeError as error:  # missing or unexpected keys, wrong shapes
        detail = one_line(str(error))
        detail = detail if len(detail) <= 300 else detail[:300] + " …"
        raise WeightsError(
            f"the Inception weights do not fit torch-fidelity's network: {detail}"
        ) from None
    dtype = network.feature_extractor_internal_dtype
    built: nn.Module = network.to(dtype).requires_grad_(False).eval()
    return built


@contextmanager
def _weights_only_loading() -> Iterator[None]:
    """Make every ``torch.load`` weights-only, whatever its caller asks, for a moment."""
    forced = {"TORCH_FORCE_WEIGHTS_ONLY_LOAD": "1", "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": None}
    previous = {name: os.environ.get(name) for name in forced}
    for name, value in forced.items():  # the second would contradict the first
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
