"""lr_decay = linear: both learning rates fall from the loss's settings to 0 at the last step."""

from __future__ import annotations

import pytest

import ganzoo
from ganzoo.plugins import plugin_set
from ganzoo.training.setup import prepare
from ganzoo.training.step import Trainer


@pytest.mark.parametrize("decay", ["constant", "linear"])
def test_learning_rates_follow_the_schedule(decay: str) -> None:
    config = ganzoo.RunConfig(
        architecture="pacgan-mlp",
        dataset="ring8",
        steps=10,
        batch_size=8,
        device="cpu",
        lr_decay=decay,  # type: ignore[arg-type]
        loss_settings={"lr_g": 1e-3, "lr_d": 4e-3},
    )
    trainer = Trainer(prepare(config, plugin_set().registry))
    seen = []
    for _ in range(10):
        trainer.train_step()
        seen.append((trainer.optimizer_g.param_groups[0]["lr"],
                     trainer.optimizer_d.param_groups[0]["lr"]))  # fmt: skip
    if decay == "constant":
        assert seen == [(1e-3, 4e-3)] * 10
    else:
        expected = [(1e-3 * (1 - k / 10), 4e-3 * (1 - k / 10)) for k in range(10)]
        flat = [lr for pair in seen for lr in pair]
        assert flat == pytest.approx([lr for pair in expected for lr in pair])
