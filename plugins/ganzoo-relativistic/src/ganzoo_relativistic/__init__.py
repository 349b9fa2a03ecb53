"""ganzoo-relativistic: the relativistic average GAN loss and a swiss-roll dataset.

ganzoo imports this module (named by the ``ganzoo`` entry point in pyproject.toml) every
time it starts, so it stays cheap: no torch here. Factories are given as
``"module:attr"`` strings and imported only when a run uses them.
"""

from __future__ import annotations

import ganzoo
from ganzoo.plugins import Registrar
from ganzoo_relativistic.settings import RaGANSettings, SwissRollSettings

__version__ = "0.2.0"


@ganzoo.hookimpl
def register_losses(register: Registrar) -> None:
    register(
        "relativistic-average",
        "ganzoo_relativistic.loss:RelativisticAverageLoss",
        RaGANSettings,
        description="Relativistic average GAN (Jolicoeur-Martineau 2018), logistic form",
        aliases=("ragan",),
    )


@ganzoo.hookimpl
def register_datasets(register: Registrar) -> None:
    register(
        "swiss-roll",
        "ganzoo_relativistic.swiss_roll:build_swiss_roll",
        SwissRollSettings,
        description="A 2-D swiss roll: one continuous spiral manifold, sampled afresh",
    )


@ganzoo.hookimpl
def register_recipes(register: Registrar) -> None:
    register(
        "ragan-ring8",
        "ganzoo_relativistic.recipes:RAGAN_RING8",
        description="RaGAN with PacGAN's 2-D networks on ring8, held to our own target",
    )
