"""GPU benchmarks: ganzoo against the reference loops, in one process, on one device.

Run through ``python bench/run.py --gpu [--data-root DIR] [--compile] [--json FILE]``;
``--smoke`` runs the same code on the CPU with tiny sizes (a check that it runs, not a figure).

1. dcgan on CIFAR-10 images resized to 3×64×64, batch 128, against the PyTorch examples'
   dcgan loop (``main.py``: DataLoader with 2 workers, per-item Resize + ToTensor +
   Normalize, BCELoss on a sigmoid, ``.item()`` every step). Without CIFAR-10 in
   ``--data-root``, both read the same folder of random 32×32 PNG images, resized alike.
2. mlp-gan on MNIST, batch 64, against the tutorials' loop (``bench/reference_mlp.py``'s,
   with ``.to(device)``); random 28×28 images stand in where MNIST is absent.

Each reports steady-state images/s (timed between device synchronisations after a
warm-up), peak memory, the fraction of the GPU's dense bf16 peak reached by ganzoo's
best setting, and two ratios: ganzoo in fp32 over the reference in fp32 (same
precision, with the TF32 state named), and ganzoo at its best setting over the reference.
"""

from __future__ import annotations

import functools
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:  # the reference loops sit beside this file
    sys.path.insert(0, str(BENCH))

from mnist_copy import decompressed_copy  # noqa: E402
from reference_dcgan import weights_init  # noqa: E402
from reference_mlp import block  # noqa: E402

PEAK_BF16_DENSE_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0}
"""Dense (no sparsity) bf16 tensor-core peaks by device name, from the vendor's data sheets."""
MEBIBYTE = 2**20


@dataclass(frozen=True)
class Sizes:
    """Batch sizes and run lengths of one suite run."""

    dcgan_batch: int
    mlp_batch: int
    warmup: int
    steps: int
    images: int
    """Random images written when the real data set is absent."""
    workers: int
    """DataLoader workers of the examples' dcgan loop (its default is 2)."""
    features: int
    """dcgan's feature maps, ngf = ndf (64 in the examples; fewer for a smoke run)."""


FULL = Sizes(
    dcgan_batch=128, mlp_batch=64, warmup=30, steps=200, images=4096, workers=2, features=64
)
SMOKE = Sizes(dcgan_batch=4, mlp_batch=4, warmup=1, steps=2, images=16, workers=0, features=4)


def dense_bf16_peak(device: torch.device) -> float | None:
    """FLOP/s of the GPU's dense bf16 peak, when its name is in the table."""
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for key, tflops in PEAK_BF16_DENSE_TFLOPS.items():
        if key in name:
            return tflops * 1e12
    return None


def tf32_state() -> str:
    """Whether fp32 matrix products and convolutions may use TF32 (torch's defaults unless set)."""
    matmul = "on" if torch.backends.cuda.matmul.allow_tf32 else "off"
    convolutions = "on" if torch.backends.cudnn.allow_tf32 else "off"
    return f"TF32 matmul {matmul}, cuDNN convolutions {convolutions}"


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def steady_rate(
    step: Callable[[], object], batch: int, sizes: Sizes, device: torch.device
) -> dict[str, float | None]:
    """Images/s over ``sizes.steps`` steps after a warm-up, and peak memory while timing."""
    for _ in range(sizes.warmup):
        step()
    synchronize(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    started = time.perf_counter()
    for _ in range(sizes.steps):
        step()
    synchronize(device)
    elapsed = max(time.perf_counter() - started, 1e-9)
    peak = torch.cuda.max_memory_allocated(device) / MEBIBYTE if device.type == "cuda" else None
    return {"images_per_s": sizes.steps * batch / elapsed, "peak_mib": peak}


def forever(loader: DataLoader) -> Iterator[Any]:
    while True:
        yield from loader


def examples_dcgan(
    loader: DataLoader, device: torch.device, features: int = 64
) -> Callable[[], None]:
    """One iteration of the PyTorch examples' dcgan/main.py at 64×64, as a function."""
    nc, nz, ngf, ndf = 3, 100, features, features
    net_g = nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
        nn.BatchNorm2d(ngf * 8),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf * 4),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf * 2),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
        nn.Tanh(),
    ).to(device)
    net_d = nn.Sequential(
        nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 2),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 4),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 8),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),
        nn.Sigmoid(),
    ).to(device)
    net_g.apply(weights_init)
    net_d.apply(weights_init)
    criterion = nn.BCELoss()
    optimizer_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    batches = forever(loader)

    def step() -> None:
        data = next(batches)
        net_d.zero_grad()
        real = data[0].to(device)
        label = torch.full((real.size(0),), 1.0, dtype=torch.float, device=device)
        output = net_d(real).view(-1)
        error_real = criterion(output, label)
        error_real.backward()
        output.mean().item()  # D(x), printed by the examples
        noise = torch.randn(real.size(0), nz, 1, 1, device=device)
        fake = net_g(noise)
        label.fill_(0.0)
        output = net_d(fake.detach()).view(-1)
        error_fake = criterion(output, label)
        error_fake.backward()
        output.mean().item()
        optimizer_d.step()
        net_g.zero_grad()
        label.fill_(1.0)
        output = net_d(fake).view(-1)
        error_g = criterion(output, label)
        error_g.backward()
        output.mean().item()
        optimizer_g.step()

    return step


def tutorial_mlp(loader: DataLoader, device: torch.device) -> Callable[[], None]:
    """One iteration of the tutorials' MLP GAN (``bench/reference_mlp.py``) on ``device``."""
    generator = nn.Sequential(
        *block(100, 128),
        *block(128, 256),
        *block(256, 512),
        *block(512, 1024),
        nn.Linear(1024, 784),
        nn.Tanh(),
    ).to(device)
    discriminator = nn.Sequential(
        nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
        nn.Linear(256, 1),
    ).to(device)  # fmt: skip
    criterion = nn.BCEWithLogitsLoss()
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    batches = forever(loader)

    def step() -> None:
        images, _ = next(batches)
        real = images.view(images.size(0), -1).to(device)
        ones = torch.ones(real.size(0), 1, device=device)
        zeros = torch.zeros(real.size(0), 1, device=device)
        fake = generator(torch.randn(real.size(0), 100, device=device))
        optimizer_d.zero_grad()
        d_loss = criterion(discriminator(real), ones) + criterion(
            discriminator(fake.detach()), zeros
        )
        d_loss.backward()
        optimizer_d.step()
        optimizer_g.zero_grad()
        g_loss = criterion(discriminator(fake), ones)
        g_loss.backward()
        optimizer_g.step()

    return step


def random_folder(folder: Path, count: int, size: int, channels: int) -> Path:
    """``count`` random PNG images of ``size`` pixels in one class folder."""
    from PIL import Image

    target = folder / "class0"
    target.mkdir(parents=True)
    generator = torch.Generator().manual_seed(0)
    shape = (count, size, size, channels)
    pixels = torch.randint(0, 256, shape, dtype=torch.uint8, generator=generator).numpy()
    for index, image in enumerate(pixels):
        Image.fromarray(image.squeeze(-1) if channels == 1 else image).save(
            target / f"{index:05d}.png"
        )
    return folder


@dataclass(frozen=True)
class Benchmark:
    """One comparison: a ganzoo run and the reference loop on the same images."""

    name: str
    batch: int
    ganzoo: dict[str, Any]
    """RunConfig fields of the ganzoo side (device and precision are added per variant)."""
    reference: Callable[[DataLoader, torch.device], Callable[[], None]]
    """Builds the reference loop's step on a device."""
    loader: DataLoader
    data: str


def dcgan_benchmark(data_root: Path | None, scratch: Path, sizes: Sizes) -> Benchmark:
    """dcgan at 64×64 on CIFAR-10 (or random 32×32 images) against the examples' loop."""
    from torchvision import datasets, transforms

    normalize = transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
    cifar = data_root is not None and (data_root / "cifar-10-batches-py").is_dir()
    if cifar:
        assert data_root is not None
        ours: dict[str, Any] = {
            "dataset": "cifar10",
            "data_root": data_root,
            "dataset_settings": {"image_size": 64},
        }
        transform = transforms.Compose([transforms.Resize(64), transforms.ToTensor(), normalize])
        images = datasets.CIFAR10(str(data_root), download=False, transform=transform)
        data = "CIFAR-10 training images"
    else:
        folder = random_folder(scratch / "rgb", sizes.images, 32, 3)
        ours = {
            "dataset": "image-folder",
            "dataset_settings": {"path": folder, "image_size": 64, "labels": "none"},
        }
        transform = transforms.Compose(
            [transforms.Resize(64), transforms.CenterCrop(64), transforms.ToTensor(), normalize]
        )
        images = datasets.ImageFolder(str(folder), transform=transform)
        data = f"{sizes.images:,} random 32×32 images (CIFAR-10 not found), resized to 64"
    loader = DataLoader(
        images,
        batch_size=sizes.dcgan_batch,
        shuffle=True,
        num_workers=sizes.workers,
        drop_last=True,
    )
    return Benchmark(
        name=f"dcgan 3×64×64, batch {sizes.dcgan_batch}",
        batch=sizes.dcgan_batch,
        ganzoo={
            "architecture": "dcgan",
            "loss": "non-saturating",
            "architecture_settings": {
                "generator_features": sizes.features,
                "discriminator_features": sizes.features,
            },
            **ours,
        },
        reference=functools.partial(examples_dcgan, features=sizes.features),
        loader=loader,
        data=data,
    )


def mlp_benchmark(data_root: Path | None, scratch: Path, sizes: Sizes) -> Benchmark:
    """mlp-gan on MNIST (or random 28×28 images) against the tutorials' loop."""
    from torchvision import datasets, transforms

    normalize = transforms.Normalize((0.5,), (0.5,))
    mnist = data_root is not None and (data_root / "MNIST" / "raw").is_dir()
    if mnist:
        assert data_root is not None
        copy = decompressed_copy(data_root, scratch / "mnist")
        ours: dict[str, Any] = {"dataset": "mnist", "data_root": data_root}
        transform = transforms.Compose([transforms.ToTensor(), normalize])
        images = datasets.MNIST(str(copy), train=True, download=False, transform=transform)
        data = "MNIST training images"
    else:
        folder = random_folder(scratch / "gray", sizes.images, 28, 1)
        ours = {
            "dataset": "image-folder",
            "dataset_settings": {"path": folder, "image_size": 28, "channels": 1, "labels": "none"},
        }
        transform = transforms.Compose([transforms.Grayscale(), transforms.ToTensor(), normalize])
        images = datasets.ImageFolder(str(folder), transform=transform)
        data = f"{sizes.images:,} random 28×28 images (MNIST not found)"
    loader = DataLoader(images, batch_size=sizes.mlp_batch, shuffle=True, drop_last=True)
    return Benchmark(
        name=f"mlp-gan on MNIST, batch {sizes.mlp_batch}",
        batch=sizes.mlp_batch,
        ganzoo={"architecture": "mlp-gan", "loss": "non-saturating", **ours},
        reference=tutorial_mlp,
        loader=loader,
        data=data,
    )


def ganzoo_step(fields: dict[str, Any]) -> Callable[[], object]:
    """ganzoo's training step for a config of ``fields``."""
    from ganzoo.config import RunConfig
    from ganzoo.plugins import plugin_set
    from ganzoo.training.setup import prepare
    from ganzoo.training.step import Trainer

    config = RunConfig.model_validate({"steps": 10**9, "seed": 0, **fields})
    return Trainer(prepare(config, plugin_set().registry)).train_step


def flops_per_image(fields: dict[str, Any], batch: int) -> float:
    """FLOPs of one ganzoo training step (fp32, counted by torch), per image."""
    from torch.utils.flop_counter import FlopCounterMode

    step = ganzoo_step({**fields, "precision": "fp32", "compile": False})
    step()
    counter = FlopCounterMode(display=False)
    with counter:
        step()
    return float(counter.get_total_flops()) / batch


def variants(compile: bool) -> dict[str, dict[str, Any]]:
    """ganzoo's settings to time: fp32, bf16, and bf16 compiled when asked."""
    chosen: dict[str, dict[str, Any]] = {
        "fp32": {"precision": "fp32"},
        "bf16": {"precision": "bf16"},
    }
    if compile:
        chosen["bf16+compile"] = {"precision": "bf16", "compile": True}
    return chosen


def measure(
    benchmark: Benchmark, device: torch.device, sizes: Sizes, compile: bool
) -> dict[str, Any]:
    """Time the reference and each ganzoo variant; the ratios, memory and share of the peak."""
    torch.manual_seed(0)
    reference = steady_rate(
        benchmark.reference(benchmark.loader, device), benchmark.batch, sizes, device
    )
    fields = {**benchmark.ganzoo, "batch_size": benchmark.batch, "device": device.type}
    ours = {
        name: steady_rate(ganzoo_step({**fields, **extra}), benchmark.batch, sizes, device)
        for name, extra in variants(compile).items()
    }
    best = max(ours, key=lambda name: float(ours[name]["images_per_s"] or 0))
    flops = flops_per_image(fields, benchmark.batch)
    peak = dense_bf16_peak(device)
    best_rate = float(ours[best]["images_per_s"] or 0)
    reference_rate = float(reference["images_per_s"] or 1e-9)
    return {
        "benchmark": benchmark.name,
        "data": benchmark.data,
        "reference": reference,
        "ganzoo": ours,
        "ratio_same_precision_fp32": float(ours["fp32"]["images_per_s"] or 0) / reference_rate,
        "best_setting": best,
        "ratio_best": best_rate / reference_rate,
        "bf16_over_fp32": float(ours["bf16"]["images_per_s"] or 0)
        / float(ours["fp32"]["images_per_s"] or 1e-9),
        "gflop_per_image": flops / 1e9,
        "fraction_of_bf16_peak": best_rate * flops / peak if peak else None,
    }


def run_gpu_benchmarks(
    data_root: Path | None, *, smoke: bool = False, compile: bool = False
) -> dict[str, Any]:
    """Both GPU benchmarks; ``smoke`` runs them on the CPU with tiny sizes instead."""
    if smoke:
        device, sizes = torch.device("cpu"), SMOKE
    elif not torch.cuda.is_available():
        print(
            "bench/run.py --gpu: no CUDA GPU here; --gpu --smoke runs the same code on the CPU "
            "with tiny sizes (a check that it runs, not a figure)",
            file=sys.stderr,
        )
        raise SystemExit(2)
    else:
        device, sizes = torch.device("cuda"), FULL
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU (smoke run)"
    peak = dense_bf16_peak(device)
    results: dict[str, Any] = {
        "device": name,
        "torch": torch.__version__,
        "tf32": tf32_state(),
        "dense_bf16_peak_tflops": peak / 1e12 if peak else None,
        "steps": sizes.steps,
        "warmup": sizes.warmup,
    }
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        for key, make in (("dcgan_64", dcgan_benchmark), ("mlp_mnist", mlp_benchmark)):
            root = None if smoke else data_root
            results[key] = measure(make(root, scratch, sizes), device, sizes, compile)
    return results


def report(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    peak = results["dense_bf16_peak_tflops"]
    console.print(
        f"device: {results['device']}, torch {results['torch']}, {results['tf32']}; "
        f"dense bf16 peak {f'{peak:g} TFLOP/s' if peak else 'not in the table'}"
    )
    table = Table(header_style="bold")
    for column in (
        "benchmark", "reference img/s", "ganzoo fp32 img/s", "ratio (fp32)", "best",
        "ganzoo best img/s", "ratio (best)", "bf16 / fp32", "of bf16 peak", "peak MiB (best)",
    ):  # fmt: skip
        table.add_column(column, justify="right")
    for key in ("dcgan_64", "mlp_mnist"):
        row = results[key]
        best = row["ganzoo"][row["best_setting"]]
        share = row["fraction_of_bf16_peak"]
        memory = best["peak_mib"]
        table.add_row(
            row["benchmark"],
            f"{row['reference']['images_per_s']:,.0f}",
            f"{row['ganzoo']['fp32']['images_per_s']:,.0f}",
            f"{row['ratio_same_precision_fp32']:.2f}×",
            row["best_setting"],
            f"{best['images_per_s']:,.0f}",
            f"{row['ratio_best']:.2f}×",
            f"{row['bf16_over_fp32']:.2f}×",
            f"{share:.1%}" if share is not None else "–",
            f"{memory:,.0f}" if memory is not None else "–",
        )
    console.print(table)
    for key in ("dcgan_64", "mlp_mnist"):
        console.print(f"{results[key]['benchmark']}: {results[key]['data']}")
