"""ring8 and grid25: the standard 2-D mixtures for measuring mode collapse."""

from __future__ import annotations

from ganzoo.builtin.datasets.settings import Grid25Settings, Ring8Settings
from ganzoo.data import GaussianMixtureSource, grid_means, ring_means
from ganzoo.data.source import DataContext


def build_ring8(settings: Ring8Settings, context: DataContext) -> GaussianMixtureSource:
    """Means ``(cos 2πk/8, sin 2πk/8)``, k = 0..7."""
    return GaussianMixtureSource(ring_means(8), settings.std, name="ring8")


def build_grid25(settings: Grid25Settings, context: DataContext) -> GaussianMixtureSource:
    """Means on ``{-4, -2, 0, 2, 4}²``."""
    return GaussianMixtureSource(
        grid_means((-4.0, -2.0, 0.0, 2.0, 4.0)), settings.std, name="grid25"
    )
