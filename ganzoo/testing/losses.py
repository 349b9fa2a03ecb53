"""The loss contract, checked: finite values, gradients to the right network, settings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ganzoo.losses import Loss, LossSettings
from ganzoo.registry import Entry, Registry
from ganzoo.storage.layout import DISCRIMINATOR, GENERATOR
from ganzoo.testing.contract import Checker

BATCH = 8


def check_loss(entry: Entry, registry: Registry, settings: Mapping[str, Any] | None) -> list[str]:
    check = Checker(entry)
    validated = registry.settings("loss", entry.name, settings)
    check.that(
        isinstance(validated, LossSettings),
        "settings extend LossSettings",
        f"its settings model is {type(validated).__name__}, not a ganzoo.losses.LossSettings",
    )
    assert isinstance(validated, LossSettings)
    as_json = json.loads(validated.model_dump_json())
    again = registry.settings("loss", entry.name, as_json)
    check.that(
        again == validated,
        "settings round-trip through JSON",
        f"{validated!r} came back as {again!r}",
    )
    loss = registry.build("loss", entry.name, settings)
    check.that(
        isinstance(loss, Loss),
        "builds a Loss",
        f"got {type(loss).__name__}, not ganzoo.losses.Loss",
    )
    torch.manual_seed(0)
    generator = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    discriminator = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))

    def critic(x: torch.Tensor) -> torch.Tensor:
        return discriminator(x).squeeze(1)

    real = torch.randn(BATCH, 2)
    fake = generator(torch.randn(BATCH, 4))

    loss.before_discriminator_step(0)
    check.passed("before_discriminator_step runs")
    d_loss = _value(check, loss.discriminator_loss(critic, real, fake.detach()), "D loss")
    d_loss.backward()
    _gradients(check, discriminator, DISCRIMINATOR, "D loss")
    loss.after_discriminator_step(discriminator)
    check.passed("after_discriminator_step runs")

    discriminator.zero_grad(set_to_none=True)
    g_loss = _value(check, loss.generator_loss(critic, fake), "G loss")
    g_loss.backward()
    _gradients(check, generator, GENERATOR, "G loss")
    return check.checked


def _value(check: Checker, value: Any, what: str) -> torch.Tensor:
    """The scalar of a loss's return value (a tensor, or a tensor and extra scalars to log)."""
    extras: dict[str, Any] = {}
    if isinstance(value, tuple):
        check.that(
            len(value) == 2 and isinstance(value[1], dict),
            f"{what} is a scalar or (scalar, dict)",
            f"got a tuple of {len(value)}",
        )
        value, extras = value
    check.that(
        isinstance(value, torch.Tensor) and value.dim() == 0,
        f"{what} is a scalar tensor",
        f"got {type(value).__name__} of shape {tuple(getattr(value, 'shape', ()))}",
    )
    check.finite(value, f"{what} is finite")
    check.that(value.requires_grad, f"{what} has a gradient", "it does not require grad")
    for key, extra in extras.items():
        check.number(torch.as_tensor(extra).detach(), f"{what}'s logged {key!r} is finite")
    return value


def _gradients(check: Checker, network: nn.Module, name: str, what: str) -> None:
    grads = [p.grad for p in network.parameters()]
    check.that(
        all(g is not None for g in grads),
        f"{what} reaches every {name} weight",
        f"{sum(g is None for g in grads)} of {len(grads)} {name} tensors got no gradient",
    )
    check.that(
        all(torch.isfinite(g).all() for g in grads if g is not None),
        f"{what}'s gradients are finite",
        "a gradient holds NaN or infinity",
    )
    check.that(
        any(g.abs().sum() > 0 for g in grads if g is not None),
        f"{what}'s gradients are not all zero",
        f"every {name} gradient is zero",
    )
