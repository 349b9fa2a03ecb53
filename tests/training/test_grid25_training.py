"""mlp-gan covers most of grid25's modes with non-saturating and wgan-gp on their default budgets.

A loss with a flipped sign, a trainer that never updates G, or a collapsed generator would
cover only a handful of the 25 modes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ganzoo
from ganzoo.evaluation.mixtures import mode_coverage
from ganzoo.plugins import plugin_set

MOST_MODES = 13  # more than half of 25


@pytest.mark.slow
@pytest.mark.parametrize("loss", ["non-saturating", "wgan-gp"])
def test_default_budget_covers_most_grid25_modes(loss: str, tmp_path: Path) -> None:
    config = ganzoo.RunConfig(
        architecture="mlp-gan",
        loss=loss,
        dataset="grid25",
        device="cpu",
        out=tmp_path / loss,
        seed=0,
    )
    run_dir = ganzoo.train(config, show_progress=False, show_summary=False)
    generator = ganzoo.load_generator(run_dir)
    mixture = plugin_set().registry.build("dataset", "grid25", {}, None)
    coverage = mode_coverage(generator.sample(2500, seed=1), mixture.means, mixture.std)
    assert coverage.modes_covered >= MOST_MODES, coverage
