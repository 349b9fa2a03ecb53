"""Built-in recipes: complete run configurations held to published (or our own) figures.

Every figure below is a paper's, quoted with its source; the budgets and departures
are ours, and docs/zoo.md gives what each recipe measured.
"""

from __future__ import annotations

from typing import Any

from ganzoo.plugins import Registrar
from ganzoo.recipes import Figure, Protocol, Recipe, Reference

PACGAN = "Lin et al. 2018, PacGAN, Table 1"
PACGAN_URL = "https://arxiv.org/abs/1712.04086"
MODE_COVERAGE = Protocol(
    metrics=["mode-coverage"],
    num_samples=2500,
    settings={"mode-coverage": {"threshold": 3.0}},
    description="2,500 samples per seed; a sample is high quality within 3 standard deviations "
    "of its nearest mode, a mode is covered when one high-quality sample is nearest to it; "
    "reverse KL of the high-quality samples' modes to uniform (VEEGAN / PacGAN)",
)
PACGAN_ROWS: dict[tuple[str, int], tuple[Figure, Figure, Figure]] = {
    ("ring8", 1): (Figure(value=6.3, sd=0.5), Figure(value=98.2, sd=0.2),
                   Figure(value=0.45, sd=0.09, better="lower")),
    ("ring8", 2): (Figure(value=7.9, sd=0.1), Figure(value=95.6, sd=2.0),
                   Figure(value=0.07, sd=0.03, better="lower")),
    ("ring8", 4): (Figure(value=7.8, sd=0.1), Figure(value=95.9, sd=1.4),
                   Figure(value=0.07, sd=0.02, better="lower")),
    ("grid25", 1): (Figure(value=17.3, sd=0.8), Figure(value=94.8, sd=0.7),
                    Figure(value=0.70, sd=0.07, better="lower")),
    ("grid25", 2): (Figure(value=23.8, sd=0.7), Figure(value=91.3, sd=0.8),
                    Figure(value=0.13, sd=0.04, better="lower")),
    ("grid25", 4): (Figure(value=24.8, sd=0.2), Figure(value=93.6, sd=0.6),
                    Figure(value=0.04, sd=0.01, better="lower")),
}  # fmt: skip
"""Published (modes covered, % high quality, reverse KL), ± as the paper gives them."""


def _figures(modes: Figure, quality: Figure, kl: Figure) -> dict[str, Figure]:
    return {
        "mode-coverage.modes_covered": modes,
        "mode-coverage.high_quality_pct": quality,
        "mode-coverage.reverse_kl": kl,
    }


PACGAN_PAPER_CONFIG: dict[str, Any] = {
    "architecture": "pacgan-mlp",
    "loss": "non-saturating",
    "steps": 400_000,
    "loss_settings": {"lr_g": 1e-4, "lr_d": 1e-4, "beta1": 0.8, "beta2": 0.999},
}
"""PacGAN's own setting: Adam(1e-4, β₁ = 0.8), 400 epochs of 100,000 points in batches of 100."""


def pacgan_recipe(dataset: str, pack: int, *, paper: bool) -> Recipe:
    """PacGAN``pack`` (plain GAN for 1) on ``dataset``, at the paper's or our CPU setting."""
    modes, quality, kl = PACGAN_ROWS[(dataset, pack)]
    row = "GAN" if pack == 1 else f"PacGAN{pack}"
    name = "2D-ring" if dataset == "ring8" else "2D-grid"
    reference = Reference(
        source=f"{PACGAN}, {name}, {row}",
        url=PACGAN_URL,
        seeds=10,
        figures=_figures(modes, quality, kl),
    )
    config = {**PACGAN_PAPER_CONFIG, "dataset": dataset, "pack": pack, "batch_size": 100 * pack}
    if paper:
        return Recipe(
            config=config,
            protocol=MODE_COVERAGE,
            reference=reference,
            departures=[
                "points are drawn afresh for every batch rather than from a fixed set of 100,000"
            ],
            default_seeds=10,
            notes="The paper's exact setting: hours per seed on a laptop CPU.",
        )
    return Recipe(
        config={**config, **CPU_SETTINGS[dataset]},
        protocol=MODE_COVERAGE,
        reference=reference,
        departures=CPU_DEPARTURES[dataset],
        default_seeds=3,
        minutes_per_seed=MINUTES_PER_SEED.get((dataset, pack)),
    )


CPU_SETTINGS: dict[str, dict[str, Any]] = {
    "ring8": {
        "steps": 10_000,
        "loss_settings": {"lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.5, "beta2": 0.999},
        "lr_decay": "linear",
    },
    "grid25": {
        "steps": 10_000,
        "architecture_settings": {"data_scale": 4.0},
        "loss_settings": {"lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.5, "beta2": 0.999},
        "lr_decay": "linear",
    },
}
"""What the CPU recipes change from the paper's setting (see CPU_DEPARTURES)."""
CPU_DEPARTURES: dict[str, list[str]] = {
    "ring8": [
        "10,000 steps instead of 400,000, with Adam(1e-3, β₁ = 0.5) instead of (1e-4, 0.8), "
        "both learning rates falling linearly to 0, so that a seed trains in minutes on a CPU",
        "points are drawn afresh for every batch rather than from a fixed set of 100,000",
    ],
    "grid25": [
        "10,000 steps instead of 400,000, with Adam(1e-3, β₁ = 0.5) instead of (1e-4, 0.8), "
        "both learning rates falling linearly to 0, so that a seed trains in minutes on a CPU",
        "inputs scaled by 1/4 inside the networks (data_scale = 4), so they see unit-scale "
        "values; the data and the evaluation are unchanged",
        "points are drawn afresh for every batch rather than from a fixed set of 100,000",
    ],
}
MINUTES_PER_SEED: dict[tuple[str, int], float] = {}
"""Measured minutes per seed on a 2-core CPU (docs/zoo.md)."""


def register_builtin(register: Registrar) -> None:
    """Register ganzoo's built-in recipes."""
    for dataset in ("ring8", "grid25"):
        for pack in (1, 2, 4):
            prefix = "pacgan" if pack == 1 else f"pacgan{pack}"
            row = "the plain GAN" if pack == 1 else f"PacGAN{pack}"
            register(
                f"{prefix}-{dataset}",
                pacgan_recipe(dataset, pack, paper=False),
                description=f"{row} on {dataset}, PacGAN's networks at a CPU-sized budget",
            )
            register(
                f"{prefix}-{dataset}-paper",
                pacgan_recipe(dataset, pack, paper=True),
                description=f"{row} on {dataset} exactly as in the paper (400k steps; GPU "
                "or a long run)",
            )
