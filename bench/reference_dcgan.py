"""The reference DCGAN loop, written like the PyTorch examples' dcgan/main.py.

A DataLoader over a torchvision dataset with per-item transforms (ToTensor + Normalize);
FakeData of 3×32×32 images stands in where CIFAR-10 is absent. The networks have the
same layers as ganzoo's dcgan at 32×32. Run: python bench/reference_dcgan.py FOLDER STEPS BATCH
"""

from __future__ import annotations

import sys
import time

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def weights_init(module: nn.Module) -> None:
    name = type(module).__name__
    if "Conv" in name:
        nn.init.normal_(module.weight.data, 0.0, 0.02)
    elif "BatchNorm" in name:
        nn.init.normal_(module.weight.data, 1.0, 0.02)
        nn.init.constant_(module.bias.data, 0)


def main(folder: str, steps: int, batch_size: int) -> None:
    torch.manual_seed(0)
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]
    )
    data = datasets.ImageFolder(folder, transform=transform)
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, drop_last=True)
    nz, ngf, ndf = 100, 64, 64
    generator = nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False),
        nn.BatchNorm2d(ngf * 4),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf * 2),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False),
        nn.Tanh(),
    )
    discriminator = nn.Sequential(
        nn.Conv2d(3, ndf, 4, 2, 1, bias=False),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 2),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 4),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False),
    )
    generator.apply(weights_init)
    discriminator.apply(weights_init)
    criterion = nn.BCEWithLogitsLoss()
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    step = 0
    started = time.perf_counter()
    while step < steps:
        for real, _ in loader:
            discriminator.zero_grad()
            label = torch.full((real.size(0),), 1.0)
            error_real = criterion(discriminator(real).view(-1), label)
            error_real.backward()
            noise = torch.randn(real.size(0), nz, 1, 1)
            fake = generator(noise)
            label.fill_(0.0)
            error_fake = criterion(discriminator(fake.detach()).view(-1), label)
            error_fake.backward()
            optimizer_d.step()
            generator.zero_grad()
            label.fill_(1.0)
            error_g = criterion(discriminator(fake).view(-1), label)
            error_g.backward()
            optimizer_g.step()
            step += 1
            if step >= steps:
                break
    print(f"loop_seconds {time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
