"""Training on several processes with PyTorch's own engine: torchrun, DDP, process groups.

``torchrun`` (or ``ganzoo run --nproc N``) starts one process per GPU and tells each
its place through the environment (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, and the
rendezvous address). :func:`start` turns that environment into a :class:`GroupSession`;
without it (or with a world of one) it is the plain :class:`Session`, which makes no
collective calls, and training runs exactly as it does in a single process.

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
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from torch import nn

from ganzoo.data.order import hashed_seed
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


@dataclass
class Session:
    """This process's place in a run, and the collectives training needs.

    This single-process form makes no collective calls: every method returns what one
    process alone would. :class:`GroupSession` is the form for several processes.
    """

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that writes the run directory and talks to the user."""
        return self.rank == 0

    def place(self, device: torch.device) -> torch.device:
        """The device this process trains on."""
        return device

    def shard(self, n: int) -> slice:
        """This rank's rows of a global batch of ``n`` examples."""
        local = n // self.world_size
        return slice(self.rank * local, (self.rank + 1) * local)

    def local_batch_size(self, global_batch: int) -> int:
        """The per-rank batch."""
        return global_batch

    def barrier(self) -> None:
        """Wait for every rank (nothing to wait for in one process)."""

    def main_first(self, work: Callable[[], T], *, others: bool = True) -> T:
        """Run ``work`` on rank 0, then (if ``others``) on the other ranks."""
        return work()

    def agree(self, *values: int) -> list[int]:
        """The largest of each value over all ranks."""
        return list(values)

    def mean_over_ranks(self, values: dict[str, float]) -> dict[str, float]:
        """Average logged numbers over the ranks."""
        return values

    def own_random_stream(
        self, device: torch.device, *key: int
    ) -> contextlib.AbstractContextManager[None]:
        """Draw the losses' own random numbers from this rank's stream (one process: the one)."""
        return contextlib.nullcontext()

    def wrap(self, module: nn.Module, device: torch.device) -> nn.Module:
        """The module the training step calls (one process: ``module`` itself)."""
        return module

    def close(self) -> None:
        """Leave the process group (one process: none to leave)."""


@dataclass
class GroupSession(Session):
    """A rank of a multi-process run: the collectives go over torch.distributed."""

    owns_group: bool = False
    """Whether :func:`start` created the process group (and :meth:`close` destroys it)."""

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
        # the numbers' bytes, not derive_seed's text, so the streams stay those of earlier runs
        numbers = (*key, self.rank)
        seed = hashed_seed(b"".join(int(n).to_bytes(8, "little", signed=True) for n in numbers))
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
            release_process_group()

    def _collective_device(self) -> torch.device:
        backend = str(torch.distributed.get_backend())
        if "nccl" in backend and torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("cpu")


def start() -> Session:
    """Join the process group torchrun described; a single process gets the plain :class:`Session`.

    CUDA tensors travel over NCCL and CPU tensors over gloo; on a machine without CUDA
    everything goes over gloo. A process group that already exists (set up by the
    caller) is used as it is and left open.
    """
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        if dist.get_world_size() <= 1:
            return Session()
        local = int(os.environ.get("LOCAL_RANK", dist.get_rank()))
        return GroupSession(dist.get_rank(), dist.get_world_size(), local, owns_group=False)
    if not launched():
        return Session()
    if not dist.is_available():
        raise ConfigError("this PyTorch build has no torch.distributed; run in one process")
    local = int(os.environ["LOCAL_RANK"])
    load_dynamo_first()
    if torch.cuda.is_available() and dist.is_nccl_available():
        torch.cuda.set_device(local % max(1, torch.cuda.device_count()))
        backend = "cpu:gloo,cuda:nccl"
    else:
        backend = "gloo"
    dist.init_process_group(backend=backend)
    return GroupSession(dist.get_rank(), dist.get_world_size(), local, owns_group=True)


@contextlib.contextmanager
def session_for_run() -> Iterator[Session]:
    """:func:`start`, and close the group again however the run ends."""
    session = start()
    try:
        yield session
    finally:
        session.close()


def load_dynamo_first() -> None:
    """Import ``torch._dynamo`` before any process group exists; call before creating one.

    DistributedDataParallel imports ``torch._dynamo`` the first time it wraps a module.
    Imported while a process group exists, it keeps references to that group which
    ``destroy_process_group`` does not drop (torch 2.15: ten of them, held outside Python's
    garbage collector). The group, and the gloo threads it runs, then live until the
    interpreter shuts down, and a gloo worker freed that late aborts the process (SIGABRT)
    now and then. Imported first, it holds none, and destroying the group frees it and
    joins its threads while the interpreter is whole.
    """
    import torch._dynamo  # noqa: F401


def release_process_group() -> None:
    """Destroy the default process group, collecting garbage first.

    Collected first, so that no DDP reducer still holds a backend work object when the
    interpreter shuts down: gloo aborts the process (SIGABRT, "terminate called without an
    active exception") if one is freed that late. No barrier: on an error path the other
    ranks may never reach one.
    """
    import gc

    gc.collect()
    torch.distributed.destroy_process_group()
