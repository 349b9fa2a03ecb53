"""The training step and the state a run carries from step to step."""

from __future__ import annotations

import contextlib
import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch
from torch import nn

from ganzoo.data.source import Batch
from ganzoo.errors import DivergenceError
from ganzoo.losses import Critic, LossValue
from ganzoo.storage.layout import DISCRIMINATOR, GENERATOR
from ganzoo.training.augment import build_augmentation
from ganzoo.training.distributed import Session
from ganzoo.training.global_batchnorm import sync_batchnorm
from ganzoo.training.performance import (
    autocast,
    compiled,
    configure_backends,
    gradient_scaler,
)
from ganzoo.training.setup import RunPlan


@dataclass
class StepLosses:
    """Loss values of one or more steps, summed on the device (no host sync per step)."""

    sums: dict[str, torch.Tensor] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, values: dict[str, torch.Tensor]) -> None:
        for key, value in values.items():
            value = value.detach().float()
            self.sums[key] = self.sums[key] + value if key in self.sums else value.clone()
            self.counts[key] = self.counts.get(key, 0) + 1

    def means(self) -> dict[str, float]:
        """Each value's mean over the steps that logged it (a lazy penalty skips some)."""
        return {k: float(v) / self.counts[k] for k, v in self.sums.items()}


def make_optimizer(
    params: list[nn.Parameter], lr: float, betas: tuple[float, float], kind: str = "adam"
) -> torch.optim.Optimizer:
    """Adam (or RMSprop, as weight-clipped WGAN asks) with the fastest implementation on offer."""
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, foreach=True)
    device = params[0].device if params else torch.device("cpu")
    fused = device.type in {"cuda", "cpu", "mps"}
    try:
        return torch.optim.Adam(params, lr=lr, betas=betas, fused=fused)
    except (RuntimeError, TypeError):
        return torch.optim.Adam(params, lr=lr, betas=betas, foreach=True)


class Trainer:
    """Holds the networks, optimisers and data stream of a run, and takes training steps.

    With a distributed ``session`` (see :mod:`ganzoo.training.distributed`) each rank
    trains on its shard of every global batch, through DDP-wrapped copies of G and D;
    :attr:`generator` and :attr:`discriminator` stay the plain modules either way.
    """

    def __init__(self, plan: RunPlan, start_step: int = 0, session: Session | None = None) -> None:
        self.plan = plan
        self.config = plan.config
        self.device = plan.device
        self.session = session = session or Session()
        self.generator = plan.models.generator.to(self.device)
        self.discriminator = plan.models.discriminator.to(self.device)
        session.local_batch_size(self.config.batch_size)  # refuses an uneven split
        if session.world_size > 1 and self.config.sync_batchnorm:
            self.generator = sync_batchnorm(self.generator, self.device)
            self.discriminator = sync_batchnorm(self.discriminator, self.device)
            plan.models.generator = self.generator
            plan.models.discriminator = self.discriminator
        configure_backends(self.config.deterministic, self.device)
        self.channels_last = plan.channels_last
        if self.channels_last:
            self.generator.to(memory_format=torch.channels_last)
            self.discriminator.to(memory_format=torch.channels_last)
        self.generator_ema: nn.Module | None = None
        if self.config.ema is not None:
            self.generator_ema = copy.deepcopy(self.generator).requires_grad_(False).eval()
        settings = plan.loss_settings
        betas = (settings.beta1, settings.beta2)
        kind = settings.optimizer
        self.optimizer_g = make_optimizer(
            list(self.generator.parameters()), settings.lr_g, betas, kind
        )
        self.optimizer_d = make_optimizer(
            list(self.discriminator.parameters()), settings.lr_d, betas, kind
        )
        self.n_critic = settings.n_critic
        # fp16 only: one loss scaler per network, each updated after its own optimiser step
        self.scaler_g = gradient_scaler(self.device, self.config.precision)
        self.scaler_d = gradient_scaler(self.device, self.config.precision)
        self.augment = build_augmentation(self.config.diffaugment, plan.data.spec)
        self.step = start_step
        self._batches: Iterator[Batch] | None = None
        self.generator.train()
        self.discriminator.train()
        # The modules the training step calls: DDP wrappers when distributed, compiled when
        # asked. Checkpoints and samples use the plain modules above.
        compile_them = self.config.compile
        self.trained_generator = compiled(session.wrap(self.generator, self.device), compile_them)
        self.trained_discriminator = compiled(
            session.wrap(self.discriminator, self.device), compile_them
        )
        self.discriminator_for_g = (
            self.trained_discriminator
            if session.world_size == 1
            else compiled(self.discriminator, compile_them)
        )

    def batches(self) -> Iterator[Batch]:
        """Batches from the run's current step on; with several ranks, this rank's shard."""
        if self._batches is None:
            self._batches = self.plan.data.batches(
                self.config.batch_size,
                seed=self.config.seed,
                device=self.device,
                start=self.step * self.n_critic,
            )
            if self.session.world_size > 1:
                self._batches = _sharded(self._batches, self.session.shard(self.config.batch_size))
            if self.channels_last:
                self._batches = _channels_last(self._batches)
        return self._batches

    def latent(self, n: int) -> torch.Tensor:
        """``n`` latent vectors; with several ranks, this rank's rows of the global draw."""
        world = self.session.world_size
        z = torch.randn(n * world, self.plan.models.latent_dim, device=self.device)
        return z[self.session.shard(n * world)]

    def generate(self, z: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        if self.plan.models.conditional:
            return self.trained_generator(z, labels)
        return self.trained_generator(z)

    def critic(self, labels: torch.Tensor | None, module: nn.Module | None = None) -> Critic:
        """D as a function of examples only: labels bound when conditional, inputs augmented.

        ``module`` defaults to the D the training step updates (DDP-wrapped when distributed).
        """
        chosen = module if module is not None else self.trained_discriminator
        discriminate: Critic = chosen
        if self.plan.models.conditional:
            discriminate = functools.partial(chosen, labels=labels)
        if self.config.precision != "fp32":
            discriminate = _in_fp32(discriminate)  # the losses compute on fp32 scores
        if self.augment is None:
            return discriminate
        augment = self.augment
        return lambda x: discriminate(augment(x))

    def train_step(self) -> dict[str, torch.Tensor]:
        """One generator update after ``n_critic`` discriminator updates."""
        loss, batches = self.plan.loss, self.batches()
        mixed_precision = functools.partial(autocast, self.device, self.config.precision)
        if self.config.lr_decay == "linear":
            self._decay_learning_rates()
        d_logs: dict[str, torch.Tensor] = {}
        for critic_step in range(self.n_critic):
            loss.before_discriminator_step(self.step * self.n_critic + critic_step)
            real, labels = next(batches)
            last = critic_step == self.n_critic - 1
            # the last fake batch is reused for G's update
            z = self.latent(len(real))
            with torch.set_grad_enabled(last), mixed_precision():
                fake = self.generate(z, labels)
            detached = fake.detach()
            with self._own_random_stream(critic_step), mixed_precision():
                d_loss, step_logs = _split(
                    loss.discriminator_loss(self.critic(labels), real, detached)
                )
                d_loss = self._with_auxiliary(d_loss, step_logs, "d_auxiliary", z, detached)
            d_logs.update(step_logs)  # a lazy penalty logs on the D steps that take it
            self.optimizer_d.zero_grad(set_to_none=True)
            _backward_and_step(d_loss, self.optimizer_d, self.scaler_d)
            loss.after_discriminator_step(self.discriminator)

        # G's update needs no D weight gradients. It calls the plain D even when distributed:
        # D's DDP wrapper would wait for gradients of D that this backward never produces.
        self.discriminator.requires_grad_(False)
        with self._own_random_stream(self.n_critic), mixed_precision():
            g_loss, g_logs = _split(
                loss.generator_loss(self.critic(labels, self.discriminator_for_g), fake)
            )
            g_loss = self._with_auxiliary(g_loss, g_logs, "g_auxiliary", z, fake)
        self.optimizer_g.zero_grad(set_to_none=True)
        _backward_and_step(g_loss, self.optimizer_g, self.scaler_g)
        self.discriminator.requires_grad_(True)

        if self.generator_ema is not None:
            self._update_ema()
        self.step += 1
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(), **d_logs, **g_logs}

    def _with_auxiliary(
        self,
        value: torch.Tensor,
        logs: dict[str, torch.Tensor],
        name: str,
        z: torch.Tensor,
        fake: torch.Tensor,
    ) -> torch.Tensor:
        """``value`` plus the architecture's auxiliary term (InfoGAN's), logged as ``name``."""
        auxiliary_loss = self.plan.models.auxiliary_loss
        if auxiliary_loss is None:
            return value
        term = auxiliary_loss(z, fake)
        logs[name] = term.detach()
        return value + term

    def _decay_learning_rates(self) -> None:
        """Both learning rates fall linearly from the loss's settings to 0 at the last step."""
        assert self.config.steps is not None
        remaining = max(0.0, 1 - self.step / self.config.steps)
        settings = self.plan.loss_settings
        for optimizer, lr in ((self.optimizer_g, settings.lr_g), (self.optimizer_d, settings.lr_d)):
            for group in optimizer.param_groups:
                group["lr"] = lr * remaining

    def _own_random_stream(self, part: int) -> contextlib.AbstractContextManager[None]:
        """With several ranks, the losses' own draws (e.g. GP's α) differ from rank to rank."""
        return self.session.own_random_stream(self.device, self.config.seed, self.step, part)

    @torch.no_grad()
    def _update_ema(self) -> None:
        """Move the average towards G; the decay ramps up so early weights fade quickly."""
        assert self.generator_ema is not None and self.config.ema is not None
        decay = min(self.config.ema, (1 + self.step) / (10 + self.step))
        ema_params: list[torch.Tensor] = list(self.generator_ema.parameters())
        params = [p.detach() for p in self.generator.parameters()]
        torch._foreach_lerp_(ema_params, params, 1 - decay)
        for ema_buffer, buffer in zip(
            self.generator_ema.buffers(), self.generator.buffers(), strict=True
        ):
            ema_buffer.copy_(buffer)

    def not_finite(self, losses: dict[str, torch.Tensor], weights: bool = False) -> list[str]:
        """The names of the non-finite losses (and, if asked and the losses are fine, weights)."""
        bad = [k for k, v in losses.items() if not bool(torch.isfinite(v).all())]
        if weights and not bad:
            for role, module in (
                (GENERATOR, self.generator),
                (DISCRIMINATOR, self.discriminator),
            ):
                if any(not bool(torch.isfinite(p).all()) for p in module.parameters()):
                    bad.append(f"{role} weights")
        return bad

    def divergence(self, bad: list[str]) -> DivergenceError:
        return DivergenceError(
            f"training diverged at step {self.step}: {', '.join(bad)} not finite "
            "(try a lower learning rate with --lr-g/--lr-d, or another loss)"
        )

    def sampling_generator(self) -> nn.Module:
        """The generator used for samples: the moving average when the run keeps one."""
        return self.generator_ema if self.generator_ema is not None else self.generator


def _backward_and_step(
    loss: torch.Tensor, optimizer: torch.optim.Optimizer, scaler: torch.amp.GradScaler | None
) -> None:
    """Backward and an optimiser step; with fp16, through the network's own loss scaler."""
    if scaler is None:
        loss.backward()
        optimizer.step()
        return
    scaler.scale(loss).backward()
    scaler.step(optimizer)  # skipped when a gradient overflowed
    scaler.update()


def _in_fp32(critic: Critic) -> Critic:
    return lambda x: critic(x).float()


def _channels_last(batches: Iterator[Batch]) -> Iterator[Batch]:
    for x, labels in batches:
        if x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        yield Batch(x, labels)


def _sharded(batches: Iterator[Batch], rows: slice) -> Iterator[Batch]:
    for x, labels in batches:
        yield Batch(x[rows], labels[rows] if labels is not None else None)


def _split(value: LossValue) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    if isinstance(value, tuple):
        return value[0], dict(value[1])
    return value, {}
