"""Evaluating a run directory: rebuild its generator and dataset, run metrics, save eval.json."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from ganzoo.config import RunConfig, build_config, read_toml
from ganzoo.errors import ConfigError
from ganzoo.evaluation.metric import EvalContext
from ganzoo.evaluation.run import evaluate, plan_metrics, results_document, save_results
from ganzoo.evaluation.sampling import generator_sampler, given_labels_sampler
from ganzoo.registry import Registry
from ganzoo.settings_table import jsonable
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
    from ganzoo.storage.weights import load_generator

    run_dir = Path(run_dir)
    layout = RunLayout(run_dir)
    if not layout.is_run():
        raise ConfigError(f"{run_dir} is not a ganzoo run directory (no {layout.config.name})")
    config = build_config(read_toml(layout.config), source=str(layout.config))
    device = torch.device(device)
    generator = load_generator(run_dir, device=device)
    classes = generator.spec.num_classes if generator.conditional else None
    generate = generator_sampler(
        generator.module, generator.latent_dim, seed=seed, device=device, num_classes=classes
    )
    # a generator trained on clusters of the images is given clusters, not the data's classes
    given_labels = (
        given_labels_sampler(generator.latent_dim, classes, seed=seed)
        if classes and config.cluster_labels is None
        else None
    )
    context = eval_context(
        config,
        generate,
        given_labels=given_labels,
        num_samples=num_samples,
        seed=seed,
        device=device,
        progress=progress,
    )
    registry = _registry()
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
        metric_settings=jsonable(
            {registry.get("metric", name).name: dict(v) for name, v in (settings or {}).items()}
        ),
    )
    save_results(run_dir, document)
    if config.loggers:
        hand_to_loggers(config, run_dir, document, progress)
    return document


def hand_to_loggers(
    config: RunConfig,
    run_dir: Path,
    document: Mapping[str, Any],
    progress: Callable[[str], None] | None,
) -> None:
    """Append the figures to the run's loggers (its TensorBoard events, say); eval.json is
    written already, so a logger that cannot be built now is a note, not an error."""
    from ganzoo.errors import GanzooError, one_line
    from ganzoo.training.run_tracking import log_evaluation

    try:
        log_evaluation(config, run_dir, _registry(), document["step"], document["metrics"])
    except Exception as error:  # eval.json is safe; a logger's trouble is only a note
        known = isinstance(error, GanzooError)
        reason = str(error) if known else f"{type(error).__name__}: {error}"
        if progress is not None:
            progress(f"figures not handed to the run's loggers: {one_line(reason)}")


def eval_context(
    config: RunConfig,
    generate: Callable[[int], torch.Tensor],
    *,
    given_labels: Callable[[int], torch.Tensor] | None = None,
    num_samples: int | None = None,
    seed: int = 0,
    device: torch.device | str = "cpu",
    progress: Callable[[str], None] | None = None,
) -> EvalContext:
    """The evaluation context of a run of ``config`` whose generator samples with ``generate``
    (and, if conditional, is given the classes ``given_labels``)."""
    from ganzoo.data.context import cache_dir, default_context

    context_for_data = default_context(config.data_root)
    source = _registry().build("dataset", config.dataset, config.dataset_settings, context_for_data)
    return EvalContext(
        generate=generate,
        given_labels=given_labels,
        real=source,
        dataset=config.dataset,
        spec=source.spec,
        dataset_settings=dict(config.dataset_settings),
        num_samples=num_samples,
        device=torch.device(device),
        cache_dir=cache_dir(),
        data_root=context_for_data.data_root,
        seed=seed,
        progress=progress,
    )


def check_metrics(
    config: RunConfig,
    metrics: Sequence[str] | None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[str]:
    """The metrics an evaluation of a run of ``config`` would compute, checked before training.

    Raises :class:`ConfigError` when a named metric does not apply or no metric can run.
    """

    def no_generator(n: int) -> torch.Tensor:
        raise RuntimeError("check_metrics builds metrics only; it never samples")

    plan = plan_metrics(
        eval_context(config, no_generator), metrics, settings=settings, registry=_registry()
    )
    return list(plan.metrics)


def _registry() -> Registry:
    from ganzoo.plugins import plugin_set

    return plugin_set().registry
