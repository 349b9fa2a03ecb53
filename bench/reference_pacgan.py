"""The reference toy loop: PacGAN's networks on ring8, trained the way a plain script would.

The same generator and maxout discriminator as ``ganzoo run --recipe pacgan-ring8`` (built
by ganzoo, so the layers are identical), points of the 8-Gaussian ring drawn per batch,
BCE-with-logits, plain ``torch.optim.Adam`` and a ``LambdaLR`` falling linearly to 0.
Written once as a plain loop and left as written: it is what ganzoo's step is held to.
Run: python bench/reference_pacgan.py STEPS
"""

from __future__ import annotations

import math
import sys
import time

import torch
from torch import nn

from ganzoo.data.spec import DataSpec
from ganzoo.models import BuildOptions
from ganzoo.plugins import plugin_set

SETTINGS = {
    "latent_dim": 2,
    "generator_width": 400,
    "generator_depth": 4,
    "discriminator_width": 200,
    "discriminator_depth": 3,
    "maxout_pieces": 5,
}


class PlainLoop:
    """G, D, their optimisers and the data; :meth:`step` is one D update and one G update."""

    def __init__(self, total_steps: int, batch_size: int = 100, seed: int = 0) -> None:
        torch.manual_seed(seed)
        spec = DataSpec(shape=(2,), value_range=(-1.06, 1.06), num_classes=8)
        models = plugin_set().registry.build(
            "architecture", "pacgan-mlp", SETTINGS, spec, BuildOptions()
        )
        self.generator, self.discriminator = models.generator, models.discriminator
        self.batch_size = batch_size
        angles = torch.arange(8) * 2 * math.pi / 8
        self.centers = torch.stack([angles.cos(), angles.sin()], dim=1)
        self.criterion = nn.BCEWithLogitsLoss()
        self.optimizer_d = torch.optim.Adam(
            self.discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999)
        )
        self.optimizer_g = torch.optim.Adam(
            self.generator.parameters(), lr=1e-3, betas=(0.5, 0.999)
        )

        def linear(step: int) -> float:
            return max(0.0, 1 - step / total_steps)

        self.schedulers = [
            torch.optim.lr_scheduler.LambdaLR(self.optimizer_d, linear),
            torch.optim.lr_scheduler.LambdaLR(self.optimizer_g, linear),
        ]

    def step(self) -> tuple[float, float]:
        n = self.batch_size
        real = self.centers[torch.randint(0, 8, (n,))] + 0.01 * torch.randn(n, 2)
        ones, zeros = torch.ones(n), torch.zeros(n)

        self.optimizer_d.zero_grad()
        fake = self.generator(torch.randn(n, 2))
        loss_d = self.criterion(self.discriminator(real), ones) + self.criterion(
            self.discriminator(fake.detach()), zeros
        )
        loss_d.backward()
        self.optimizer_d.step()

        self.optimizer_g.zero_grad()
        loss_g = self.criterion(self.discriminator(fake), ones)
        loss_g.backward()
        self.optimizer_g.step()
        for scheduler in self.schedulers:
            scheduler.step()
        return loss_d.item(), loss_g.item()


def main(steps: int) -> None:
    loop = PlainLoop(steps)
    started = time.perf_counter()
    for _ in range(steps):
        loop.step()
    print(f"loop_seconds {time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]))
