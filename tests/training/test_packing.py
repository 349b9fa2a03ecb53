"""Packing (PacGAN): D judges M examples at once, for every architecture that packs."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.data.spec import DataSpec
from ganzoo.models import BuildOptions, PackedDiscriminator
from tests.conftest import run_cli

PACKING = ["mlp-gan", "dcgan", "pacgan-mlp"]
LOSSES = [e.name for e in ganzoo.list_components("loss")]


def build(name: str, spec: DataSpec, **options: object):  # type: ignore[no-untyped-def]
    return ganzoo.build("architecture", name, {}, spec, BuildOptions(**options))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", PACKING)
@pytest.mark.parametrize("shape", [(2,), (1, 16, 16), (3, 32, 32)])
def test_packed_discriminator_gives_one_logit_per_pack(name: str, shape: tuple[int, ...]) -> None:
    if name == "dcgan" and len(shape) == 1:
        pytest.skip("dcgan is for images")
    models = build(name, DataSpec(shape), pack=4)
    assert models.pack == 4
    x = models.generator(torch.randn(8, models.latent_dim))
    assert models.discriminator(x).shape == (2,)


def test_a_pack_joins_consecutive_examples_along_features() -> None:
    models = build("pacgan-mlp", DataSpec((2,)), pack=2)
    discriminator = models.discriminator
    assert isinstance(discriminator, PackedDiscriminator)
    x = torch.randn(4, 2)
    expected = discriminator.packed(torch.cat([x[0::2], x[1::2]], dim=1))
    torch.testing.assert_close(discriminator(x), expected)
    # swapping examples across packs changes the logits; within a pack it changes the order only
    swapped = x[[2, 1, 0, 3]]
    assert not torch.allclose(discriminator(swapped), discriminator(x))


def test_packing_joins_image_channels() -> None:
    models = build("dcgan", DataSpec((1, 16, 16)), pack=3)
    first = models.discriminator.packed.net[0]
    assert first.in_channels == 3


def test_an_unpacked_discriminator_keeps_its_weight_names() -> None:
    unpacked = build("mlp-gan", DataSpec((2,))).discriminator
    assert not isinstance(unpacked, PackedDiscriminator)
    assert all(k.startswith("net.") for k in unpacked.state_dict())


def test_a_batch_that_does_not_split_into_packs_is_an_error() -> None:
    discriminator = build("pacgan-mlp", DataSpec((2,)), pack=4).discriminator
    with pytest.raises(ValueError, match="does not split into packs of 4"):
        discriminator(torch.randn(6, 2))


def test_minibatch_std_works_across_packs() -> None:
    models = build("pacgan-mlp", DataSpec((2,)), pack=2, minibatch_std=True)
    x = torch.randn(8, 2)
    logits = models.discriminator(x)
    assert logits.shape == (4,)
    # the layer sees the batch of packs: a batch with one pack differing changes every logit
    changed = x.clone()
    changed[0] += 5.0
    assert not torch.allclose(models.discriminator(changed)[1:], logits[1:])


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_trains_with_packing(loss: str, tmp_path: Path) -> None:
    config = ganzoo.RunConfig(
        architecture="pacgan-mlp",
        loss=loss,
        dataset="ring8",
        steps=3,
        batch_size=8,
        pack=2,
        device="cpu",
        out=tmp_path / "run",
        grid_size=16,
    )
    run_dir = ganzoo.train(config, show_progress=False, show_summary=False)
    assert (run_dir / "generator.safetensors").is_file()
    generator = ganzoo.load_generator(run_dir)
    assert generator.sample(5, seed=0).shape == (5, 2)  # sampling does not depend on packing


def test_gradient_penalty_interpolates_per_example_before_packing() -> None:
    from ganzoo.builtin.losses.penalties import gradient_penalty

    discriminator = build("pacgan-mlp", DataSpec((2,)), pack=2).discriminator
    real, fake = torch.randn(6, 2), torch.randn(6, 2)
    torch.manual_seed(0)
    penalty = gradient_penalty(discriminator, real, fake)
    assert penalty.ndim == 0 and torch.isfinite(penalty)
    torch.manual_seed(0)
    alpha = torch.rand(6, 1)  # the same draw: one α per example, not per pack
    points = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(discriminator(points).sum(), points)
    per_pack = grad.reshape(3, 4).norm(dim=1)
    torch.testing.assert_close(penalty, ((per_pack - 1) ** 2).mean())


def test_cli_refuses_packing_where_it_cannot_apply(tmp_path: Path) -> None:
    uneven = run_cli("run", "mlp-gan", "--dataset", "ring8", "--pack", "3", "--batch-size",
                     "64", "--steps", "1", "--out", str(tmp_path / "a"))  # fmt: skip
    assert uneven.returncode == 2, uneven.stderr
    assert "does not split into packs of 3" in uneven.stderr
    assert "Traceback" not in uneven.stderr
    conditional = run_cli("run", "cgan", "--pack", "2", "--steps", "1",
                          "--out", str(tmp_path / "b"))  # fmt: skip
    assert conditional.returncode == 2, conditional.stderr
    assert "cannot pack" in conditional.stderr and "conditional" in conditional.stderr
    assert len(conditional.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "b").exists()
