"""Training on several processes with PyTorch's own engine: torchrun, DDP, process groups.

``torchrun`` (or ``ganzoo run --nproc N``) starts one process per GPU and tells each
its place through the environment (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, and the
rendezvous address). :func:`start` turns that environment into a :class:`Session`;
without it (or with a world of one) there is no session and training runs exactly as
it does in a single process.

The contract every rank keeps:

- every rank draws the *global* batch ``i`` (it depends only on seed, ``i`` and the
  global batch size) and keeps its own contiguous slice, and likewise draws the global
  latent batch from the random stream that all ranks share and keeps its slice, so the
  ranks together see exactly what one process with the global batch would;
- randomness inside a loss or an augmentation (the gradient penalty's interpolation
  weights, DiffAugment's offsets) comes from a stream of the rank's own, seeded from
  ``(seed, step, rank)``, so ranks do not repeat one another's draws;
- G and D are wrapped in :class:`~torch.nn.parallel.DistributedDataParallel`, which
  averages their gradients over the ranks;
- only rank 0 touches the run directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from torch import nn

from ganzoo.errors import ConfigError, GanzooError

T = TypeVar("T")

LAUNCH_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK")


def world_size_from_env() -> int:
    """The number of processes torchrun started (1 outside torchrun)."""
    try:
        return max(1, int(os.environ.get("WORLD_SIZE", "1")))
    except ValueError:
        return 1


def rank_from_env() -> int:
    """This process's rank among torchrun's workers (0 outside torchrun)."""
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0


def launched() -> bool:
    """Whether this process is one of several started by torchrun."""
    return all(name in os.environ for name in LAUNCH_VARIABLES) and world_size_from_env() > 1


def on_all_ranks(error: BaseException) -> BaseException:
    """Mark an error every rank raises together, so only rank 0 reports it to the user."""
    error.on_all_ranks = True  # type: ignore[attr-defined]
    return error


class SingleProcess:
    """The stand-in for :class:`Session` in a one-process run: the same calls, no collectives."""

    rank = 0
    world_size = 1
    is_main = True

    def agree(self, *values: int) -> list[int]:
        return list(values)

    def mean_over_ranks(self, values: dict[str, float]) -> dict[str, float]:
        return values

    def barrier(self) -> None:
        """Nothing to wait for."""


@dataclass
class Session:
    """This process's place in a multi-process run, and the collectives training needs."""

    rank: int
    world_size: int
    local_rank: int
    owns_group: bool
    """Whether :func:`start` created the process group (and :meth:`close` destroys it)."""

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that writes the run directory and talks to the user."""
        return self.rank == 0

    def place(self, device: torch.device) -> torch.device:
        """Each rank's own GPU: ``cuda`` becomes ``cuda:LOCAL_RANK``."""
        if device.type != "cuda":
            return device
        if self.local_rank >= torch.cuda.device_count():
            raise ConfigError(
                f"local rank {self.local_rank} has no GPU of its own: this machine has "
                f"{torch.cuda.device_count()}; start at most that many processes per node"
            )
        torch.cuda.set_device(self.local_rank)
        return torch.device("cuda", self.local_rank)

    def shard(self, n: int) -> slice:
        """This rank's rows of a global batch of ``n`` examples."""
        local = n // self.world_size
        return slice(self.rank * local, (self.rank + 1) * local)

    def local_batch_size(self, global_batch: int) -> int:
        """The per-rank batch; the global batch must split evenly over the ranks."""
        if global_batch % self.world_size:
            nearest = max(1, global_batch // self.world_size) * self.world_size
            raise on_all_ranks(
                ConfigError(
                    f"--batch-size {global_batch} is the global batch and must split evenly "
                    f"over {self.world_size} processes (try {nearest})"
                )
            )
        return global_batch // self.world_size

    def barrier(self) -> None:
        torch.distributed.barrier()

    def from_main(self, value: T | None) -> T:
        """Rank 0's ``value``, on every rank."""
        box = [value]
        torch.distributed.broadcast_object_list(box, src=0)
        return box[0]  # type: ignore[return-value]

    def main_first(self, work: Callable[[], T], *, others: bool = True) -> T:
        """Run ``work`` on rank 0, then (if ``others``) on the other ranks.

        When rank 0 fails, the others raise the same error (type and message) instead of
        waiting for it forever; what rank 0 returns is broadcast to the others when
        ``others`` is False.
        """
        result: Any = None
        failure: BaseException | None = None
        if self.is_main:
            try:
                result = work()
            except (GanzooError, OSError) as caught:
                failure = caught
        shared = self.from_main(None if failure is None else (type(failure), str(failure)))
        if failure is not None:
            raise on_all_ranks(failure)
        if shared is not None:  # the same error here, for the same reason
            kind, text = shared
            try:
                same = kind(text)
            except Exception:
                same = GanzooError(text)
            raise on_all_ranks(same)
        if not others:
            return self.from_main(result if self.is_main else None)
        return result if self.is_main else work()

    def agree(self, *values: int) -> list[int]:
        """The largest of each value over all ranks (one small collective)."""
        flags = torch.tensor(values, dtype=torch.int64, device=self._collective_device())
        torch.distributed.all_reduce(flags, op=torch.distributed.ReduceOp.MAX)
        return [int(v) for v in flags.tolist()]

    def mean_over_ranks(self, values: dict[str, float]) -> dict[str, float]:
        """Average logged numbers over the ranks, so logs describe the global batch."""
        keys = sorted(values)
        tensor = torch.tensor(
            [values[k] for k in keys], dtype=torch.float64, device=self._collective_device()
        )
        torch.distributed.all_reduce(tensor)
        return {k: float(v) / self.world_size for k, v in zip(keys, tensor.tolist(), strict=True)}

    @contextlib.contextmanager
    def own_random_stream(self, device: torch.device, *key: int) -> Iterator[None]:
        """Draw from this rank's own stream, seeded by ``key`` and the rank, then restore.

        The stream that all ranks share (latents) stays in step across ranks because
        every rank leaves it exactly as it found it here.
        """
        seed = _mix(*key, self.rank)
        devices = [device] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.random.default_generator.manual_seed(seed)
            if device.type == "cuda":
                torch.cuda.manual_seed(seed)
            yield

    def wrap(self, module: nn.Module, device: torch.device) -> nn.Module:
        """``module`` in DistributedDataParallel (its parameters are rank 0's from now on)."""
        from torch.nn.parallel import DistributedDataParallel

        ids = [device.index] if device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=ids, output_device=None)

    def close(self) -> None:
        if self.owns_group and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()

    def _collective_device(self) -> torch.device:
        backend = str(torch.distributed.get_backend())
        if "nccl" in backend and torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("cpu")


def start() -> Session | None:
    """Join the process group torchrun described, or ``None`` in a single process.

    CUDA tensors travel over NCCL and CPU tensors over gloo; on a machine without CUDA
    everything goes over gloo. A process group that already exists (set up by the
    caller) is used as it is and left open.
    """
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        if dist.get_world_size() <= 1:
            return None
        local = int(os.environ.get("LOCAL_RANK", dist.get_rank()))
        return Session(dist.get_rank(), dist.get_world_size(), local, owns_group=False)
    if not launched():
        return None
    if not dist.is_available():
        raise ConfigError("this PyTorch build has no torch.distributed; run in one process")
    local = int(os.environ["LOCAL_RANK"])
    if torch.cuda.is_available() and dist.is_nccl_available():
        torch.cuda.set_device(local % max(1, torch.cuda.device_count()))
        backend = "cpu:gloo,cuda:nccl"
    else:
        backend = "gloo"
    dist.init_process_group(backend=backend)
    return Session(dist.get_rank(), dist.get_world_size(), local, owns_group=True)


@contextlib.contextmanager
def session_for_run() -> Iterator[Session | None]:
    """:func:`start`, and close the group again however the run ends."""
    session = start()
    try:
        yield session
    finally:
        if session is not None:
            session.close()


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


def _mix(*numbers: int) -> int:
    """A 63-bit seed that changes with every one of ``numbers``."""
    data = b"".join(int(n).to_bytes(8, "little", signed=True) for n in numbers)
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little") >> 1
