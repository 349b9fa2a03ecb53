"""mlp-gan spreads over grid25's modes with non-saturating and wgan-gp.

A loss with a flipped sign, a trainer that never updates G, or a collapsed generator would
cover only a handful of the 25 modes (G as initialised covers one: its samples sit on the
centre mode). Non-saturating runs its default budget (2,000 steps); wgan-gp, whose steps
cost five critic steps each, runs 500, where seeds 0 and 1 cover 16 and 12 modes (18 for
seed 0 at its default budget).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ganzoo
from ganzoo.evaluation.mixtures import mode_coverage
from ganzoo.plugins import plugin_set

BUDGETS = [
    pytest.param("non-saturating", None, 13, id="non-saturating"),  # more than half of 25
    pytest.param("wgan-gp", 500, 8, id="wgan-gp"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("loss", "steps", "min_modes"), BUDGETS)
def test_training_covers_many_grid25_modes(
    loss: str, steps: int | None, min_modes: int, tmp_path: Path
) -> None:
    budget = {} if steps is None else {"steps": steps}
    config = ganzoo.RunConfig(
        architecture="mlp-gan",
        loss=loss,
        dataset="grid25",
        device="cpu",
        out=tmp_path / loss,
        seed=0,
        **budget,
    )
    run_dir = ganzoo.train(config, show_progress=False, show_summary=False)
    generator = ganzoo.load_generator(run_dir)
    mixture = plugin_set().registry.build("dataset", "grid25", {}, None)
    coverage = mode_coverage(generator.sample(2500, seed=1), mixture.means, mixture.std)
    assert coverage.modes_covered >= min_modes, coverage
