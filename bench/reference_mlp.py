"""The reference: an MLP GAN trained the way the popular tutorials write it.

torchvision MNIST with ToTensor + Normalize((0.5,), (0.5,)), DataLoader(shuffle=True),
G 100-128-256-512-1024-784 with BatchNorm1d and LeakyReLU(0.2), D 784-512-256-1,
BCE-with-logits, Adam(2e-4, betas (0.5, 0.999)). Run: python bench/reference_mlp.py ROOT STEPS BATCH
"""

from __future__ import annotations

import sys
import time

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def block(width_in: int, width_out: int) -> list[nn.Module]:
    return [nn.Linear(width_in, width_out), nn.BatchNorm1d(width_out), nn.LeakyReLU(0.2)]


def main(root: str, steps: int, batch_size: int) -> None:
    torch.manual_seed(0)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    data = datasets.MNIST(root, train=True, download=False, transform=transform)
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, drop_last=True)
    generator = nn.Sequential(
        *block(100, 128),
        *block(128, 256),
        *block(256, 512),
        *block(512, 1024),
        nn.Linear(1024, 784),
        nn.Tanh(),
    )
    discriminator = nn.Sequential(
        nn.Linear(784, 512),
        nn.LeakyReLU(0.2),
        nn.Linear(512, 256),
        nn.LeakyReLU(0.2),
        nn.Linear(256, 1),
    )
    criterion = nn.BCEWithLogitsLoss()
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    step = 0
    started = time.perf_counter()
    while step < steps:
        for images, _ in loader:
            real = images.view(images.size(0), -1)
            ones = torch.ones(real.size(0), 1)
            zeros = torch.zeros(real.size(0), 1)
            z = torch.randn(real.size(0), 100)
            fake = generator(z)
            optimizer_d.zero_grad()
            d_loss = criterion(discriminator(real), ones) + criterion(
                discriminator(fake.detach()), zeros
            )
            d_loss.backward()
            optimizer_d.step()
            optimizer_g.zero_grad()
            g_loss = criterion(discriminator(fake), ones)
            g_loss.backward()
            optimizer_g.step()
            step += 1
            if step % 100 == 0:
                print(f"step {step} d {d_loss.item():.3f} g {g_loss.item():.3f}", flush=True)
            if step >= steps:
                break
    print(f"loop_seconds {time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
