"""Scatter frames of 2-D samples: drawn over a kept background, the same as drawn afresh."""

from __future__ import annotations

import numpy as np
import torch

from ganzoo.pictures import ScatterFrames, scatter_image


def pixel_at(frames: ScatterFrames, image: np.ndarray, x: float, y: float) -> np.ndarray:
    """The RGB pixel of ``image`` where the data point (x, y) falls."""
    column, row = frames.axes.transData.transform((x, y))
    return image[image.shape[0] - round(float(row)), round(float(column))]


def test_a_frame_is_the_picture_drawn_afresh_whatever_came_before() -> None:
    generator = torch.Generator().manual_seed(0)
    means = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    real = torch.randn(300, 2, generator=generator) * 0.5
    frames = ScatterFrames(means, real)
    earlier = frames.image(torch.randn(500, 2, generator=generator) * 2, title="step 0")
    points = torch.randn(500, 2, generator=generator)
    later = np.asarray(frames.image(points, title="step 100"))

    afresh = np.asarray(scatter_image(points, means, title="step 100", real=real))
    assert np.array_equal(later, afresh)
    assert not np.array_equal(np.asarray(earlier), later)


def test_samples_lie_where_they_are_and_the_marks_over_them() -> None:
    means = torch.tensor([[1.0, 1.0], [-1.0, -1.0]])
    frames = ScatterFrames(means)
    image = np.asarray(frames.image(torch.full((50, 2), -0.5)))
    blue = pixel_at(frames, image, -0.5, -0.5).astype(int)
    assert blue[2] > blue[0] + 40  # tab:blue
    assert (pixel_at(frames, image, 0.5, 0.5) == 255).all()  # nothing drawn there
    covered = np.asarray(frames.image(torch.full((50, 2), 1.0))).astype(int)
    red = pixel_at(frames, covered, 1.0, 1.0)
    assert red[0] > red[2] + 40  # the true mean's red cross over the samples on it


def test_limits_follow_the_samples_when_nothing_fixes_them() -> None:
    frames = ScatterFrames()
    frames.image(torch.tensor([[1.0, -1.0]]))
    assert frames.axes.get_xlim() == (-1.3, 1.3)
    points = torch.tensor([[100.0, 0.0], [0.0, -50.0]])
    wide = np.asarray(frames.image(points, title="wide"))
    assert frames.axes.get_xlim() == frames.axes.get_ylim() == (-120.1, 120.1)
    assert np.array_equal(wide, np.asarray(scatter_image(points, title="wide")))
