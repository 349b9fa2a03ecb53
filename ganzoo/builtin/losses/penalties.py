"""Gradient penalties shared by the losses."""

from __future__ import annotations

import torch

from ganzoo.losses import Critic


def interpolate(real: torch.Tensor, fake: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """Points on the lines between real and fake examples, one ``alpha`` per example."""
    alpha = alpha.view(-1, *([1] * (real.dim() - 1)))
    return alpha * real + (1 - alpha) * fake


def gradient_penalty(
    critic: Critic,
    real: torch.Tensor,
    fake: torch.Tensor,
    alpha: torch.Tensor | None = None,
    *,
    target: float = 1.0,
    one_sided: bool = False,
) -> torch.Tensor:
    """WGAN-GP's E[(‖∇D(x̂)‖₂ − 1)²] on interpolates with α ~ U(0, 1) drawn per example.

    ``target`` is the norm the penalty pulls towards (0: the zero-centred penalty of
    Thanh-Tung et al. 2019); ``one_sided`` penalises only norms above it (WGAN-LP,
    Petzka et al. 2018).

    With a packing D (one score per pack of examples) the norm is taken over each pack's
    input, the input D is Lipschitz in; the interpolation stays per example. Under mixed
    precision the critic's pass on the interpolates, and the penalty, run in fp32.
    """
    if alpha is None:
        alpha = torch.rand(real.shape[0], device=real.device, dtype=torch.float32)
    with _without_autocast(real):
        mixed = interpolate(real.detach().float(), fake.detach().float(), alpha)
        mixed.requires_grad_(True)
        scores = critic(mixed).float()
        (gradients,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
        excess = _per_score(gradients, scores).norm(2, dim=1) - target
        if one_sided:
            excess = excess.clamp(min=0)
        return (excess**2).mean()


def r1_penalty(critic: Critic, real: torch.Tensor) -> torch.Tensor:
    """R1 (Mescheder et al. 2018): E‖∇D(x)‖² on real data (weight γ/2 applied by the caller).

    With a packing D, the squared norm is taken over each pack's input. Under mixed
    precision it runs in fp32.
    """
    return scores_and_r1_penalty(critic, real)[1]


def scores_and_r1_penalty(critic: Critic, real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """D's scores of ``real`` and the R1 penalty, from one pass of D (both in fp32).

    A loss that needs both uses the scores in its own terms, so D runs once on the real
    batch instead of twice; gradients flow to D through the scores and the penalty alike.
    """
    with _without_autocast(real):
        real = real.detach().float().requires_grad_(True)
        scores = critic(real).float()
        (gradients,) = torch.autograd.grad(scores.sum(), real, create_graph=True)
        return scores, _per_score(gradients, scores).pow(2).sum(dim=1).mean()


def _without_autocast(like: torch.Tensor) -> torch.autocast:
    """Mixed precision switched off on ``like``'s device."""
    return torch.autocast(like.device.type, enabled=False)


def _per_score(gradients: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
    """Gradients grouped by the score they belong to: one row per example, or per pack."""
    return gradients.reshape(scores.numel(), -1)
