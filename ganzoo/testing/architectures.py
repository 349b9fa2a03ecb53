"""The architecture contract, checked: shapes, range, labels, packing, rebuilding from weights."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from ganzoo.data.spec import DataSpec
from ganzoo.errors import GanzooError
from ganzoo.models import BuildOptions, GANModels, ImageSizes, build_architecture
from ganzoo.registry import Entry, Registry
from ganzoo.testing.contract import Checker

CANDIDATE_SPECS = (
    DataSpec((2,), (-1.0, 1.0)),
    DataSpec((1, 28, 28)),
    DataSpec((1, 28, 28), num_classes=10),
    DataSpec((3, 32, 32)),
    DataSpec((3, 32, 32), num_classes=10),
)
"""The specs an architecture is tried on when the check is given none."""
BATCH = 4


def check_architecture(
    entry: Entry,
    registry: Registry,
    settings: Mapping[str, Any] | None,
    spec: DataSpec | None,
) -> list[str]:
    check = Checker(entry)
    if entry.image_sizes is not None:
        _check_image_sizes(check, entry, registry, settings, spec)
    built = 0
    candidates = (spec,) if spec is not None else _fitted(CANDIDATE_SPECS, entry.image_sizes)
    for candidate in candidates:
        try:
            models = build_architecture(registry, entry.name, settings, candidate, BuildOptions())
        except GanzooError:
            if spec is not None:
                raise
            continue  # the architecture refuses this kind of data, as it may
        built += 1
        _check_models(check, entry, registry, settings, candidate, models)
    check.that(
        built > 0,
        "builds for some data",
        "it refused every spec tried ("
        + "; ".join(s.describe() for s in CANDIDATE_SPECS)
        + "); pass spec= to check it on its own data",
    )
    return check.checked


def _fitted(specs: tuple[DataSpec, ...], sizes: ImageSizes | None) -> list[DataSpec]:
    """The specs with image sides moved to the nearest size the architecture declares."""
    fitted = []
    for spec in specs:
        side = sizes.nearest_at_or_above(spec.shape[1]) if sizes and spec.is_image else None
        fitted.append(replace(spec, shape=(spec.shape[0], side, side)) if side else spec)
    return fitted


IMAGE_SIZES_TRIED = 3
"""How many of its declared sizes (smallest first) an architecture is built for."""


@torch.no_grad()
def _check_image_sizes(
    check: Checker,
    entry: Entry,
    registry: Registry,
    settings: Mapping[str, Any] | None,
    spec: DataSpec | None,
) -> None:
    """Build G for the smallest declared sizes and check it makes them; a declared size it
    refuses, or a size it makes wrongly, breaks the contract."""
    assert entry.image_sizes is not None
    channels = spec.channels if spec is not None and spec.is_image else 1
    class_counts = (spec.num_classes,) if spec is not None else (None, 10)
    for side in itertools.islice(entry.image_sizes.ascending(), IMAGE_SIZES_TRIED):
        rule = f"makes the {side}×{side} images it declares"
        refusals = []
        for classes in class_counts:  # a conditional architecture may refuse unlabelled data
            sized = DataSpec((channels, side, side), num_classes=classes)
            try:
                models = build_architecture(registry, entry.name, settings, sized, BuildOptions())
            except GanzooError as error:
                refusals.append(f"building for {sized.describe()} failed: {error}")
                continue
            z = torch.randn(BATCH, models.latent_dim, generator=torch.Generator().manual_seed(0))
            labels = _labels(sized) if models.conditional else None
            models.generator.eval()
            fake = _call(check, models.generator, z, labels, rule)
            check.shape(fake, (BATCH, *sized.shape), rule)
            break
        else:
            raise check.fail(rule, "; ".join(refusals))


@torch.no_grad()
def _check_models(
    check: Checker,
    entry: Entry,
    registry: Registry,
    settings: Mapping[str, Any] | None,
    spec: DataSpec,
    models: Any,
) -> None:
    where = spec.describe()
    check.that(
        isinstance(models, GANModels),
        "returns GANModels",
        f"the factory returned {type(models).__name__}, not ganzoo.models.GANModels",
    )
    check.that(
        isinstance(models.latent_dim, int) and models.latent_dim > 0,
        "latent_dim is a positive int",
        f"latent_dim is {models.latent_dim!r}",
    )
    models.generator.eval()
    models.discriminator.eval()
    z = torch.randn(BATCH, models.latent_dim, generator=torch.Generator().manual_seed(0))
    labels = _labels(spec) if models.conditional else None
    check.that(
        not models.conditional or labels is not None,
        "conditional only with classes",
        f"it is conditional but the data ({where}) has no classes; refuse such data in one line",
    )
    fake = _call(check, models.generator, z, labels, f"generator runs on {where}")
    check.shape(fake, (BATCH, *spec.shape), f"generator output shape for {where}")
    check.finite(fake, f"generator output is finite for {where}")
    if spec.is_image:
        check.within(fake, *spec.value_range, f"generator output in the value range for {where}")
    logits = _call(
        check,
        models.discriminator,
        fake,
        labels,
        f"discriminator runs on {where}",
        labels_by_keyword=True,
    )
    check.shape(logits, (BATCH,), f"discriminator gives one logit per example for {where}")
    check.finite(logits, f"discriminator logits are finite for {where}")
    if labels is not None:
        other = (labels + 1) % (spec.num_classes or 1)
        changed = _call(check, models.generator, z, other, "generator takes labels")
        check.that(
            not torch.equal(changed, fake),
            f"generator uses its labels for {where}",
            "the same z with other labels gave the same samples",
        )
    _check_packing(check, entry, registry, settings, spec)
    _check_rebuild(check, entry, registry, settings, spec, models, z, labels)


def _labels(spec: DataSpec) -> torch.Tensor | None:
    if not spec.num_classes:
        return None
    return torch.arange(BATCH, dtype=torch.int64) % spec.num_classes


def _call(
    check: Checker,
    module: Any,
    x: torch.Tensor,
    labels: torch.Tensor | None,
    rule: str,
    *,
    labels_by_keyword: bool = False,
) -> Any:
    """``module(x)``, or with labels as the trainer passes them: to G as the second
    argument, to D as ``labels=``."""
    try:
        if labels is None:
            return module(x)
        return module(x, labels=labels) if labels_by_keyword else module(x, labels)
    except Exception as error:
        raise check.fail(rule, f"{type(error).__name__}: {error}") from error


def _check_packing(
    check: Checker,
    entry: Entry,
    registry: Registry,
    settings: Mapping[str, Any] | None,
    spec: DataSpec,
) -> None:
    """An architecture that packs judges ``BATCH`` examples with ``BATCH / 2`` logits."""
    try:
        models = build_architecture(registry, entry.name, settings, spec, BuildOptions(pack=2))
    except GanzooError:
        check.passed(f"refuses packing for {spec.describe()} with a clear error")
        return
    check.that(
        models.pack in (1, 2),
        "GANModels.pack is 1 or options.pack",
        f"asked to pack 2, it set pack={models.pack}",
    )
    if models.pack == 1:
        check.passed(f"does not pack for {spec.describe()} (the run refuses --pack)")
        return
    models.generator.eval()
    models.discriminator.eval()
    z = torch.randn(BATCH, models.latent_dim)
    labels = _labels(spec) if models.conditional else None
    fake = _call(check, models.generator, z, labels, "packed generator runs")
    logits = _call(
        check,
        models.discriminator,
        fake,
        labels,
        "packed discriminator runs",
        labels_by_keyword=True,
    )
    check.shape(logits, (BATCH // 2,), "a packing discriminator gives one logit per pack")


def _check_rebuild(
    check: Checker,
    entry: Entry,
    registry: Registry,
    settings: Mapping[str, Any] | None,
    spec: DataSpec,
    models: Any,
    z: torch.Tensor,
    labels: torch.Tensor | None,
) -> None:
    """Save G as ganzoo saves it, rebuild it from the file alone, and compare outputs."""
    from ganzoo.storage.layout import GENERATOR
    from ganzoo.storage.weights import (
        ModelDescription,
        build_models,
        load_state,
        read_safetensors,
        save_module,
    )

    validated = registry.settings("architecture", entry.name, settings)
    stored = {} if validated is None else validated.model_dump(mode="json")
    description = ModelDescription(entry.name, stored, BuildOptions(), spec)
    rule = f"weights rebuild from the safetensors file alone for {spec.describe()}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generator.safetensors"
        try:
            save_module(models.generator, path, description, GENERATOR)
        except Exception as error:
            raise check.fail(rule, f"saving failed: {type(error).__name__}: {error}") from error
        tensors, metadata = read_safetensors(path)
    rebuilt = build_models(ModelDescription.from_metadata(metadata, path), registry)
    try:
        load_state(rebuilt.generator, tensors, path)
    except GanzooError as error:
        raise check.fail(rule, str(error)) from error
    rebuilt.generator.eval()
    again = _call(check, rebuilt.generator, z, labels, rule)
    original = _call(check, models.generator, z, labels, rule)
    check.that(
        torch.allclose(again, original, atol=1e-6),
        rule,
        f"the rebuilt generator's output differs by up to "
        f"{(again - original).abs().max().item():.3g}",
    )
