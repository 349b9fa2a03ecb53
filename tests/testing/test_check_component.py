"""``ganzoo.testing.check_component``: built-ins pass, deliberately broken components fail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch
from torch import nn

from ganzoo.data import Batch, DataSource, DataSpec, TensorSource
from ganzoo.errors import DataError
from ganzoo.evaluation import EvalContext, Metric
from ganzoo.losses import Loss, LossSettings
from ganzoo.models import GANModels, ImageSizes
from ganzoo.plugins import hookimpl, load
from ganzoo.registry import Registry
from ganzoo.testing import ContractViolation, check_component


@pytest.mark.parametrize(
    ("kind", "name", "options"),
    [
        ("architecture", "mlp-gan", {"spec": DataSpec((2,))}),
        ("architecture", "dcgan", {"spec": DataSpec((1, 16, 16), num_classes=None)}),
        ("architecture", "cgan", {"spec": DataSpec((1, 8, 8), num_classes=10)}),
        ("loss", "non-saturating", {}),
        ("loss", "wgan-gp", {}),
        ("loss", "wgan", {}),
        ("dataset", "ring8", {}),
        ("dataset", "digits", {}),
        ("metric", "mode-coverage", {"dataset": "grid25"}),
    ],
)
def test_builtin_components_honour_their_contracts(
    kind: str, name: str, options: dict[str, Any]
) -> None:
    checked = check_component(kind, name, **options)
    assert len(checked) >= 5


# --- deliberately broken components --------------------------------------------------------


def _wrong_shape(spec: DataSpec, options: Any) -> GANModels:
    generator = nn.Sequential(nn.Linear(4, spec.numel + 1))  # one value too many
    discriminator = nn.Sequential(nn.Flatten(), nn.Linear(spec.numel, 1), nn.Flatten(0))
    return GANModels(generator, discriminator, latent_dim=4)


def _unbounded_images(spec: DataSpec, options: Any) -> GANModels:
    generator = nn.Sequential(
        nn.Linear(8, spec.numel), nn.Unflatten(1, spec.shape), _Times(100.0)
    )  # no tanh: far outside [-1, 1]
    discriminator = nn.Sequential(nn.Flatten(), nn.Linear(spec.numel, 1), nn.Flatten(0))
    return GANModels(generator, discriminator, latent_dim=8)


def _square_only_16(spec: DataSpec, options: Any) -> GANModels:
    """Makes 16×16 images only, though it declares 16·2^k for every k."""
    if spec.shape[1:] != (16, 16):
        raise DataError(f"overclaiming makes 16×16 images only, not {spec.describe()}")
    generator = nn.Sequential(nn.Linear(4, spec.numel), nn.Tanh(), nn.Unflatten(1, spec.shape))
    discriminator = nn.Sequential(nn.Flatten(), nn.Linear(spec.numel, 1), nn.Flatten(0))
    return GANModels(generator, discriminator, latent_dim=4)


class _Times(nn.Module):
    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.factor


class _NaNLoss(Loss):
    def discriminator_loss(self, critic: Any, real: torch.Tensor, fake: torch.Tensor) -> Any:
        return torch.log(critic(real) - critic(real)).mean()  # log 0 - ... NaN / -inf

    def generator_loss(self, critic: Any, fake: torch.Tensor) -> Any:
        return -critic(fake).mean()


class _CriticFreeLoss(Loss):
    """Never asks the critic in D's loss, so D learns nothing."""

    def discriminator_loss(self, critic: Any, real: torch.Tensor, fake: torch.Tensor) -> Any:
        return real.mean() - fake.mean()

    def generator_loss(self, critic: Any, fake: torch.Tensor) -> Any:
        return -critic(fake).mean()


class _UnseededSource(DataSource):
    """Ignores the seed: batches differ on every pass."""

    spec = DataSpec((2,), (-5.0, 5.0))

    def batches(
        self, batch_size: int, *, seed: int, device: torch.device, start: int = 0
    ) -> Iterator[Batch]:
        while True:
            yield Batch(torch.randn(batch_size, 2).clamp(-5, 5), None)


def _float_labels(context: Any) -> DataSource:
    class FloatLabels(TensorSource):
        def batches(self, batch_size: int, **kwargs: Any) -> Iterator[Batch]:
            for batch in super().batches(batch_size, **kwargs):
                assert batch.labels is not None
                yield Batch(batch.x, batch.labels.float())

    x = torch.linspace(-1, 1, 64).reshape(32, 2)
    return FloatLabels(x, torch.arange(32) % 4, num_classes=4)


class _RandomMetric(Metric):
    keys = ("score",)

    def applies_to(self, dataset: str, spec: DataSpec) -> bool:
        return spec.shape == (2,)

    def compute(self, context: EvalContext) -> dict[str, float]:
        return {"score": torch.rand(1).item()}  # unseeded


class _UndeclaredKeyMetric(_RandomMetric):
    def compute(self, context: EvalContext) -> dict[str, float]:
        return {"score": 1.0, "Extra Key": 2.0}


class _Broken:
    @hookimpl
    def register_architectures(self, register: Any) -> None:
        register("wrong-shape", _wrong_shape, description="G gives one value too many")
        register("unbounded", _unbounded_images, description="G leaves [-1, 1]")
        register(
            "overclaiming",
            _square_only_16,
            description="Declares sizes it cannot make",
            image_sizes=ImageSizes((16,), min_doublings=0),
        )

    @hookimpl
    def register_losses(self, register: Any) -> None:
        register("nan-loss", _NaNLoss, LossSettings, description="D loss is not finite")
        register("critic-free", _CriticFreeLoss, LossSettings, description="D loss ignores D")

    @hookimpl
    def register_datasets(self, register: Any) -> None:
        register("unseeded", lambda context: _UnseededSource(), description="Ignores seeds")
        register("float-labels", _float_labels, description="Labels are floats")

    @hookimpl
    def register_metrics(self, register: Any) -> None:
        register("random-metric", _RandomMetric, description="Not deterministic")
        register("bad-keys", _UndeclaredKeyMetric, description="Returns an undeclared key")


@pytest.fixture(scope="module")
def broken_registry() -> Registry:
    return load(extra_plugins=[(_Broken(), "ganzoo-broken-on-purpose", "0.0.1")]).registry


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        (
            "architecture",
            "wrong-shape",
            r"architecture 'wrong-shape' \(ganzoo-broken-on-purpose 0\.0\.1\) breaks the "
            r"architecture contract, rule 'generator output shape for 2 in \[-1, 1\]': "
            r"expected shape \(4, 2\), got \(4, 3\)",
        ),
        (
            "architecture",
            "unbounded",
            r"rule 'generator output in the value range for 1×28×28 in \[-1, 1\]': "
            r"values span \[-\d",
        ),
        (
            "architecture",
            "overclaiming",
            r"rule 'makes the 32×32 images it declares': building for 1×32×32 .*16×16 "
            r"images only",
        ),
        ("loss", "nan-loss", r"rule 'D loss is finite': 1 of 1 values are NaN or infinite"),
        ("loss", "critic-free", r"rule 'D loss has a gradient': it does not require grad"),
        ("dataset", "unseeded", r"rule 'batch i depends only on \(seed, i\)'"),
        ("dataset", "float-labels", r"rule 'labels are int64 of shape \(N,\)'.*torch\.float32"),
        ("metric", "random-metric", r"rule 'the same numbers for the same seed'"),
        ("metric", "bad-keys", r"rule 'keys are snake_case': key 'Extra Key'"),
    ],
)
def test_a_broken_component_fails_naming_the_rule(
    broken_registry: Registry, kind: str, name: str, message: str
) -> None:
    with pytest.raises(ContractViolation, match=message):
        check_component(kind, name, registry=broken_registry)


def test_a_violation_is_an_assertion_error_so_pytest_reports_a_failure() -> None:
    assert issubclass(ContractViolation, AssertionError)


def test_an_unknown_kind_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValueError, match=r"'recipe' has no contract checks.*allowed: architecture"):
        check_component("recipe", "pacgan-ring8")
