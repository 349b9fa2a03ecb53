"""A recipe this plugin ships: its loss on ring8, with the settings it was tuned with."""

from __future__ import annotations

from ganzoo.recipes import Figure, Protocol, Recipe, Reference

RAGAN_RING8 = Recipe(
    config={
        "architecture": "pacgan-mlp",
        "loss": "relativistic-average",
        "dataset": "ring8",
        "steps": 10_000,
        "batch_size": 100,
        "lr_decay": "linear",
        "loss_settings": {"lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.5, "beta2": 0.999},
    },
    protocol=Protocol(
        metrics=["mode-coverage"],
        num_samples=2500,
        settings={"mode-coverage": {"threshold": 3.0}},
        description="2,500 samples per seed, high quality within 3 standard deviations",
    ),
    reference=Reference(
        source="ganzoo-relativistic's own target (no published row)",
        published=False,
        figures={
            "mode-coverage.modes_covered": Figure(value=8),
            "mode-coverage.high_quality_pct": Figure(value=90),
        },
    ),
    departures=["no published row: the figures are this plugin's own target"],
)
