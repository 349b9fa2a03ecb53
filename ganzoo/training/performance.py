"""How a run uses its device: precision, gradient scalers, memory layout, compiling, cuDNN."""

from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import torch
from torch import nn

from ganzoo.errors import ConfigError

if TYPE_CHECKING:
    from ganzoo.config import RunConfig
    from ganzoo.losses import Loss
    from ganzoo.models import GANModels
    from ganzoo.registry import Registry

AUTOCAST_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}
"""Maps ``--precision`` to the dtype autocast computes in (fp32 runs without autocast)."""
CUBLAS_WORKSPACE = ":4096:8"
"""The cuBLAS workspace setting deterministic matrix products on CUDA need."""
BF16_UNIT_VARIABLE = "GANZOO_BF16_UNIT"
"""Set to 1 or 0 to say whether the device has a bf16 matrix unit, overriding detection."""
CPU_INFO = Path("/proc/cpuinfo")
"""Where Linux lists the CPU's vendor and features (``amx_bf16``, ``avx512_bf16``)."""


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager[None]:
    """Mixed precision for forward passes and losses; nothing at all for fp32."""
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=AUTOCAST_DTYPES[precision])


def gradient_scaler(device: torch.device, precision: str) -> torch.amp.GradScaler | None:
    """A loss scaler for fp16 (one per network); bf16 and fp32 need none."""
    if precision != "fp16":
        return None
    return torch.amp.GradScaler(device.type)


def has_bf16_unit(device: torch.device) -> bool:
    """Whether ``device`` multiplies bf16 matrices in hardware (faster than fp32).

    CUDA: compute capability 8.0 (Ampere) or later. CPU: Intel's AMX-BF16, or AVX512-BF16
    on an AMD CPU, read from the CPU's feature flags (:func:`cpuinfo_has_bf16_unit`; torch's
    capability string says ``AVX512`` with or without either).
    ``GANZOO_BF16_UNIT=0`` or ``1`` overrides the answer, e.g. to simulate a machine
    without the unit.
    """
    forced = os.environ.get(BF16_UNIT_VARIABLE)
    if forced is not None:
        if forced not in {"0", "1"}:
            raise ConfigError(
                f"{BF16_UNIT_VARIABLE}={forced!r}: give 1 (the device has a bf16 matrix "
                "unit) or 0 (it has none)"
            )
        return forced == "1"
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported(including_emulation=False)
    if device.type == "cpu":
        return _cpu_has_bf16_unit()
    return False


@functools.cache
def _cpu_has_bf16_unit() -> bool:
    """What ``/proc/cpuinfo`` says; without it, torch's own (private) AMX check."""
    try:
        return cpuinfo_has_bf16_unit(CPU_INFO.read_text())
    except OSError:
        pass
    check = getattr(torch.cpu, "_is_amx_tile_supported", None)
    try:
        return bool(check()) if check is not None else False
    except RuntimeError:
        return False


def cpuinfo_has_bf16_unit(cpuinfo: str) -> bool:
    """Whether a CPU, as ``/proc/cpuinfo`` describes it, multiplies bf16 faster than fp32.

    Intel's AMX-BF16 (``amx_bf16``) does, by about 2.5 times on dcgan. So does AVX512-BF16
    (``avx512_bf16``) on AMD's CPUs (Zen 4 and later): 1.9 times on dcgan, 1.4 on mlp-gan on
    MNIST. On an Intel CPU AVX512-BF16 alone does not pay (a Xeon with its AMX unit out of
    use: 1.04 times on dcgan, 0.66 on mlp-gan), so there it does not count. docs/speed.md
    has the measurements.
    """
    fields = cpuinfo_fields(cpuinfo)
    flags = set(fields.get("flags", "").split())
    if "amx_bf16" in flags:
        return True
    return "avx512_bf16" in flags and fields.get("vendor_id") == "AuthenticAMD"


def cpuinfo_fields(cpuinfo: str) -> dict[str, str]:
    """``/proc/cpuinfo``'s ``key: value`` lines as a dict (every processor lists the same)."""
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in cpuinfo.splitlines())
        if value
    }


def resolve_precision(precision: str, device: torch.device, models: GANModels) -> str:
    """``auto``: bf16 where the device has a bf16 matrix unit and the networks gain from it.

    The architecture says whether its networks, built for this data shape, gain
    (:attr:`~ganzoo.models.GANModels.prefers_bf16`); the rule never times anything, so one
    config on one machine always resolves the same way. Other precisions stay as given.
    """
    if precision != "auto":
        return precision
    unit = has_bf16_unit(device)  # checked first: a bad GANZOO_BF16_UNIT is always an error
    return "bf16" if unit and models.prefers_bf16 else "fp32"


def cpu_threads(count: int) -> str:
    """``1 CPU thread``, ``2 CPU threads``."""
    return f"{count} CPU thread{'' if count == 1 else 's'}"


Denormals = Literal["kept", "flushed", "flushed on some threads only"]
"""What a run's CPU threads do with denormal numbers (see :func:`configure_denormals`)."""


def describe_precision(precision: str, device: torch.device, denormals: Denormals = "kept") -> str:
    """The precision a run trains in, with the CPU threads it uses: ``bf16, 2 CPU threads``
    (and ``denormals flushed`` where the run flushes them)."""
    if device.type != "cpu":
        return precision
    flushed = "" if denormals == "kept" else f", denormals {denormals}"
    return f"{precision}, {cpu_threads(torch.get_num_threads())}{flushed}"


DENORMAL_PROBE_SIZE = 1 << 20
"""Values in the probe of :func:`denormals_flushed_by_threads`: enough to split over threads."""
_flushed_in_this_process = False
"""Whether a run in this process has asked to flush: only then can a run that keeps
denormals find worker threads that flush them."""


def denormals_flushed_by_threads() -> bool | None:
    """Whether the threads torch computes on flush denormal numbers: all (True), none
    (False), or some (None). A parallel product of denormal bit patterns, read back as bits."""
    smallest = torch.ones(DENORMAL_PROBE_SIZE, dtype=torch.int32).view(torch.float32)
    flushed = int(torch.count_nonzero((smallest * 1.0).view(torch.int32) == 0))
    return {0: False, DENORMAL_PROBE_SIZE: True}.get(flushed)


def configure_denormals(flush: bool, device: torch.device) -> tuple[Denormals, str | None]:
    """Flush denormal numbers to zero on the CPU, or not, as the run asks. Returns what the
    run's threads do (``kept``, ``flushed`` or ``flushed on some threads only``), and a
    note where that is not what was asked.

    Each thread holds the setting, and torch's worker threads copy the main thread's when
    they start: it reaches them only when set before the process's first parallel
    operation, which :func:`ganzoo.training.setup.prepare` does by calling this first. A
    process that had started them before keeps theirs, which the note says.
    """
    if device.type != "cpu":
        note = f"flush_denormals: applies to the CPU only; this run trains on {device.type}"
        return "kept", note if flush else None
    global _flushed_in_this_process
    if not torch.set_flush_denormal(flush):
        note = "flush_denormals: this CPU has no flush-to-zero mode torch can set; denormals kept"
        return "kept", note if flush else None
    if not (flush or _flushed_in_this_process):
        return "kept", None  # as every thread has been since the process started
    _flushed_in_this_process = True
    if denormals_flushed_by_threads() is flush:
        return ("flushed" if flush else "kept"), None
    note = (
        f"flush_denormals = {str(flush).lower()}: this process started its worker threads "
        "before this run, and they keep their own setting; run it in a process of its own "
        "for the setting to hold on every thread"
    )
    return "flushed on some threads only", note


def recipe_precision_note(
    recipe: str, measured: str, precision: str, device: torch.device
) -> str | None:
    """One line when a recipe measured in bf16 trains in fp32 for want of a bf16 unit."""
    if measured != "bf16" or precision != "fp32" or has_bf16_unit(device):
        return None
    return (
        f"recipe {recipe!r} was measured in bf16, but {_where(device)} has no bf16 matrix "
        "unit, where bf16 runs many times slower, so it trains in fp32; --precision bf16 "
        "trains in bf16 anyway"
    )


def bf16_note(precision: str, device: torch.device, *, resuming: bool = False) -> str | None:
    """One line when a bf16 run starts or resumes on a device without a bf16 matrix unit."""
    if precision != "bf16" or has_bf16_unit(device):
        return None
    if resuming:
        return (
            f"this run trains in bf16, as it started; {_where(device)} has no bf16 matrix "
            "unit, so the same bf16 steps run slower here"
        )
    return (
        f"bf16 as asked: {_where(device)} has no bf16 matrix unit, so bf16 is emulated and "
        "runs slower than fp32 here"
    )


def _where(device: torch.device) -> str:
    return "this CPU" if device.type == "cpu" else f"this {device.type} device"


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
    # Checked for every run: a process that trains several runs (compare, reproduce) must
    # not carry one run's choice into the next. Set only on a change, since setting it
    # imports torch's compiler (seconds, in every run).
    wanted = (deterministic, deterministic)
    now = (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
    )
    if now != wanted:
        torch.use_deterministic_algorithms(deterministic, warn_only=True)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = not deterministic
        torch.backends.cudnn.deterministic = deterministic


def is_convolutional(module: nn.Module) -> bool:
    """Whether ``module`` holds 2-D (transposed) convolutions."""
    return any(isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) for m in module.modules())


def channels_last_wanted(config: RunConfig, device: torch.device, modules: list[nn.Module]) -> bool:
    """Channels-last layout: as asked, else on for convolutional networks on CUDA, and on
    the CPU together with bf16 (where it was measured faster; fp32 CPU runs stay as they were).

    Asking for it with networks that have no convolutions is an error.
    """
    convolutional = any(is_convolutional(module) for module in modules)
    if config.channels_last is None:
        return convolutional and (
            device.type == "cuda" or (device.type == "cpu" and config.precision == "bf16")
        )
    if config.channels_last and not convolutional:
        raise ConfigError(
            f"--channels-last: architecture {config.architecture!r} has no convolutions, so "
            "memory layout does not apply; leave the option out"
        )
    return config.channels_last


def refuse_compile(loss: Loss, name: str, registry: Registry) -> None:
    """``--compile`` cannot train a loss that differentiates its own gradients."""
    if loss.double_backward():
        raise ConfigError(
            f"--compile: loss {name!r} as set takes gradients of gradients (a gradient "
            "penalty), which torch.compile cannot compile; train it without --compile, or "
            f"use a loss without a penalty ({', '.join(compilable_losses(registry))})"
        )


def compilable_losses(registry: Registry) -> list[str]:
    """The registered losses that, at their defaults, take no gradients of gradients."""
    names = []
    for entry in registry.list("loss"):
        try:
            loss: Loss = registry.build("loss", entry.name)
        except Exception:  # a loss that cannot be built at its defaults is no suggestion
            continue
        if not loss.double_backward():
            names.append(entry.name)
    return names


def compiled(module: nn.Module, enabled: bool) -> nn.Module:
    """``module`` through ``torch.compile`` when asked; the state dict stays the plain module's."""
    if not enabled:
        return module
    return torch.compile(module)  # type: ignore[return-value]
