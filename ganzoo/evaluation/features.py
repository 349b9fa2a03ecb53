"""Caching the real data's features on disk (safetensors), keyed by what they depend on."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable

import torch
from safetensors.torch import load_file, save_file

from ganzoo.evaluation.metric import EvalContext


def reference_features(
    context: EvalContext,
    extractor_id: str,
    n: int,
    compute: Callable[[torch.Tensor], torch.Tensor],
) -> torch.Tensor:
    """Features of ``n`` real examples, cached under ``<cache_dir>/reference``.

    The cache key is the dataset, its settings, ``extractor_id``, ``n`` and the seed;
    ``compute`` maps real images to features when the cache has none.
    """
    key = json.dumps(
        [context.dataset, context.dataset_settings, extractor_id, n, context.seed],
        sort_keys=True,
        default=str,
    )
    digest = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
    path = (
        context.cache_dir / "reference" / f"{context.dataset}-{extractor_id}-{digest}.safetensors"
    )
    if path.is_file():
        try:
            return load_file(str(path))["features"]
        except Exception:  # an unreadable cache is recomputed
            context.log(f"ignoring unreadable cache {path}")
    features = compute(context.real_samples(n))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")  # one per writer process
    save_file({"features": features.contiguous()}, str(partial), metadata={"key": key})
    partial.replace(path)
    return features
