"""The reference DCGAN on MNIST 28×28, written like the PyTorch examples' dcgan/main.py.

torchvision ``MNIST`` with per-item ``ToTensor`` + ``Normalize((0.5,), (0.5,))``, a
``DataLoader`` with the examples' default of 2 workers, fp32, the default memory layout,
plain Adam(2e-4, β₁ = 0.5), BCE, and the losses read back to the host every step as the
examples print them. The layers are those of ganzoo's dcgan at 28×28. Written once and left
as written. Run: python bench/reference_dcgan_mnist.py DATA_ROOT STEPS BATCH
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


def main(root: str, steps: int, batch_size: int) -> None:
    torch.manual_seed(0)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    data = datasets.MNIST(root, train=True, download=False, transform=transform)
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, num_workers=2)
    nz, ngf, ndf = 100, 64, 64
    generator = nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 2, 7, 1, 0, bias=False),
        nn.BatchNorm2d(ngf * 2),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf, 1, 4, 2, 1, bias=False),
        nn.Tanh(),
    )
    discriminator = nn.Sequential(
        nn.Conv2d(1, ndf, 4, 2, 1, bias=False),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 2),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, 1, 7, 1, 0, bias=False),
        nn.Sigmoid(),
    )
    generator.apply(weights_init)
    discriminator.apply(weights_init)
    criterion = nn.BCELoss()
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real_label, fake_label = 1.0, 0.0
    step = 0
    started = time.perf_counter()
    while step < steps:
        for real, _ in loader:
            discriminator.zero_grad()
            label = torch.full((real.size(0),), real_label)
            output = discriminator(real).view(-1)
            error_real = criterion(output, label)
            error_real.backward()
            d_x = output.mean().item()
            noise = torch.randn(real.size(0), nz, 1, 1)
            fake = generator(noise)
            label.fill_(fake_label)
            output = discriminator(fake.detach()).view(-1)
            error_fake = criterion(output, label)
            error_fake.backward()
            d_g_z1 = output.mean().item()
            error_d = error_real + error_fake
            optimizer_d.step()
            generator.zero_grad()
            label.fill_(real_label)
            output = discriminator(fake).view(-1)
            error_g = criterion(output, label)
            error_g.backward()
            d_g_z2 = output.mean().item()
            optimizer_g.step()
            if step % 100 == 0:
                print(
                    f"[{step}/{steps}] Loss_D: {error_d.item():.4f} Loss_G: {error_g.item():.4f} "
                    f"D(x): {d_x:.4f} D(G(z)): {d_g_z1:.4f} / {d_g_z2:.4f}"
                )
            step += 1
            if step >= steps:
                break
    print(f"loop_seconds {time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
