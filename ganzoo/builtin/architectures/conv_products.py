"""dcgan's convolutions, computed through matrix products where oneDNN's bf16 kernels are slow.

Each class here is the torch layer it subclasses, with the same weight, shape and
state-dict key, so weights files load either way, and without autocast (every fp32 run,
bit for bit) each runs as that layer. Under autocast, part of it is computed as one matrix
product instead: the same values to the precision's rounding, in a fraction of the time
(docs/speed.md). ``LatentToMap`` does so under any autocast; the others in bf16 on the
CPU only, where the layer meets a map of at most :data:`SMALL_MAP` positions.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

SMALL_MAP = 4 * 4
"""Positions in a map up to which, in bf16 on the CPU, dcgan's layers meeting it are computed
as products. At 4×4 the products took a quarter to a third of oneDNN's time (2 threads, AMX);
with MNIST's 7×7 maps taken as well, the whole MNIST step was no faster (docs/speed.md)."""


class LatentToMap(nn.ConvTranspose2d):
    """DCGAN's first layer: a transposed convolution from a 1×1 latent to a k×k map.

    On a 1×1 input it is one matrix product, and under autocast it is computed as one:
    for dcgan's first layer on MNIST, oneDNN's bf16 transposed convolution takes about
    four times as long forward and backward (docs/speed.md).
    """

    def __init__(self, latent_dim: int, features: int, size: int) -> None:
        super().__init__(latent_dim, features, size, 1, 0, bias=False)

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        if not torch.is_autocast_enabled(z.device.type) or z.shape[-2:] != (1, 1):
            return super().forward(z)
        latent_dim, features, height, width = self.weight.shape
        z = z.reshape(z.shape[0], latent_dim)
        if not self.weight.is_contiguous(memory_format=torch.channels_last):
            out = torch.mm(z, self.weight.reshape(latent_dim, -1))
            return out.view(z.shape[0], features, height, width)
        # a channels-last weight reads as (in, h, w, out) at no cost, and the product's
        # (n, h, w, out) reads as an (n, out, h, w) map in channels-last order
        weight = self.weight.permute(0, 2, 3, 1).reshape(latent_dim, -1)
        out = torch.mm(z, weight)
        return out.view(z.shape[0], height, width, features).permute(0, 3, 1, 2)


class MapToScore(nn.Conv2d):
    """DCGAN D's last layer: a convolution whose kernel covers the whole k×k map, to one logit.

    It is one matrix product of each flattened map with the flattened kernel, and in bf16 on
    the CPU, on a map of at most :data:`SMALL_MAP` positions, it is computed as one: at 4×4
    with 256 channels, batch 64, forward and backward took 0.31 ms against oneDNN's 1.15.
    """

    def __init__(self, features: int, size: int) -> None:
        super().__init__(features, 1, size, 1, 0, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        height, width = x.shape[-2:]
        if (height, width) != self.kernel_size or not _takes_product(x, height * width):
            return super().forward(x)
        if x.is_contiguous(memory_format=torch.channels_last):
            # both read in (h, w, c) order: a view of x, and of a channels-last weight
            rows = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
            kernel = self.weight.permute(0, 2, 3, 1).reshape(self.out_channels, -1)
        else:
            rows = x.reshape(x.shape[0], -1)
            kernel = self.weight.reshape(self.out_channels, -1)
        return torch.mm(rows, kernel.t()).view(x.shape[0], self.out_channels, 1, 1)


class StridedConv(nn.Conv2d):
    """DCGAN D's 4×4 convolution with stride 2, halving the map.

    In bf16 on the CPU, where its output map has at most :data:`SMALL_MAP` positions, its
    weight gradient is one product over the input's patches: for 128 → 256 channels from
    8×8 to 4×4 at batch 64, 1.3 ms against 4.2 ms in oneDNN's kernel.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(in_channels, out_channels, 4, 2, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        positions = (x.shape[-2] // 2) * (x.shape[-1] // 2)
        if not _takes_product(x, positions):
            return super().forward(x)
        return _with_patch_product_gradient(x, self.weight, transposed=False)


class StridedConvTranspose(nn.ConvTranspose2d):
    """DCGAN G's 4×4 transposed convolution with stride 2, doubling the map.

    In bf16 on the CPU, where its input map has at most :data:`SMALL_MAP` positions, its
    weight gradient is one product over the output gradient's patches: for 256 → 128
    channels from 4×4 to 8×8 at batch 64, 1.2 ms against 4.1 ms in oneDNN's kernel.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(in_channels, out_channels, 4, 2, 1, bias=False)

    def forward(  # type: ignore[override]
        self, x: torch.Tensor, output_size: list[int] | None = None
    ) -> torch.Tensor:
        if output_size is not None or not _takes_product(x, x.shape[-2] * x.shape[-1]):
            return super().forward(x, output_size)
        return _with_patch_product_gradient(x, self.weight, transposed=True)


def _with_patch_product_gradient(
    x: torch.Tensor, weight: torch.Tensor, transposed: bool
) -> torch.Tensor:
    """The strided layer in bf16, its weight gradient taken by :func:`patch_product`."""
    bf16 = torch.bfloat16
    out: torch.Tensor = _PatchProductGradient.apply(x.to(bf16), weight.to(bf16), transposed)
    return out


def _takes_product(x: torch.Tensor, small_map_positions: int) -> bool:
    """Whether a layer meeting a map of this many positions takes the product (see above).

    Only a batch of maps that autocast would compute in bf16 (fp32 or bf16 values) does.
    """
    return (
        x.device.type == "cpu"
        and x.dim() == 4
        and x.dtype in (torch.float32, torch.bfloat16)
        and torch.is_autocast_enabled("cpu")
        and torch.get_autocast_dtype("cpu") == torch.bfloat16
        and small_map_positions <= SMALL_MAP
    )


class _PatchProductGradient(torch.autograd.Function):
    """A 4×4, stride-2, padding-1 convolution (or its transpose) whose weight gradient is
    one matrix product over patches; its input gradient is oneDNN's, as torch computes it."""

    @staticmethod
    def forward(x: torch.Tensor, weight: torch.Tensor, transposed: bool) -> torch.Tensor:
        if transposed:
            return F.conv_transpose2d(x, weight, stride=2, padding=1)
        return F.conv2d(x, weight, stride=2, padding=1)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: torch.Tensor) -> None:
        x, weight, transposed = inputs
        ctx.save_for_backward(x, weight)
        ctx.transposed = transposed

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        x, weight = ctx.saved_tensors
        grad_x = grad_weight = None
        if ctx.needs_input_grad[0]:
            grad_x = torch.ops.aten.convolution_backward(
                grad_out, x, weight, None, [2, 2], [1, 1], [1, 1], ctx.transposed, [0, 0], 1,
                [True, False, False],
            )[0]  # fmt: skip
        if ctx.needs_input_grad[1]:
            # a transposed convolution's weight gradient is the convolution's, roles swapped
            small, large = (x, grad_out) if ctx.transposed else (grad_out, x)
            grad_weight = patch_product(small, large)
        return grad_x, grad_weight, None


def patch_product(small: torch.Tensor, large: torch.Tensor) -> torch.Tensor:
    """Σ over examples and positions (i, j) of ``small[n, :, i, j]`` ⊗ the 4×4 patch of
    ``large`` (padded by 1) at (2i, 2j): the weight gradient of a stride-2 convolution from
    ``large`` to ``small``, shaped ``(small's channels, large's channels, 4, 4)``.

    The patches are gathered in (h, w, c) order, a copy of a few megabytes, so that the
    sum is one product of (positions × out) by (positions × 16·in).
    """
    examples, channels = large.shape[:2]
    out_channels, height, width = small.shape[1:]
    padded = F.pad(large, (1, 1, 1, 1)).permute(0, 2, 3, 1).contiguous()
    step_n, step_h, step_w, step_c = padded.stride()
    patches = padded.as_strided(
        (examples, height, width, 4, 4, channels),
        (step_n, 2 * step_h, 2 * step_w, step_h, step_w, step_c),
    )
    columns = patches.reshape(examples * height * width, 16 * channels)
    rows = small.permute(0, 2, 3, 1).reshape(examples * height * width, out_channels)
    product = rows.t() @ columns
    return product.view(out_channels, 4, 4, channels).permute(0, 3, 1, 2)
