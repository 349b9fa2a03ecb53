"""The zoo's breadth: hinge, lsgan and weight-clipped wgan; cgan and cdcgan with class-per-row
grids and ``sample --label``; and the run options (spectral norm, EMA, DiffAugment, TTUR,
minibatch standard deviation, R1)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file
from torch import nn

import ganzoo
from ganzoo.builtin.architectures.layers import MinibatchStdDev
from ganzoo.builtin.losses.hinge import HingeLoss
from ganzoo.builtin.losses.least_squares import LeastSquaresLoss
from ganzoo.builtin.losses.logistic import NonSaturatingLoss
from ganzoo.builtin.losses.settings import (
    HingeLossSettings,
    LogisticLossSettings,
    LSGANSettings,
    WGANSettings,
)
from ganzoo.builtin.losses.wgan import WGANLoss
from ganzoo.cli.sampling import sample_command
from ganzoo.data.spec import DataSpec
from ganzoo.errors import ConfigError, DataError
from ganzoo.losses import LossSettings
from ganzoo.models import BuildOptions
from ganzoo.plugins import plugin_set
from ganzoo.training.augment import build_augmentation, cutout, translation
from ganzoo.training.setup import prepare
from ganzoo.training.step import StepLosses, Trainer
from tests.conftest import run_cli

REAL = torch.tensor([[2.0], [-1.0]])
FAKE = torch.tensor([[0.5], [-3.0]])
DIGITS16 = {"image_size": 16}


def identity_critic(x: torch.Tensor) -> torch.Tensor:
    """A 'discriminator' whose output is the example's single feature."""
    return x.sum(dim=1)


def build(name: str, spec: DataSpec, **options: bool):  # type: ignore[no-untyped-def]
    return ganzoo.build("architecture", name, {}, spec, BuildOptions(**options))


def config(tmp_path: Path, **overrides):  # type: ignore[no-untyped-def]
    values = dict(
        architecture="dcgan",
        steps=3,
        batch_size=8,
        device="cpu",
        out=tmp_path / "run",
        grid_size=4,
        dataset_settings=DIGITS16,
    )
    return ganzoo.RunConfig(**{**values, **overrides})


def trainer_for(tmp_path: Path, **overrides) -> Trainer:  # type: ignore[no-untyped-def]
    return Trainer(prepare(config(tmp_path, **overrides), plugin_set().registry))


def train(tmp_path: Path, **overrides) -> Path:  # type: ignore[no-untyped-def]
    return ganzoo.train(config(tmp_path, **overrides), show_progress=False, show_summary=False)


# --- losses: values computed by hand on REAL = (2, −1), FAKE = (0.5, −3) -----------------------


def test_hinge_values() -> None:
    loss = HingeLoss(HingeLossSettings())
    # real: relu(1 − 2) = 0, relu(1 + 1) = 2 → 1; fake: relu(1 + 0.5) = 1.5, relu(1 − 3) = 0 → 0.75
    assert float(loss.discriminator_loss(identity_critic, REAL, FAKE)) == pytest.approx(1.75)
    assert float(loss.generator_loss(identity_critic, FAKE)) == pytest.approx(1.25)


def test_least_squares_values() -> None:
    loss = LeastSquaresLoss(LSGANSettings())
    # ½·((2 − 1)² + (−1 − 1)²)/2 + ½·(0.5² + (−3)²)/2 = ½·2.5 + ½·4.625
    assert float(loss.discriminator_loss(identity_critic, REAL, FAKE)) == pytest.approx(3.5625)
    # ½·((0.5 − 1)² + (−3 − 1)²)/2 = ½·8.125
    assert float(loss.generator_loss(identity_critic, FAKE)) == pytest.approx(4.0625)


def test_least_squares_is_zero_at_its_targets() -> None:
    loss = LeastSquaresLoss(LSGANSettings())
    ones, zeros = torch.ones(3, 1), torch.zeros(3, 1)
    assert float(loss.discriminator_loss(identity_critic, ones, zeros)) == 0.0
    assert float(loss.generator_loss(identity_critic, ones)) == 0.0


def test_wgan_values_and_clipping() -> None:
    loss = WGANLoss(WGANSettings())
    value, logs = loss.discriminator_loss(identity_critic, REAL, FAKE)
    # E[D(x)] − E[D(G(z))] = 0.5 − (−1.25) = 1.75, and the critic minimises its negative
    assert float(logs["wasserstein"]) == pytest.approx(1.75)
    assert float(value) == pytest.approx(-1.75)
    assert float(loss.generator_loss(identity_critic, FAKE)) == pytest.approx(1.25)

    critic = nn.Sequential(nn.Linear(3, 4), nn.GroupNorm(1, 4), nn.Linear(4, 1))
    with torch.no_grad():
        critic[0].weight.copy_(torch.tensor([[0.5, -0.005, 0.0]] * 4))
    loss.after_discriminator_step(critic)
    assert all(float(p.detach().abs().max()) <= 0.01 for p in critic.parameters())
    assert critic[0].weight[0].tolist() == pytest.approx([0.01, -0.005, 0.0])
    assert critic[1].weight.tolist() == pytest.approx([0.01] * 4)  # scales clipped too


def test_loss_defaults_follow_the_papers() -> None:
    wgan = WGANSettings()
    assert (wgan.optimizer, wgan.lr_g, wgan.lr_d, wgan.n_critic, wgan.clip_value) == (
        "rmsprop",
        5e-5,
        5e-5,
        5,
        0.01,
    )
    assert WGANLoss.batchnorm_in_discriminator is False
    for settings in (HingeLossSettings(), LSGANSettings()):
        assert settings.optimizer == "adam"
        assert (settings.lr_g, settings.lr_d, settings.beta1, settings.beta2) == (
            2e-4,
            2e-4,
            0.5,
            0.999,
        )
        assert settings.n_critic == 1
    for loss_class in (HingeLoss, LeastSquaresLoss, WGANLoss):
        assert loss_class.recommended_steps > 0


def test_r1_option_adds_the_weighted_penalty_to_the_logistic_loss() -> None:
    critic = lambda x: (x**2).sum(dim=1)  # noqa: E731  ‖∇D(x)‖² = 4‖x‖²
    plain = NonSaturatingLoss(LogisticLossSettings()).discriminator_loss(critic, REAL, FAKE)
    value, logs = NonSaturatingLoss(LogisticLossSettings(r1_weight=2.0)).discriminator_loss(
        critic, REAL, FAKE
    )
    penalty = (4 * 4 + 4 * 1) / 2  # on the real batch only
    assert float(logs["r1"]) == pytest.approx(penalty)
    assert float(value.detach()) == pytest.approx(float(plain) + 2.0 / 2 * penalty)


def test_lazy_r1_applies_k_times_the_weight_on_every_kth_discriminator_step() -> None:
    critic = lambda x: (x**2).sum(dim=1)  # noqa: E731  ‖∇D(x)‖² = 4‖x‖²
    plain = float(NonSaturatingLoss(LogisticLossSettings()).discriminator_loss(critic, REAL, FAKE))
    loss = NonSaturatingLoss(LogisticLossSettings(r1_weight=2.0, r1_every=3))
    penalty = (4 * 4 + 4 * 1) / 2
    for index in range(7):
        loss.before_discriminator_step(index)
        value = loss.discriminator_loss(critic, REAL, FAKE)
        if index % 3 == 0:
            assert isinstance(value, tuple) and float(value[1]["r1"]) == pytest.approx(penalty)
            assert float(value[0].detach()) == pytest.approx(plain + 3 * 2.0 / 2 * penalty)
        else:  # no penalty, nothing logged, and no second backward to pay for
            assert isinstance(value, torch.Tensor) and float(value) == pytest.approx(plain)


def test_lazy_r1_logs_its_penalty_as_the_mean_of_the_steps_that_took_it(tmp_path: Path) -> None:
    run_dir = train(
        tmp_path,
        architecture="pacgan-mlp",
        dataset="ring8",
        steps=8,
        log_every=4,
        loss_settings={"n_critic": 2, "r1_weight": 0.01, "r1_every": 4},
        dataset_settings={},
        batch_size=16,
    )
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    logged = [row for row in rows if "d_loss" in row]
    # R1 runs on D updates 0, 4, 8 and 12: the first of G steps 1, 3, 5 and 7's two, never
    # the last, and each logged row still carries it
    assert [row["step"] for row in logged] == [4, 8]
    assert all(row["r1"] > 0 for row in logged)


def test_step_losses_average_each_value_over_the_steps_that_logged_it() -> None:
    losses = StepLosses()
    losses.add({"d_loss": torch.tensor(1.0), "r1": torch.tensor(6.0)})
    losses.add({"d_loss": torch.tensor(3.0)})
    losses.add({"d_loss": torch.tensor(5.0), "r1": torch.tensor(2.0)})
    assert losses.means() == {"d_loss": 3.0, "r1": 4.0}


def test_wgan_trains_with_rmsprop_and_keeps_the_critic_clipped(tmp_path: Path) -> None:
    trainer = trainer_for(tmp_path, loss="wgan")
    assert isinstance(trainer.optimizer_d, torch.optim.RMSprop)
    assert isinstance(trainer.optimizer_g, torch.optim.RMSprop)
    assert trainer.n_critic == 5
    assert not any(isinstance(m, nn.BatchNorm2d) for m in trainer.discriminator.modules())
    trainer.train_step()
    assert max(float(p.detach().abs().max()) for p in trainer.discriminator.parameters()) <= 0.01


def test_ttur_gives_the_networks_their_own_learning_rates(tmp_path: Path) -> None:
    trainer = trainer_for(tmp_path, loss="hinge", loss_settings={"lr_g": 1e-4, "lr_d": 4e-4})
    assert isinstance(trainer.optimizer_g, torch.optim.Adam)
    assert [g["lr"] for g in trainer.optimizer_g.param_groups] == [1e-4]
    assert [g["lr"] for g in trainer.optimizer_d.param_groups] == [4e-4]
    # TTUR is named where users look for the learning rates: the settings' descriptions
    for settings in (LossSettings, LogisticLossSettings, WGANSettings, HingeLossSettings):
        assert "TTUR" in (settings.model_fields["lr_g"].description or "")


# --- conditional architectures ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["cgan", "cdcgan"])
def test_conditional_models_take_labels_and_use_them(name: str) -> None:
    torch.manual_seed(0)
    models = build(name, DataSpec((1, 16, 16), num_classes=10))
    assert models.conditional
    models.generator.eval()
    models.discriminator.eval()
    z = torch.randn(4, models.latent_dim)
    zeros, ones = torch.zeros(4, dtype=torch.long), torch.ones(4, dtype=torch.long)
    images = models.generator(z, zeros)
    assert images.shape == (4, 1, 16, 16)
    assert not torch.allclose(images, models.generator(z, ones))
    assert models.discriminator(images, zeros).shape == (4,)
    scores = models.discriminator(images, zeros)
    assert not torch.allclose(scores, models.discriminator(images, ones))


@pytest.mark.parametrize("name", ["cgan", "cdcgan"])
def test_conditional_models_need_labelled_data(name: str) -> None:
    with pytest.raises(DataError, match=f"{name}.*class labels"):
        build(name, DataSpec((1, 16, 16)))


def test_cdcgan_names_itself_for_sizes_it_cannot_make() -> None:
    with pytest.raises(DataError, match=r"^cdcgan cannot make 30×30"):
        build("cdcgan", DataSpec((1, 30, 30), num_classes=10))


PROJECTIONS = {
    "cdcgan": {},
    "cgan": {"discriminator_conditioning": "projection"},
}
"""The architectures and settings whose D projects the class onto its features."""


@pytest.mark.parametrize("name", PROJECTIONS)
def test_projection_discriminator_is_psi_plus_the_class_inner_product(name: str) -> None:
    torch.manual_seed(0)
    spec = DataSpec((1, 16, 16), num_classes=10)
    critic = ganzoo.build("architecture", name, PROJECTIONS[name], spec, BuildOptions())
    critic = critic.discriminator.eval()
    x = torch.randn(3, 1, 16, 16)
    labels = torch.tensor([2, 5, 2])
    phi = critic.features(x)
    assert phi.flatten(1).shape[1] == critic.embed.weight.shape[1]
    psi = critic.psi(phi).view(-1)
    expected = psi + (phi.flatten(1) * critic.embed.weight[labels]).sum(dim=1)
    assert torch.allclose(critic(x, labels), expected, atol=1e-6)
    # the class term moves D by ⟨embed(y) − embed(y'), φ(x)⟩ and nothing else
    other = torch.tensor([7, 7, 7])
    shift = (phi.flatten(1) * (critic.embed.weight[labels] - critic.embed.weight[other])).sum(1)
    assert torch.allclose(critic(x, labels) - critic(x, other), shift, atol=1e-5)


def test_cgan_joins_the_label_to_ds_input_unless_asked_to_project() -> None:
    spec = DataSpec((1, 16, 16), num_classes=10)
    joined = build("cgan", spec).discriminator
    projected = ganzoo.build(
        "architecture", "cgan", {"discriminator_conditioning": "projection"}, spec, BuildOptions()
    ).discriminator
    # concat: the embedding widens D's first layer; projection: D's layers are mlp-gan's
    assert joined.body.net[1].in_features == 16 * 16 + 16
    assert projected.features[1].in_features == 16 * 16
    assert projected.embed.weight.shape == (10, projected.psi.in_features)
    with pytest.raises(ConfigError, match="discriminator_conditioning: input should be 'conc"):
        ganzoo.build(
            "architecture", "cgan", {"discriminator_conditioning": "both"}, spec, BuildOptions()
        )


@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny cdcgan run on 16-pixel digits with 20-sample grids (two per class)."""
    from ganzoo import plugins

    plugins.reset()
    out = tmp_path_factory.mktemp("cdcgan")
    return train(out, architecture="cdcgan", loss="hinge", grid_size=20, sample_every=3)


def test_training_grids_show_one_class_per_row(conditional_run: Path) -> None:
    grids = sorted((conditional_run / "samples").glob("step-*.png"))
    assert grids
    # 10 rows (classes) × 2 columns of 16-pixel digits with make_grid's 2-pixel padding
    assert Image.open(grids[-1]).size == (2 * 18 + 2, 10 * 18 + 2)


def test_sample_label_draws_that_class(conditional_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "threes.npy"
    result = run_cli("sample", str(conditional_run), "--label", "3", "-n", "5", "-o", str(out))
    assert result.returncode == 0, result.stderr
    samples = np.load(out)
    assert samples.shape == (5, 1, 16, 16)
    generator = ganzoo.load_generator(conditional_run)
    expected = generator.sample(5, seed=0, labels=torch.full((5,), 3, dtype=torch.long))
    assert np.allclose(samples, expected.numpy(), atol=1e-6)
    others = generator.sample(5, seed=0, labels=torch.full((5,), 4, dtype=torch.long))
    assert not np.allclose(samples, others.numpy())


def sample(source: Path, out: Path, count: int = 64, label: int | None = None) -> None:
    """``ganzoo sample`` in this process (one real CLI run above covers the flag parsing)."""
    sample_command(
        source, count=count, seed=0, out=out, label=label, code=None, device="cpu", overwrite=False
    )


def test_sample_grid_has_one_row_per_class(conditional_run: Path, tmp_path: Path) -> None:
    sample(conditional_run, tmp_path / "grid.png", count=35)
    assert Image.open(tmp_path / "grid.png").size == (3 * 18 + 2, 10 * 18 + 2)  # 3 per class
    sample(conditional_run, tmp_path / "sevens.png", count=6, label=7)
    assert Image.open(tmp_path / "sevens.png").size == (3 * 18 + 2, 2 * 18 + 2)  # square grid
    with pytest.raises(ConfigError, match=r"0\.\.9"):
        sample(conditional_run, tmp_path / "x.png", label=10)


def test_label_is_refused_for_unconditional_generators(tmp_path: Path) -> None:
    run_dir = train(tmp_path, architecture="mlp-gan", dataset_settings={"image_size": 8})
    with pytest.raises(ConfigError, match="conditional"):
        sample(run_dir, tmp_path / "x.png", label=1)


# --- spectral normalisation ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mlp-gan", "dcgan", "cgan", "cdcgan"])
def test_spectral_norm_bounds_every_weight_of_d(name: str) -> None:
    torch.manual_seed(0)
    critic = build(name, DataSpec((1, 16, 16), num_classes=10), spectral_norm=True).discriminator
    labels = (torch.randint(10, (8,)),) if name.startswith("c") else ()
    with torch.no_grad():
        for _ in range(20):  # one power iteration per training forward pass
            critic(torch.randn(8, 1, 16, 16), *labels)
    critic.eval()
    normalised = [m for m in critic.modules() if hasattr(m, "parametrizations")]
    # every layer that acts on x; cgan's label embedding is an input, cdcgan's a map of φ(x)
    weight_layers = [m for m in critic.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    if name == "cdcgan":
        weight_layers.append(critic.embed)
    assert normalised and {id(m) for m in normalised} == {id(m) for m in weight_layers}
    assert not any(isinstance(m, nn.BatchNorm2d) for m in critic.modules())
    for module in normalised:
        sigma = torch.linalg.matrix_norm(module.weight.detach().flatten(1), ord=2)
        assert float(sigma) == pytest.approx(1.0, abs=0.05), module


# --- exponential moving average of G ---------------------------------------------------------


def test_ema_follows_the_generator_by_its_decay(tmp_path: Path) -> None:
    trainer = trainer_for(
        tmp_path, architecture="cgan", ema=0.9, dataset_settings={"image_size": 8}
    )
    assert trainer.generator_ema is not None
    # at step 0 the decay ramps from (1 + step) / (10 + step) = 0.1, so G's first steps dominate
    before = [p.detach().clone() for p in trainer.generator.parameters()]
    trainer.train_step()
    after = [p.detach().clone() for p in trainer.generator.parameters()]
    for old, new, ema in zip(before, after, trainer.generator_ema.parameters(), strict=True):
        assert torch.allclose(ema, 0.1 * old + 0.9 * new, atol=1e-6)
    # later the configured decay applies
    trainer.step = 1000
    previous = [p.detach().clone() for p in trainer.generator_ema.parameters()]
    trainer.train_step()
    newest = [p.detach() for p in trainer.generator.parameters()]
    for old, new, ema in zip(previous, newest, trainer.generator_ema.parameters(), strict=True):
        assert torch.allclose(ema, 0.9 * old + 0.1 * new, atol=1e-6)
    assert trainer.sampling_generator() is trainer.generator_ema


def test_ema_is_saved_beside_g_and_used_for_sampling(tmp_path: Path) -> None:
    run_dir = train(tmp_path, architecture="cdcgan", ema=0.9)
    plain = load_file(run_dir / "generator.safetensors")
    ema = load_file(run_dir / "generator_ema.safetensors")
    assert plain.keys() == ema.keys()
    assert any(not torch.equal(plain[k], ema[k]) for k in plain if plain[k].is_floating_point())
    generator = ganzoo.load_generator(run_dir)
    assert generator.path.name == "generator_ema.safetensors"
    state = generator.module.state_dict()
    assert all(torch.equal(state[k], ema[k]) for k in ema)
    assert ganzoo.load_generator(run_dir / "generator.safetensors").path.name == (
        "generator.safetensors"
    )


# --- DiffAugment -----------------------------------------------------------------------------

SPEC = DataSpec((3, 16, 16))


@pytest.mark.parametrize("policy", ["translation", "cutout", "color", "translation,cutout,color"])
@pytest.mark.parametrize("shape", [(5, 3, 16, 16), (4, 1, 28, 28), (2, 3, 16, 24)])
def test_diffaugment_keeps_shapes_and_passes_gradients(policy: str, shape: tuple[int, ...]) -> None:
    augment = build_augmentation(policy, DataSpec(shape[1:]))
    assert augment is not None
    x = torch.randn(shape, requires_grad=True)
    out = augment(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    out.pow(2).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_translation_shifts_each_example_by_its_own_whole_pixel_offset() -> None:
    torch.manual_seed(0)
    n = 32
    x = (torch.arange(16 * 16, dtype=torch.float32) + 1).view(1, 1, 16, 16).repeat(n, 3, 1, 1)
    out = translation(x)
    offsets = set()
    for example in range(n):
        found = [
            (dy, dx)
            for dy in range(-2, 3)  # 16 · 1/8 = 2 pixels at most
            for dx in range(-2, 3)
            if torch.equal(out[example], _shift(x[example], dy, dx))
        ]
        assert len(found) == 1, example  # one offset moves the whole example, every channel
        offsets.add(found[0])
    assert len(offsets) > 5  # drawn per example, not once per batch


def _shift(image: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    shifted = torch.zeros_like(image)
    h, w = image.shape[1:]
    shifted[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return shifted


def test_translation_gradient_counts_the_pixels_kept() -> None:
    torch.manual_seed(1)
    x = torch.randn(6, 2, 16, 16, requires_grad=True)
    out = translation(x)
    out.sum().backward()
    assert x.grad is not None
    # each kept pixel lands once; pixels shifted out of the frame get no gradient
    assert set(x.grad.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(x.grad.sum(dim=(1, 2, 3)), (out != 0).sum(dim=(1, 2, 3)).float())


def test_cutout_zeroes_one_square_per_example() -> None:
    torch.manual_seed(0)
    x = torch.ones(32, 3, 16, 16)
    out = cutout(x)
    corners = set()
    for example in out:
        assert torch.equal(example[0], example[1]) and torch.equal(example[0], example[2])
        rows, cols = torch.nonzero(example[0] == 0, as_tuple=True)
        top, bottom, left, right = rows.min(), rows.max(), cols.min(), cols.max()
        # a full rectangle of at most 8×8 (16 · 1/2), clipped by the border
        assert int((example[0, top : bottom + 1, left : right + 1] == 0).sum()) == len(rows)
        assert bottom - top + 1 <= 8 and right - left + 1 <= 8
        corners.add((int(top), int(left)))
    assert len(corners) > 5


def test_color_draws_brightness_per_example() -> None:
    torch.manual_seed(0)
    augment = build_augmentation("color", DataSpec((1, 8, 8)))
    assert augment is not None
    x = torch.zeros(16, 1, 8, 8)  # flat grey images: only brightness changes them
    out = augment(x)
    per_example = out.flatten(1)
    assert torch.allclose(per_example, per_example[:, :1].expand_as(per_example))
    assert per_example[:, 0].unique().numel() == 16
    assert per_example.abs().max() <= 0.5


def test_real_and_fake_batches_get_independent_draws() -> None:
    augment = build_augmentation("translation,cutout,color", SPEC)
    assert augment is not None
    x = torch.randn(8, 3, 16, 16)
    torch.manual_seed(0)
    first, second = augment(x), augment(x)  # as for the real batch, then the fake one
    assert not torch.allclose(first, second)
    torch.manual_seed(0)  # torch's global generator: checkpoints replay the same draws
    assert torch.equal(augment(x), first)


def test_diffaugment_works_in_the_data_range() -> None:
    torch.manual_seed(0)
    augment = build_augmentation("translation", DataSpec((1, 16, 16), value_range=(0.0, 1.0)))
    assert augment is not None
    out = augment(torch.ones(32, 1, 16, 16))
    assert set(out.unique().tolist()) <= {0.5, 1.0}  # padding is the range's middle
    assert (out == 0.5).any()


def test_diffaugment_refuses_unknown_policies_and_points() -> None:
    assert build_augmentation(None, SPEC) is None
    with pytest.raises(ConfigError, match="allowed: color, translation, cutout"):
        build_augmentation("translation,flip", SPEC)
    with pytest.raises(ConfigError, match="images only"):
        build_augmentation("color", DataSpec((2,)))


def test_trainer_augments_what_d_sees(tmp_path: Path) -> None:
    trainer = trainer_for(tmp_path, architecture="cdcgan", diffaugment="translation,cutout")
    seen: list[torch.Tensor] = []
    trainer.discriminator.register_forward_hook(lambda m, args, out: seen.append(args[0]))
    x = torch.randn(4, 1, 16, 16)
    trainer.critic(torch.zeros(4, dtype=torch.long))(x)
    assert seen and not torch.equal(seen[0], x) and seen[0].shape == x.shape


# --- minibatch standard deviation ------------------------------------------------------------


def test_minibatch_std_adds_one_channel() -> None:
    x = torch.randn(6, 4, 5, 5)
    out = MinibatchStdDev()(x)
    assert out.shape == (6, 5, 5, 5)
    assert torch.equal(out[:, :4], x)
    expected = x.std(dim=0, unbiased=False).mean()
    assert torch.allclose(out[:, 4], expected.expand(6, 5, 5))


@pytest.mark.parametrize("name", ["mlp-gan", "dcgan", "cgan", "cdcgan"])
def test_minibatch_std_layer_sits_before_ds_last_layer(name: str) -> None:
    spec = DataSpec((1, 16, 16), num_classes=10)
    plain = build(name, spec).discriminator
    with_std = build(name, spec, minibatch_std=True).discriminator
    assert not any(isinstance(m, MinibatchStdDev) for m in plain.modules())
    assert sum(isinstance(m, MinibatchStdDev) for m in with_std.modules()) == 1
    last_plain = [m for m in plain.modules() if isinstance(m, (nn.Linear, nn.Conv2d))][-1]
    last = [m for m in with_std.modules() if isinstance(m, (nn.Linear, nn.Conv2d))][-1]
    width = "in_features" if isinstance(last, nn.Linear) else "in_channels"
    assert getattr(last, width) == getattr(last_plain, width) + 1
    labels = (torch.zeros(3, dtype=torch.long),) if name.startswith("c") else ()
    assert with_std(torch.randn(3, 1, 16, 16), *labels).shape == (3,)


# --- the options together ----------------------------------------------------------------------


def test_every_option_at_once_on_a_conditional_run(tmp_path: Path) -> None:
    run_dir = train(
        tmp_path,
        architecture="cdcgan",
        loss="hinge",
        spectral_norm=True,
        minibatch_std=True,
        diffaugment="translation,cutout,color",
        ema=0.99,
        loss_settings={"lr_g": 1e-4, "lr_d": 4e-4},
        steps=4,
    )
    generator = ganzoo.load_generator(run_dir)
    assert generator.conditional and generator.path.name == "generator_ema.safetensors"
    assert generator.description.build_options == BuildOptions(
        batchnorm_in_discriminator=True, spectral_norm=True, minibatch_std=True
    )
    samples = generator.sample(10, labels=torch.arange(10))
    assert samples.shape == (10, 1, 16, 16) and torch.isfinite(samples).all()
