"""How a run uses its device: precision, gradient scalers, memory layout, compiling, cuDNN."""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

import torch
from torch import nn

from ganzoo.errors import ConfigError

if TYPE_CHECKING:
    from ganzoo.config import RunConfig
    from ganzoo.losses import Loss

AUTOCAST_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}
"""Maps ``--precision`` to the dtype autocast computes in (fp32 runs without autocast)."""
CUBLAS_WORKSPACE = ":4096:8"
"""The cuBLAS workspace setting deterministic matrix products on CUDA need."""


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager[None]:
    """Mixed precision for forward passes and losses; nothing at all for fp32."""
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=AUTOCAST_DTYPES[precision])


def full_precision(device: torch.device) -> contextlib.AbstractContextManager[None]:
    """Autocast switched off: what gradient penalties and spectral norms compute in."""
    return torch.autocast(device.type, enabled=False)


def gradient_scaler(device: torch.device, precision: str) -> torch.amp.GradScaler | None:
    """A loss scaler for fp16 (one per network); bf16 and fp32 need none."""
    if precision != "fp16":
        return None
    return torch.amp.GradScaler(device.type)


def check_precision(precision: str, device: torch.device) -> None:
    """Refuse a precision the device cannot autocast in, in one line."""
    if precision == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ConfigError(
            f"--precision bf16: this GPU ({torch.cuda.get_device_name(device)}) has no bfloat16; "
            "use --precision fp16 or fp32"
        )
    if precision != "fp32" and device.type not in {"cuda", "cpu", "mps"}:
        raise ConfigError(
            f"--precision {precision}: autocast is not available on {device.type}; use fp32"
        )


def configure_backends(deterministic: bool, device: torch.device) -> None:
    """cuDNN picks its fastest kernels, unless the run asks for deterministic algorithms.

    An operation without a deterministic implementation then warns rather than failing.
    """
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", CUBLAS_WORKSPACE)
    # Set either way: a process that trains several runs (compare, reproduce) must not
    # carry one run's choice into the next.
    torch.use_deterministic_algorithms(deterministic, warn_only=True)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = not deterministic
        torch.backends.cudnn.deterministic = deterministic


def is_convolutional(module: nn.Module) -> bool:
    """Whether ``module`` holds 2-D (transposed) convolutions."""
    return any(isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) for m in module.modules())


def channels_last_wanted(config: RunConfig, device: torch.device, modules: list[nn.Module]) -> bool:
    """Channels-last layout: as asked, else on for convolutional networks on CUDA.

    Asking for it with networks that have no convolutions is an error.
    """
    convolutional = any(is_convolutional(module) for module in modules)
    if config.channels_last is None:
        return convolutional and device.type == "cuda"
    if config.channels_last and not convolutional:
        raise ConfigError(
            f"--channels-last: architecture {config.architecture!r} has no convolutions, so "
            "memory layout does not apply; leave the option out"
        )
    return config.channels_last


def refuse_compile(loss: Loss, name: str) -> None:
    """``--compile`` cannot train a loss that differentiates its own gradients."""
    if loss.double_backward():
        raise ConfigError(
            f"--compile: loss {name!r} as set takes gradients of gradients (a gradient "
            "penalty), which torch.compile cannot compile; train it without --compile, or "
            "use a loss without a penalty (non-saturating, hinge, lsgan, wgan)"
        )


def compiled(module: nn.Module, enabled: bool) -> nn.Module:
    """``module`` through ``torch.compile`` when asked; the state dict stays the plain module's."""
    if not enabled:
        return module
    return torch.compile(module)  # type: ignore[return-value]
