"""BatchNorm whose statistics cover the global batch of a multi-process run."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def sync_batchnorm(module: nn.Module, device: torch.device) -> nn.Module:
    """Turn every BatchNorm layer into one whose statistics cover the global batch.

    CUDA uses :class:`torch.nn.SyncBatchNorm`; elsewhere (PyTorch's own supports GPUs
    only) :class:`GlobalBatchNorm` does the same over any backend. Parameter and buffer
    names stay as they are, so weights load into the plain architecture.
    """
    if device.type == "cuda":
        return nn.SyncBatchNorm.convert_sync_batchnorm(module)
    return GlobalBatchNorm.convert(module)


class GlobalBatchNorm(nn.modules.batchnorm._BatchNorm):
    """BatchNorm whose training statistics are those of the examples of every rank.

    Each rank computes the mean and (biased) variance of its own examples; one
    all-reduce gathers every rank's ``(count, mean, variance)`` and they are merged as
    parallel variances are (Chan et al.), which avoids the cancellation of
    E[x²] − E[x]². The all-reduce is differentiable, so gradients flow through the
    global statistics to every rank's examples. Outside training, or in a single
    process, it is a plain BatchNorm.
    """

    def _check_input_dim(self, input: torch.Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2-D input (got {input.dim()}-D input)")

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        import torch.distributed as dist

        if not (
            self.training
            and dist.is_available()
            and dist.is_initialized()
            and dist.get_world_size() > 1
        ):
            return super().forward(input)
        self._check_input_dim(input)
        channels = input.shape[1]
        dims = [0, *range(2, input.dim())]
        var, mean = torch.var_mean(input, dim=dims, unbiased=False)
        count = torch.full_like(mean, input.numel() / channels)
        rank, world = dist.get_rank(), dist.get_world_size()
        zeros = torch.zeros(3, channels, dtype=mean.dtype, device=mean.device)
        mine = torch.stack([count, mean, var])
        rows = [mine if r == rank else zeros for r in range(world)]
        counts, means, variances = _SumOverRanks.apply(torch.stack(rows)).unbind(1)
        total = counts.sum(0)
        global_mean = (counts * means).sum(0) / total
        global_var = (counts * (variances + (means - global_mean) ** 2)).sum(0) / total

        if self.track_running_stats and self.running_mean is not None:
            with torch.no_grad():
                assert self.num_batches_tracked is not None and self.running_var is not None
                self.num_batches_tracked.add_(1)
                factor = (
                    1.0 / float(self.num_batches_tracked)
                    if self.momentum is None
                    else self.momentum
                )
                unbiased = global_var * total / (total - 1).clamp(min=1)
                self.running_mean.lerp_(global_mean.detach(), factor)
                self.running_var.lerp_(unbiased.detach(), factor)

        shape = (1, channels, *([1] * (input.dim() - 2)))
        out = (input - global_mean.view(shape)) * torch.rsqrt(global_var.view(shape) + self.eps)
        if self.affine:
            out = out * self.weight.view(shape) + self.bias.view(shape)
        return out

    @classmethod
    def convert(cls, module: nn.Module) -> nn.Module:
        """``module`` with each BatchNorm replaced (weights and buffers carried over)."""
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and not isinstance(
            module, (cls, nn.SyncBatchNorm)
        ):
            replacement = cls(
                module.num_features,
                module.eps,
                module.momentum,
                module.affine,
                module.track_running_stats,
            )
            tensors = [*module.parameters(), *module.buffers()]
            if tensors:
                replacement.to(tensors[0].device)
            replacement.load_state_dict(module.state_dict())
            replacement.train(module.training)
            return replacement
        for name, child in module.named_children():
            converted = cls.convert(child)
            if converted is not child:
                module.add_module(name, converted)
        return module


class _SumOverRanks(torch.autograd.Function):
    """All-reduce (sum) whose gradient is the sum of every rank's gradient."""

    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor) -> torch.Tensor:
        total = tensor.clone(memory_format=torch.contiguous_format)
        torch.distributed.all_reduce(total)
        return total

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        total = grad.clone(memory_format=torch.contiguous_format)
        torch.distributed.all_reduce(total)
        return total
