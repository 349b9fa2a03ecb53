"""Pictures a run leaves behind: sample grids, 2-D scatter plots, the GIF and the loss curve."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

from ganzoo.data.spec import DataSpec


def to_uint8_images(samples: torch.Tensor, spec: DataSpec) -> torch.Tensor:
    """Map samples from the spec's value range to uint8 ``(N, C, H, W)``."""
    low, high = spec.value_range
    scaled = (samples.detach().float().cpu() - low) / (high - low)
    return (scaled.clamp(0, 1) * 255).round().to(torch.uint8)


SMALLEST_SHOWN = 28
"""Images of at most half this side are shown enlarged, by a whole factor, in grids."""


def class_grid(classes: int, count: int) -> tuple[torch.Tensor, int]:
    """Labels for a grid of about ``count`` samples of a conditional generator, and its row
    length: a row per class, or, with fewer samples than classes, one of each class."""
    per_class = max(1, count // classes)
    labels = torch.arange(classes).repeat_interleave(per_class)
    return labels, per_class if per_class > 1 else math.ceil(math.sqrt(classes))


def grid_image(samples: torch.Tensor, spec: DataSpec, nrow: int | None = None) -> Image.Image:
    """Images tiled into one picture, ``nrow`` per row (square by default).

    Small images (8×8 digits) are enlarged by a whole factor, each pixel a square block,
    so that the grid is legible and shows exactly what the generator made.
    """
    from torchvision.utils import make_grid

    nrow = nrow or max(1, math.ceil(math.sqrt(len(samples))))
    grid = make_grid(to_uint8_images(samples, spec), nrow=nrow, padding=2, pad_value=255)
    array = grid.permute(1, 2, 0).numpy()
    if array.shape[2] == 1:
        image = Image.fromarray(array[:, :, 0], mode="L")
    else:
        image = Image.fromarray(array, mode="RGB")
    factor = SMALLEST_SHOWN // max(spec.image_size)
    if factor > 1:
        image = image.resize(
            (image.width * factor, image.height * factor), Image.Resampling.NEAREST
        )
    return image


class ScatterFrames:
    """Scatter plots of 2-D samples (blue) over real examples (grey) and reference points
    such as the true means (red), one frame per batch of samples.

    A run draws a frame every few steps over the same axes, so the axes, their ticks and
    the real examples are drawn once and kept as a background; each frame puts back that
    background and draws only the samples, the reference points and the title on it.
    """

    def __init__(
        self,
        reference: torch.Tensor | None = None,
        real: torch.Tensor | None = None,
        limits: float | None = None,
    ) -> None:
        self.figure, self.canvas = _figure(4, 4)
        # Fixed margins: the square axes leave nothing for a tight layout to find.
        self.figure.subplots_adjust(left=0.16, right=0.95, bottom=0.08, top=0.92)
        self.axes = axes = self.figure.subplots()
        axes.set_aspect("equal")
        if real is not None:
            shown = real.detach().float().cpu().numpy()
            axes.scatter(shown[:, 0], shown[:, 1], s=2, alpha=0.3, color="tab:gray", label="real")
            if limits is None and reference is None:  # fixed by the real data: plots compare
                limits = min(float(np.abs(shown).max()) * 1.2 + 0.1, 1e3)
        self.samples = axes.scatter([], [], s=2, alpha=0.5, color="tab:blue", label="samples")
        self.overlay: list[Artist] = [self.samples]
        if reference is not None:
            ref = reference.detach().float().cpu().numpy()
            marks = axes.scatter(ref[:, 0], ref[:, 1], s=30, marker="x", color="tab:red")
            marks.set_label("true means")
            self.overlay.append(marks)
            if limits is None:  # fixed by the true data: plots compare
                limits = float(np.abs(ref).max()) * 1.5 + 0.5
        self.overlay.append(axes.title)
        self.limits = limits
        self._background: tuple[float, object] | None = None

    def image(self, points: torch.Tensor, title: str = "") -> Image.Image:
        """The frame of ``points`` under ``title``."""
        data = points.detach().float().cpu().numpy()
        limits = self.limits
        if limits is None:  # nothing fixes them: they follow the samples
            span = float(np.abs(data).max()) if data.size else 1.0
            limits = min(span * 1.2 + 0.1, 1e3)
        self.canvas.restore_region(self._background_for(limits))
        self.samples.set_offsets(data)
        self.axes.title.set_text(title)
        for artist in self.overlay:  # the samples, then the marks over them, then the title
            self.axes.draw_artist(artist)
        return Image.fromarray(np.asarray(self.canvas.buffer_rgba())[:, :, :3].copy())

    def _background_for(self, limits: float) -> object:
        """The figure drawn without the overlay, at these axis limits (kept while they hold)."""
        if self._background is None or self._background[0] != limits:
            self.axes.set_xlim(-limits, limits)
            self.axes.set_ylim(-limits, limits)
            for artist in self.overlay:
                artist.set_visible(False)
            self.canvas.draw()
            for artist in self.overlay:
                artist.set_visible(True)
            self._background = (limits, self.canvas.copy_from_bbox(self.figure.bbox))
        return self._background[1]


def scatter_image(
    points: torch.Tensor,
    reference: torch.Tensor | None = None,
    title: str = "",
    limits: float | None = None,
    real: torch.Tensor | None = None,
) -> Image.Image:
    """One scatter plot of 2-D samples over real examples and reference points (see
    :class:`ScatterFrames`, which draws many over the same axes)."""
    return ScatterFrames(reference, real, limits).image(points, title)


def samples_image(
    samples: torch.Tensor,
    spec: DataSpec,
    reference: torch.Tensor | None = None,
    nrow: int | None = None,
    title: str = "",
    real: torch.Tensor | None = None,
) -> Image.Image:
    """A grid for images, a scatter plot for 2-D points (over ``real`` examples, if given)."""
    if spec.is_image:
        return grid_image(samples, spec, nrow)
    if spec.shape != (2,):
        raise ValueError(f"cannot draw samples of shape {spec.shape}: only images and 2-D points")
    return scatter_image(samples, reference, title, real=real)


def save_gif(frames: Sequence[Path], path: Path, duration_ms: int = 400) -> None:
    """An animated GIF of the given PNG frames (the last one held longer)."""
    images = [Image.open(frame).convert("RGB") for frame in frames]
    if not images:
        return
    durations = [duration_ms] * (len(images) - 1) + [duration_ms * 4]
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0)


def save_loss_curve(rows: Sequence[dict[str, float]], path: Path, title: str = "") -> None:
    """Plot every ``*_loss`` column (and penalties) of ``metrics.jsonl`` rows against the step."""
    if not rows:
        return
    steps = [row["step"] for row in rows]
    keys = [k for k in rows[0] if k not in {"step", "images_per_s", "elapsed_s"}]
    figure, _ = _figure(7, 4)
    axes = figure.subplots()
    for key in keys:
        axes.plot(steps, [row.get(key, float("nan")) for row in rows], label=key)
    axes.set_xlabel("step")
    axes.set_ylabel("value")
    axes.grid(alpha=0.3)
    axes.legend()
    if title:
        axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path)


def _figure(width: float, height: float) -> tuple[Figure, FigureCanvasAgg]:
    """A matplotlib figure on its own Agg canvas (no pyplot state, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    return figure, FigureCanvasAgg(figure)
