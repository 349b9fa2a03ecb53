"""Evaluating a run directory: rebuild its generator and dataset, run metrics, save eval.json."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from ganzoo.config import build_config, read_toml
from ganzoo.errors import ConfigError
from ganzoo.evaluation.metric import EvalContext
from ganzoo.evaluation.run import evaluate, results_document, save_results
from ganzoo.evaluation.sampling import generator_sampler
from ganzoo.storage.layout import RunLayout


def evaluate_run(
    run_dir: Path,
    metrics: Sequence[str] | None = None,
    *,
    num_samples: int | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int = 0,
    device: torch.device | str = "cpu",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Evaluate a run's generator against its dataset; writes and returns ``eval.json``'s document.

    Args:
        run_dir: a directory written by ``ganzoo run``.
        metrics: metric names; ``None`` picks those that suit the run's dataset.
        num_samples: samples per metric (``None``: each metric's protocol default).
        settings: per-metric settings, keyed by metric name.
        seed: seed of the fake and real samples.
        device: where to run the generator and feature extractors.
        progress: receives one-line progress messages.
    """
    from ganzoo.data.context import cache_dir, default_context
    from ganzoo.plugins import plugin_set
    from ganzoo.storage.weights import load_generator

    run_dir = Path(run_dir)
    layout = RunLayout(run_dir)
    if not layout.is_run():
        raise ConfigError(f"{run_dir} is not a ganzoo run directory (no {layout.config.name})")
    config = build_config(read_toml(layout.config), source=str(layout.config))
    device = torch.device(device)
    generator = load_generator(run_dir, device=device)
    registry = plugin_set().registry
    context_for_data = default_context(config.data_root)
    source = registry.build("dataset", config.dataset, config.dataset_settings, context_for_data)
    classes = generator.spec.num_classes if generator.conditional else None
    context = EvalContext(
        generate=generator_sampler(
            generator.module, generator.latent_dim, seed=seed, device=device, num_classes=classes
        ),
        real=source,
        dataset=config.dataset,
        spec=source.spec,
        dataset_settings=dict(config.dataset_settings),
        num_samples=num_samples,
        device=device,
        cache_dir=cache_dir(),
        data_root=context_for_data.data_root,
        seed=seed,
        progress=progress,
    )
    results = evaluate(
        context, list(metrics) if metrics else None, settings=settings, registry=registry
    )
    document = results_document(
        context,
        results,
        run=str(run_dir),
        architecture=config.architecture,
        loss=config.loss,
        step=generator.description.step,
        weights=generator.path.name,
    )
    save_results(run_dir, document)
    return document
