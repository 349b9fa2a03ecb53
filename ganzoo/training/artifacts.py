"""What a run leaves beside its weights: sample grids, GIF, loss curve; reading metrics.jsonl.

``metrics.jsonl`` itself is written by the built-in ``jsonl`` logger
(:mod:`ganzoo.builtin.loggers.jsonl`).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from PIL import Image
from rich.console import Console

from ganzoo.pictures import ScatterFrames, class_grid, samples_image, save_gif, save_loss_curve
from ganzoo.storage.layout import RunLayout
from ganzoo.summary import summarise
from ganzoo.training.setup import RunPlan
from ganzoo.training.step import Trainer


class RunArtifacts:
    """Writes a run's samples and logs; samples always come from one fixed latent batch."""

    def __init__(self, layout: RunLayout, plan: RunPlan, console: Console) -> None:
        self.layout = layout
        self.plan = plan
        self.console = console
        config = plan.config
        spec = plan.data.spec
        count = config.grid_size if spec.is_image else max(config.grid_size, 1000)
        self.labels: torch.Tensor | None = None
        self.nrow: int | None = None
        if plan.models.conditional and spec.num_classes:
            self.labels, self.nrow = class_grid(spec.num_classes, count)
            count = len(self.labels)
        generator = torch.Generator().manual_seed(config.seed + 1)
        self.fixed_latent = torch.randn(count, plan.models.latent_dim, generator=generator)
        self.scatter: ScatterFrames | None = None  # the frames of 2-D points share one plot
        if spec.shape == (2,):
            reference = getattr(plan.data, "means", None)
            real = plan.data.plot_reference(count, seed=config.seed)
            self.scatter = ScatterFrames(reference, real)
        layout.samples.mkdir(parents=True, exist_ok=True)

    def print_summaries(self, trainer: Trainer) -> None:
        """Rich layer tables of G and D."""
        for table in summary_tables(self.plan, trainer.device):
            self.console.print(table)

    @torch.no_grad()
    def save_samples(self, trainer: Trainer, step: int) -> Image.Image:
        """``samples/step-NNNNNN.png`` from the fixed latent batch; returns the image."""
        module = trainer.sampling_generator()
        was_training = module.training
        module.eval()
        z = self.fixed_latent.to(trainer.device)
        if self.labels is not None:
            samples = module(z, self.labels.to(trainer.device))
        else:
            samples = module(z)
        module.train(was_training)
        if self.scatter is not None:
            image = self.scatter.image(samples, title=f"step {step}")
        else:
            image = samples_image(samples, self.plan.data.spec, nrow=self.nrow)
        image.save(self.layout.sample(step))
        return image

    def finish(self) -> None:
        """The GIF of the sample grids and the loss curve."""
        save_gif(self.layout.sample_frames(), self.layout.samples_gif)
        rows = read_metrics(self.layout.root)
        config = self.plan.config
        save_loss_curve(
            rows,
            self.layout.loss_curve,
            title=f"{config.architecture} · {config.loss} · {config.dataset}",
        )


def read_metrics(run_dir: Path) -> list[dict[str, float]]:
    """The rows of a run's ``metrics.jsonl`` (a line cut short by a crash is left out)."""
    path = RunLayout(run_dir).metrics
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a crash
    return rows


def summary_tables(plan: RunPlan, device: torch.device) -> list:  # type: ignore[type-arg]
    """Layer summaries of a plan's generator and discriminator."""
    models = plan.models
    z = torch.zeros(2, models.latent_dim, device=device)
    x = torch.zeros(2 * models.pack, *plan.data.spec.shape, device=device)
    args_g: tuple[torch.Tensor, ...] = (z,)
    args_d: tuple[torch.Tensor, ...] = (x,)
    if models.conditional:
        labels = torch.zeros(2, dtype=torch.long, device=device)
        args_g, args_d = (z, labels), (x, labels)
    return [
        summarise(
            models.generator.to(device), args_g, f"generator ({plan.config.architecture})"
        ).table(),
        summarise(
            models.discriminator.to(device),
            args_d,
            f"discriminator ({plan.config.architecture}, {plan.config.loss})",
        ).table(),
    ]
