"""``ganzoo sample``: draw from a trained generator into a picture or a .npy array."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ganzoo.cli.common import note_live_run, stdout
from ganzoo.errors import ConfigError

if TYPE_CHECKING:
    from ganzoo.storage.weights import LoadedGenerator

FORMATS = (".png", ".npy")


def sample_command(
    source: Path = typer.Argument(..., help="A run directory or a generator .safetensors file."),
    count: int = typer.Option(64, "-n", "--count", help="Number of samples."),
    seed: int = typer.Option(0, "--seed", help="Seed of the latent vectors."),
    out: Path | None = typer.Option(None, "--out", "-o", help="x.png (grid) or x.npy (raw)."),
    label: int | None = typer.Option(None, "--label", help="Class to draw (conditional models)."),
    code: int | None = typer.Option(
        None, "--code", help="Code to draw (generators that read a categorical code, infogan)."
    ),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda or mps."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out file."),
) -> None:
    """Draw samples from a generator; the weights file alone rebuilds it."""
    if count < 1:
        raise ConfigError(f"-n must be at least 1, got {count}")
    if seed < 0:
        raise ConfigError(f"--seed must be 0 or more, got {seed}")
    if out is None:
        base = source if source.is_dir() else source.parent
        out = base / f"sample-seed{seed}.png"
    if out.suffix not in FORMATS:
        raise ConfigError(f"--out {out}: unknown format {out.suffix!r}; allowed: .png, .npy")
    if out.exists() and not overwrite:
        raise ConfigError(f"--out {out} already exists; add --overwrite to replace it")

    import numpy as np
    import torch

    from ganzoo.pictures import class_grid, samples_image
    from ganzoo.storage.atomic import write_atomic
    from ganzoo.storage.weights import load_generator
    from ganzoo.training.devices import resolve_device

    note_live_run(source)
    generator = load_generator(source, device=resolve_device(device))
    labels = None
    nrow = None
    if label is not None:
        classes = generator.spec.num_classes
        if not generator.conditional or not classes:
            raise ConfigError(f"--label needs a conditional generator; {generator.path} is not one")
        if not 0 <= label < classes:
            raise ConfigError(f"--label {label} is out of range: classes are 0..{classes - 1}")
        labels = torch.full((count,), label, dtype=torch.long)
    elif generator.conditional and generator.spec.num_classes and out.suffix == ".png":
        labels, nrow = class_grid(generator.spec.num_classes, count)
        count = len(labels)
    categories = code_categories(generator, code)
    if categories and code is None and out.suffix == ".png":
        # one row per code, the same noise down each column: what each code draws
        per_code = max(1, count // categories)
        rows = [generator.sample(per_code, seed=seed, code=k) for k in range(categories)]
        samples, nrow = torch.cat(rows).cpu(), per_code
    else:
        samples = generator.sample(count, seed=seed, labels=labels, code=code).cpu()
    buffer = io.BytesIO()
    if out.suffix == ".npy":
        np.save(buffer, samples.numpy(), allow_pickle=False)
    else:
        samples_image(samples, generator.spec, nrow=nrow).save(buffer, format="PNG")
    write_atomic(out, buffer.getvalue())
    stdout.print(str(out))


def code_categories(generator: LoadedGenerator, code: int | None) -> int | None:
    """How many codes the generator reads from z (None if it reads none), ``code`` checked."""
    from ganzoo.models import CodedGenerator

    categories = (
        generator.module.code_categories if isinstance(generator.module, CodedGenerator) else None
    )
    if code is None:
        return categories
    if categories is None:
        raise ConfigError(
            f"--code needs a generator that reads a categorical code from z (infogan); "
            f"{generator.path} is not one"
        )
    if not 0 <= code < categories:
        raise ConfigError(f"--code {code} is out of range: codes are 0..{categories - 1}")
    return categories


def register(app: typer.Typer) -> None:
    app.command("sample")(sample_command)
