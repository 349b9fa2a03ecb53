"""Every registered architecture with every registered loss, and the shapes they adapt to."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

import ganzoo
from ganzoo.data.spec import DataSpec
from ganzoo.errors import DataError
from ganzoo.models import BuildOptions

ARCHITECTURES = [e.name for e in ganzoo.list_components("architecture")]
LOSSES = [e.name for e in ganzoo.list_components("loss")]
CONVOLUTIONAL = {"dcgan", "cdcgan", "infogan"}
"""Architectures whose smallest sizes are 16 pixels; the digits run at 16 for them."""
ONE_SHAPE = {"resnet-gan": (3, 32, 32)}
"""Architectures made for one image shape only (they refuse the others)."""
SMALL_SETTINGS = {"resnet-gan": {"generator_channels": 8, "discriminator_channels": 8}}
"""Narrower networks where the defaults would make the training tests slow."""
ONE_CRITIC_STEP = {"resnet-gan"}
"""Architectures trained with one critic step per loss here: 32×32 convolutions are slow."""


def build(name: str, spec: DataSpec, **options: bool):  # type: ignore[no-untyped-def]
    return ganzoo.build("architecture", name, {}, spec, BuildOptions(**options))


@pytest.mark.parametrize("name", ARCHITECTURES)
@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32), (3, 64, 64)])
def test_image_architectures_make_the_data_shape(name: str, shape: tuple[int, ...]) -> None:
    if name in ONE_SHAPE and shape != ONE_SHAPE[name]:
        with pytest.raises(DataError, match=f"{name} makes"):
            build(name, DataSpec(shape))
        return
    models = build(name, DataSpec(shape, num_classes=10))  # the unconditional ignore classes
    z = torch.randn(3, models.latent_dim)
    labels = (torch.tensor([0, 9, 4]),) if models.conditional else ()
    images = models.generator(z, *labels)
    assert images.shape == (3, *shape)
    assert images.min() >= -1 and images.max() <= 1
    assert models.discriminator(images, *labels).shape == (3,)


def test_mlp_gan_handles_points_with_a_linear_output() -> None:
    models = build("mlp-gan", DataSpec((2,), value_range=(-5.0, 5.0)))
    points = models.generator(torch.randn(4, 100))
    assert points.shape == (4, 2)
    assert not any(isinstance(m, nn.Tanh) for m in models.generator.modules())


def test_mlp_gan_has_the_classic_widths() -> None:
    models = build("mlp-gan", DataSpec((1, 28, 28)))
    widths = [m.out_features for m in models.generator.modules() if isinstance(m, nn.Linear)]
    assert widths == [128, 256, 512, 1024, 784]
    widths = [m.out_features for m in models.discriminator.modules() if isinstance(m, nn.Linear)]
    assert widths == [512, 256, 1]


def test_mlp_gan_defaults_keep_batchnorm_on_every_block_with_torchs_eps() -> None:
    norms = [m for m in build("mlp-gan", DataSpec((1, 28, 28))).generator.modules()
             if isinstance(m, nn.BatchNorm1d)]  # fmt: skip
    assert [m.num_features for m in norms] == [128, 256, 512, 1024]
    assert all(m.eps == 1e-5 and m.momentum == 0.1 for m in norms)


def test_mlp_gan_tutorial_settings_are_the_pytorch_gan_tutorials_networks() -> None:
    from ganzoo.builtin.recipes import TUTORIAL_MLP_SETTINGS

    spec = DataSpec((1, 28, 28))
    models = ganzoo.build("architecture", "mlp-gan", TUTORIAL_MLP_SETTINGS, spec, BuildOptions())
    layers = [type(m).__name__ for m in models.generator.net]
    block = ["Linear", "BatchNorm1d", "LeakyReLU"]
    assert layers == ["Linear", "LeakyReLU", *block, *block, *block, "Linear", "ScaledTanh"]
    norms = [m for m in models.generator.modules() if isinstance(m, nn.BatchNorm1d)]
    # the tutorial's nn.BatchNorm1d(width, 0.8): 0.8 is eps; momentum stays torch's 0.1
    assert all(m.eps == 0.8 and m.momentum == 0.1 for m in norms)
    slopes = {m.negative_slope for m in models.generator.modules() if isinstance(m, nn.LeakyReLU)}
    assert slopes == {0.2}
    d_layers = [type(m).__name__ for m in models.discriminator.net]
    assert d_layers == ["Flatten", "Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear"]


def test_mlp_gan_defaults_build_the_generator_they_built_before_the_batchnorm_settings() -> None:
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for width_in, width in [(100, 128), (128, 256), (256, 512), (512, 1024)]:
        layers += [nn.Linear(width_in, width), nn.BatchNorm1d(width), nn.LeakyReLU(0.2)]
    before = nn.Sequential(*layers, nn.Linear(1024, 784)).state_dict()
    torch.manual_seed(0)
    now = build("mlp-gan", DataSpec((1, 28, 28))).generator.net.state_dict()
    assert list(now) == list(before)
    assert all(torch.equal(now[name], before[name]) for name in before)


def test_dcgan_critic_has_no_batchnorm_when_the_loss_forbids_it() -> None:
    critic = build("dcgan", DataSpec((3, 32, 32)), batchnorm_in_discriminator=False).discriminator
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in critic.modules())
    assert any(isinstance(m, nn.GroupNorm) for m in critic.modules())
    default = build("dcgan", DataSpec((3, 32, 32))).discriminator
    assert any(isinstance(m, nn.BatchNorm2d) for m in default.modules())
    assert not any(
        isinstance(m, (nn.Linear, nn.MaxPool2d, nn.AvgPool2d)) for m in default.modules()
    )


@pytest.mark.parametrize("shape", [(1, 30, 30), (3, 32, 16), (2,)])
def test_dcgan_refuses_sizes_it_cannot_make(shape: tuple[int, ...]) -> None:
    with pytest.raises(DataError, match="dcgan"):
        build("dcgan", DataSpec(shape))


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_every_architecture_trains_with_every_loss(architecture: str, loss: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"dataset": "digits"}
    if architecture in CONVOLUTIONAL:
        data["dataset_settings"] = {"image_size": 16}
    if architecture in ONE_SHAPE:
        channels, size, _ = ONE_SHAPE[architecture]
        folder = random_images(tmp_path / "images", size, channels)
        data = {"dataset": "image-folder", "dataset_settings": {"path": folder, "image_size": size}}
    config = ganzoo.RunConfig(
        architecture=architecture,
        loss=loss,
        steps=3,
        batch_size=8,
        device="cpu",
        out=tmp_path / "run",
        grid_size=4,
        architecture_settings=SMALL_SETTINGS.get(architecture, {}),
        loss_settings={"n_critic": 1} if architecture in ONE_CRITIC_STEP else {},
        **data,
    )
    run_dir = ganzoo.train(config, show_progress=False, show_summary=False)
    generator = ganzoo.load_generator(run_dir)
    assert generator.description.step == 3
    samples = generator.sample(2)
    assert samples.shape[0] == 2 and torch.isfinite(samples).all()


def random_images(folder: Path, size: int, channels: int) -> Path:
    """A folder of 16 random RGB images of ``size`` pixels."""
    from PIL import Image

    folder.mkdir(parents=True)
    pixels = torch.randint(0, 256, (16, size, size, channels), dtype=torch.uint8).numpy()
    for index, image in enumerate(pixels):
        Image.fromarray(image).save(folder / f"{index:02d}.png")
    return folder


@pytest.mark.parametrize("tied", [False, True])
def test_maxout_takes_the_largest_piece_and_splits_the_gradient_of_a_tie_as_amax_does(
    tied: bool,
) -> None:
    from ganzoo.builtin.architectures.toy import Maxout

    torch.manual_seed(0)
    layer = Maxout(3, units=4, pieces=5)
    if tied:  # pieces 1 and 3 of unit 2 are one function: they tie for every input
        with torch.no_grad():
            weight = layer.linear.weight.view(4, 5, 3)
            weight[2, 3] = weight[2, 1] = weight[2, 1] + 10.0
            layer.linear.bias.view(4, 5)[2, 3] = layer.linear.bias.view(4, 5)[2, 1]
    x = torch.randn(6, 3)
    gradients = []
    for take in (layer, lambda x: layer.linear(x).view(6, 4, 5).amax(dim=2)):
        layer.zero_grad()
        out = take(x)
        out.backward(torch.arange(24.0).view(6, 4))
        gradients.append((out.detach(), layer.linear.weight.grad.clone()))
    (ours, our_grad), (amax, amax_grad) = gradients
    assert torch.equal(ours, amax)
    assert torch.equal(our_grad, amax_grad)  # bit for bit, ties included
    rows = our_grad.view(4, 5, 3)[2]
    assert torch.equal(rows[1], rows[3]) == tied and (rows[1].abs().sum() > 0) == tied


def test_maxout_compiles_to_one_graph_with_the_plain_layers_values_and_gradients() -> None:
    from ganzoo.builtin.architectures.toy import Maxout

    torch.manual_seed(0)
    layer = Maxout(3, units=4, pieces=5)
    x = torch.randn(6, 3)
    # fullgraph: a graph break (the plain path's tie check reads a tensor on the host)
    # fails the compile instead of splitting it
    compiled = torch.compile(layer, backend="aot_eager", fullgraph=True)
    results = []
    for take in (layer, compiled):
        layer.zero_grad()
        out = take(x)
        out.backward(torch.arange(24.0).view(6, 4))
        results.append((out.detach(), layer.linear.weight.grad.clone()))
    (plain, plain_grad), (ours, our_grad) = results
    torch.testing.assert_close(ours, plain)
    torch.testing.assert_close(our_grad, plain_grad)


@pytest.mark.parametrize("layout", [torch.contiguous_format, torch.channels_last])
def test_dcgans_first_layer_is_its_transposed_convolution_computed_as_a_product_under_autocast(
    layout: torch.memory_format,
) -> None:
    from ganzoo.builtin.architectures.conv_products import LatentToMap

    torch.manual_seed(0)
    layer = LatentToMap(10, 6, 4).to(memory_format=layout)
    convolution = nn.ConvTranspose2d(10, 6, 4, 1, 0, bias=False).to(memory_format=layout)
    convolution.load_state_dict(layer.state_dict())  # the same key and shape: old weights load
    z = torch.randn(5, 10, 1, 1)
    # without autocast it is the convolution, bit for bit (fp32 runs stay exact)
    assert torch.equal(layer(z), convolution(z))
    results = []
    for module in (layer, convolution):
        module.zero_grad()
        with torch.autocast("cpu", torch.bfloat16):
            out = module(z)
        out.float().backward(torch.arange(out.numel(), dtype=torch.float32).view(out.shape))
        results.append((out, module.weight.grad.clone()))
    (ours, our_grad), (theirs, their_grad) = results
    assert ours.dtype == theirs.dtype == torch.bfloat16 and ours.shape == (5, 6, 4, 4)
    assert ours.is_contiguous(memory_format=layout)
    torch.testing.assert_close(ours.float(), theirs.float(), rtol=1e-2, atol=1e-2)
    torch.testing.assert_close(our_grad, their_grad, rtol=1e-2, atol=1e-1)
    # a map larger than 1×1 is no single product: it stays a convolution
    wide = torch.randn(5, 10, 2, 2)
    with torch.autocast("cpu", torch.bfloat16):
        assert layer(wide).shape == (5, 6, 5, 5)


def _conv_product_layers() -> list[tuple[nn.Module, nn.Module, int]]:
    """(ganzoo's layer, torch's layer it stands for, channels of the map it reads)."""
    from ganzoo.builtin.architectures.conv_products import (
        MapToScore,
        StridedConv,
        StridedConvTranspose,
    )

    return [
        (StridedConv(6, 10), nn.Conv2d(6, 10, 4, 2, 1, bias=False), 6),
        (StridedConvTranspose(10, 6), nn.ConvTranspose2d(10, 6, 4, 2, 1, bias=False), 10),
        (MapToScore(10, 4), nn.Conv2d(10, 1, 4, 1, 0, bias=False), 10),
    ]


@pytest.mark.parametrize("layout", [torch.contiguous_format, torch.channels_last])
@pytest.mark.parametrize("which", ["strided", "transposed", "to-score"])
def test_dcgans_layers_on_small_maps_compute_their_weight_gradient_as_a_product_in_bf16(
    which: str, layout: torch.memory_format
) -> None:
    index = ["strided", "transposed", "to-score"].index(which)
    torch.manual_seed(0)
    ours, theirs, channels = _conv_product_layers()[index]
    ours, theirs = ours.to(memory_format=layout), theirs.to(memory_format=layout)
    theirs.load_state_dict(ours.state_dict())  # the same key and shape: old weights load
    # the map the layer's weight gradient sums over is 4×4 (SMALL_MAP positions)
    size = 8 if which == "strided" else 4
    x = torch.randn(5, channels, size, size).contiguous(memory_format=layout)
    x.requires_grad_(True)
    # without autocast it is torch's layer, bit for bit (fp32 runs stay exact)
    assert torch.equal(ours(x), theirs(x))
    results = []
    for module in (ours, theirs):
        module.zero_grad()
        x.grad = None
        with torch.autocast("cpu", torch.bfloat16):
            out = module(x)
        gradient = torch.randn(out.shape, generator=torch.Generator().manual_seed(1))
        out.float().backward(gradient)
        assert module.weight.grad is not None and x.grad is not None
        results.append((out, module.weight.grad.clone(), x.grad.clone()))
    (out, weight_grad, input_grad), (their_out, their_weight_grad, their_input_grad) = results
    assert out.dtype == their_out.dtype == torch.bfloat16 and out.shape == their_out.shape
    torch.testing.assert_close(out.float(), their_out.float(), rtol=1e-2, atol=1e-2)
    torch.testing.assert_close(weight_grad, their_weight_grad, rtol=2e-2, atol=2e-2)
    torch.testing.assert_close(input_grad, their_input_grad, rtol=2e-2, atol=2e-2)


@pytest.mark.parametrize("which", ["strided", "transposed", "to-score"])
def test_dcgans_layers_take_the_product_only_in_bf16_on_maps_of_at_most_4x4(which: str) -> None:
    index = ["strided", "transposed", "to-score"].index(which)
    ours, theirs, channels = _conv_product_layers()[index]
    theirs.load_state_dict(ours.state_dict())
    small = 8 if which == "strided" else 4
    x = torch.randn(2, channels, small, small, requires_grad=True)
    with torch.autocast("cpu", torch.bfloat16):
        taken = ours(x).grad_fn
    assert taken is not None and "Convolution" not in taken.name()
    if which == "to-score":  # its kernel is the map's size: a larger one is MNIST's 7×7
        larger_layer: nn.Module = type(ours)(channels, 7)
        larger_input = torch.randn(2, channels, 7, 7)
    else:
        larger_layer, larger_input = ours, torch.randn(2, channels, 2 * small, 2 * small)
    with torch.autocast("cpu", torch.bfloat16):
        larger = larger_layer(larger_input).grad_fn
    with torch.autocast("cpu", torch.float16):
        half = ours(x).grad_fn
    for other in (larger, half):
        assert other is not None and other.name() == "ConvolutionBackward0"
    # an unbatched map, or a float64 one that autocast leaves alone, is torch's layer's too
    with torch.autocast("cpu", torch.bfloat16):
        assert torch.equal(ours(x[0]), theirs(x[0]))
        double = x.detach().double()
        assert torch.equal(ours.double()(double), theirs.double()(double))


def test_the_patch_product_is_the_strided_convolutions_weight_gradient() -> None:
    from ganzoo.builtin.architectures.conv_products import patch_product

    torch.manual_seed(0)
    large = torch.randn(3, 5, 10, 6, dtype=torch.float64)  # not square: rows and columns kept apart
    small = torch.randn(3, 7, 5, 3, dtype=torch.float64)
    expected = torch.nn.grad.conv2d_weight(large, (7, 5, 4, 4), small, stride=2, padding=1)
    torch.testing.assert_close(patch_product(small, large), expected)


def test_dcgans_strided_layer_takes_a_gradient_penalty_under_bf16_autocast() -> None:
    """Its backward is made of differentiable operations, so a penalty on ∇ₓD runs through it."""
    torch.manual_seed(0)
    ours, theirs, channels = _conv_product_layers()[0]
    theirs.load_state_dict(ours.state_dict())
    penalties = []
    for module in (ours, theirs):
        x = torch.randn(4, channels, 8, 8, generator=torch.Generator().manual_seed(2))
        x.requires_grad_(True)
        with torch.autocast("cpu", torch.bfloat16):
            scores = module(x).float().sum()
        (gradient,) = torch.autograd.grad(scores, x, create_graph=True)
        penalty = gradient.float().pow(2).sum()
        penalty.backward()
        assert module.weight.grad is not None and bool(torch.isfinite(module.weight.grad).all())
        penalties.append((penalty.detach(), module.weight.grad.clone()))
    (ours_value, ours_grad), (their_value, their_grad) = penalties
    torch.testing.assert_close(ours_value, their_value, rtol=2e-2, atol=2e-2)
    torch.testing.assert_close(ours_grad, their_grad, rtol=3e-2, atol=3e-2)


def test_pacgan_generator_without_batchnorm_makes_each_point_from_its_own_z() -> None:
    spec = DataSpec((2,), value_range=(-5.0, 5.0))
    settings = {"generator_batchnorm": False}
    models = ganzoo.build("architecture", "pacgan-mlp", settings, spec, BuildOptions())
    generator = models.generator.train()
    assert not any(isinstance(m, nn.BatchNorm1d) for m in generator.modules())
    hidden = [m for m in generator.modules() if isinstance(m, nn.Linear)][:-1]
    assert len(hidden) == 4 and all(m.bias is not None for m in hidden)
    z = torch.randn(100, models.latent_dim)
    # in training mode a point no longer depends on the rest of its batch
    torch.testing.assert_close(generator(z)[:10], generator(z[:10]), rtol=0, atol=1e-6)
    with_batchnorm = build("pacgan-mlp", spec)
    assert sum(isinstance(m, nn.BatchNorm1d) for m in with_batchnorm.generator.modules()) == 4
    assert not torch.allclose(with_batchnorm.generator(z)[:10], with_batchnorm.generator(z[:10]))


def test_dcgan_maps_z_only_when_asked() -> None:
    spec = DataSpec((1, 28, 28))
    plain = ganzoo.build("architecture", "dcgan", {}, spec, BuildOptions()).generator
    mapped = ganzoo.build("architecture", "dcgan", {"mapping_layers": 2}, spec, BuildOptions())
    assert not any(name.startswith("mapping.") for name, _ in plain.named_parameters())
    names = [name for name, _ in mapped.generator.named_parameters() if "mapping" in name]
    assert names == ["mapping.0.weight", "mapping.0.bias", "mapping.2.weight", "mapping.2.bias"]
    assert mapped.generator(torch.randn(3, 100)).shape == (3, 1, 28, 28)


@pytest.mark.parametrize("multiplier", [1.0, 0.01])
def test_equalised_linear_learns_at_its_multiplier_of_the_rate(multiplier: float) -> None:
    from ganzoo.builtin.architectures.dcgan import EqualisedLinear

    torch.manual_seed(0)
    layer = EqualisedLinear(400, 400, multiplier).double()  # raw weights reach 1 / multiplier
    effective = layer.weight.detach() * layer.weight_scale
    assert abs(float(effective.std()) - 400**-0.5) < 0.002  # He's scale whatever the rate
    optimizer = torch.optim.Adam(layer.parameters(), lr=1e-3)
    layer(torch.randn(64, 400, dtype=torch.float64)).pow(2).mean().backward()
    optimizer.step()  # Adam's first step moves every weight by the rate, whatever its gradient
    moved = (layer.weight.detach() * layer.weight_scale - effective).abs().max()
    torch.testing.assert_close(float(moved), 1e-3 * multiplier * 400**-0.5, rtol=0.01, atol=0)
