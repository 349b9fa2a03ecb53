"""Domain classifiers trained once per dataset and cached as safetensors.

The file is ``<cache_dir>/classifiers/<dataset>-<key>.safetensors``, where the key
hashes the dataset's settings (without ``split``), the classifier version and the
training recipe. Datasets with a ``split`` setting are trained on ``train`` and
scored on ``test``; a dataset without one (e.g. ``digits``) is split 80 / 20 by a
fixed permutation, trained on the 80 % and scored on the held-out 20 %.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from ganzoo.data.source import DataContext, DataSource
from ganzoo.errors import DataError
from ganzoo.evaluation.classifier import (
    CLASSIFIER_VERSION,
    DomainClassifier,
    TrainingRecipe,
    accuracy,
    load_classifier,
    save_classifier,
    to_uint8,
    train_classifier,
)
from ganzoo.evaluation.metric import EvalContext
from ganzoo.registry import Registry

MIN_TRAINING_STEPS = 150
"""Small datasets get more epochs, so every classifier sees at least this many batches."""
HOLDOUT_SHARE = 0.2


@dataclass(frozen=True)
class ClassifierRequest:
    """Which classifier: a dataset, its settings, and where its data and cache live."""

    dataset: str
    settings: dict[str, Any]
    data_root: Path | None
    cache_dir: Path
    download: bool = True
    recipe: TrainingRecipe = field(default_factory=TrainingRecipe)

    @classmethod
    def for_context(
        cls,
        context: EvalContext,
        dataset: str | None = None,
        settings: dict[str, Any] | None = None,
    ) -> ClassifierRequest:
        """The classifier of the context's dataset (or of ``dataset`` with ``settings``)."""
        return cls(
            dataset=dataset or context.dataset,
            settings=dict(context.dataset_settings if settings is None else settings),
            data_root=context.data_root,
            cache_dir=context.cache_dir,
            download=context.download,
        )


def classifier_path(request: ClassifierRequest, registry: Registry | None = None) -> Path:
    """Where the classifier for ``request`` is (or will be) cached."""
    registry = registry or _registry()
    canonical = registry.get("dataset", request.dataset).name
    key_text = json.dumps(
        {
            "dataset": canonical,
            "settings": _key_settings(registry, canonical, request.settings),
            "version": CLASSIFIER_VERSION,
            "recipe": asdict(request.recipe),
        },
        sort_keys=True,
        default=str,
    )
    digest = hashlib.blake2b(key_text.encode(), digest_size=6).hexdigest()
    return request.cache_dir / "classifiers" / f"{canonical}-{digest}.safetensors"


def get_classifier(
    request: ClassifierRequest,
    *,
    device: torch.device | str = "cpu",
    registry: Registry | None = None,
    log: Any = None,
) -> tuple[DomainClassifier, dict[str, str]]:
    """The cached classifier for ``request``, trained (and cached) first if missing."""
    registry = registry or _registry()
    path = classifier_path(request, registry)
    if path.is_file():
        return load_classifier(path, device)
    say = log or (lambda message: None)
    say(f"training a {request.dataset} classifier (once; cached in {path.parent})")
    started = time.perf_counter()
    (train_x, train_y), (test_x, test_y), held_out = _splits(request, registry)
    num_classes = int(max(train_y.max(), test_y.max())) + 1
    recipe = _scaled(request.recipe, len(train_x))
    model = train_classifier(train_x, train_y, num_classes, recipe, progress=say)
    test_accuracy = accuracy(model, test_x, test_y)
    seconds = time.perf_counter() - started
    say(f"{request.dataset} classifier: {100 * test_accuracy:.2f}% accuracy in {seconds:.0f}s")
    metadata = {
        "dataset": registry.get("dataset", request.dataset).name,
        "settings": json.dumps(request.settings, sort_keys=True, default=str),
        "test_accuracy": f"{test_accuracy:.6f}",
        "scored_on": "20% held out" if held_out else "test split",
        "train_examples": str(len(train_x)),
        "test_examples": str(len(test_x)),
        "epochs": str(recipe.epochs),
        "train_seconds": f"{seconds:.1f}",
    }
    save_classifier(model, path, metadata)
    return model.to(device), metadata


def held_out_images(
    request: ClassifierRequest, registry: Registry | None = None
) -> tuple[torch.Tensor, bool]:
    """The uint8 images the classifier was scored on and never trained on.

    Returns them and whether they are a split of their own (``test``), apart from the
    training images that generated samples are compared with; the 20 % held out of a
    dataset without a split is not.
    """
    _, (images, _), held_out = _splits(request, registry or _registry())
    return images, not held_out


def weights_digest(path: Path) -> str:
    """The first 16 hex digits of the SHA-256 of a classifier's weights file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _splits(
    request: ClassifierRequest, registry: Registry
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor], bool]:
    """``(train, test, held_out)``: uint8 images and labels of each part."""
    has_split = "split" in _settings_fields(registry, request.dataset)
    if has_split:
        train = _tensors(_build(request, registry, {"split": "train"}), request.dataset)
        test = _tensors(_build(request, registry, {"split": "test"}), request.dataset)
        return train, test, False
    images, labels = _tensors(_build(request, registry, {}), request.dataset)
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
    cut = len(images) - max(1, int(HOLDOUT_SHARE * len(images)))
    train_idx, test_idx = order[:cut], order[cut:]
    return (images[train_idx], labels[train_idx]), (images[test_idx], labels[test_idx]), True


def _build(request: ClassifierRequest, registry: Registry, override: dict[str, Any]) -> DataSource:
    data_context = DataContext(
        data_root=request.data_root, cache_dir=request.cache_dir, download=request.download
    )
    settings = {**request.settings, **override}
    source: DataSource = registry.build("dataset", request.dataset, settings, data_context)
    return source


def _tensors(source: DataSource, dataset: str) -> tuple[torch.Tensor, torch.Tensor]:
    """All images as uint8 and their labels (directly for in-memory sources)."""
    images = getattr(source, "images", None)
    labels = getattr(source, "labels", None)
    if isinstance(images, torch.Tensor) and images.dtype == torch.uint8 and labels is not None:
        return images, labels.long()
    if source.size is None:
        raise DataError(f"dataset {dataset!r} has no fixed set of examples to train a classifier")
    batch = source.sample(source.size, seed=0, device=torch.device("cpu"))
    if batch.labels is None:
        raise DataError(f"dataset {dataset!r} has no labels to train a classifier on")
    return to_uint8(batch.x, source.spec.value_range), batch.labels.long()


def _scaled(recipe: TrainingRecipe, examples: int) -> TrainingRecipe:
    steps_per_epoch = math.ceil(examples / recipe.batch_size)
    epochs = max(recipe.epochs, math.ceil(MIN_TRAINING_STEPS / steps_per_epoch))
    return TrainingRecipe(epochs, recipe.batch_size, recipe.learning_rate, recipe.seed)


def _settings_fields(registry: Registry, dataset: str) -> set[str]:
    model = registry.get("dataset", dataset).settings
    return set(model.model_fields) if model is not None else set()


def _key_settings(registry: Registry, dataset: str, settings: dict[str, Any]) -> dict[str, Any]:
    validated = registry.settings("dataset", dataset, settings)
    values = validated.model_dump(mode="json") if validated is not None else {}
    values.pop("split", None)
    return values


def _registry() -> Registry:
    from ganzoo.plugins import plugin_set

    return plugin_set().registry
