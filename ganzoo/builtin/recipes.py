"""Built-in recipes: complete run configurations held to published (or our own) figures.

Every figure below is a paper's, quoted with its source; the budgets and departures
are ours, and docs/zoo.md gives what each recipe measured.
"""

from __future__ import annotations

from typing import Any

from ganzoo.builtin.gpu_recipes import register_gpu_recipes
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
            departures=[FRESH_POINTS],
            default_seeds=10,
            notes="The paper's exact setting: hours per seed on a laptop CPU.",
        )
    settings = TUNED_CPU_SETTINGS[(dataset, pack)]
    return Recipe(
        config={**config, **settings},
        protocol=MODE_COVERAGE,
        reference=reference,
        departures=cpu_departures(dataset, settings),
        default_seeds=3,
        minutes_per_seed=MINUTES_PER_SEED.get((dataset, pack)),
    )


CPU_OPTIMISER: dict[str, Any] = {
    "loss_settings": {"lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.5, "beta2": 0.999},
    "lr_decay": "linear",
}
CPU_SETTINGS: dict[str, dict[str, Any]] = {
    "ring8": {"steps": 6_000, **CPU_OPTIMISER},
    "grid25": {"steps": 6_000, "architecture_settings": {"data_scale": 4.0}, **CPU_OPTIMISER},
}
"""The common CPU setting: what every CPU recipe changes from the paper's setting (see
cpu_departures), before its own tuning."""


HE_INIT_STD = 0.07
"""About He et al.'s √(2/400) for pacgan-mlp G's 400-wide ReLU layers: the initial weights' sd
of the recipes tuned with it (pacgan4-ring8, wgan-gp-grid25), whose G has no BatchNorm to
restore the signal's scale (docs/zoo.md)."""


def tuned_cpu_setting(
    dataset: str, steps: int, r1_every: int = 1, init_std: float | None = None
) -> dict[str, Any]:
    """The PacGAN recipes' tuning past the common CPU setting (docs/zoo.md): ``steps`` steps, an
    R1 penalty on D (on one D step in ``r1_every``), two D steps per G step and a G without
    BatchNorm; with ``init_std``, weights drawn from N(0, init_std) instead of the paper's."""
    common = CPU_SETTINGS[dataset]
    r1 = {"r1_weight": 0.01, **({"r1_every": r1_every} if r1_every > 1 else {})}
    return {
        **common,
        "steps": steps,
        "architecture_settings": {
            **common.get("architecture_settings", {}),
            "generator_batchnorm": False,
            **({"init_std": init_std} if init_std is not None else {}),
        },
        "loss_settings": {**CPU_OPTIMISER["loss_settings"], **r1, "n_critic": 2},
    }


TUNED_CPU_SETTINGS: dict[tuple[str, int], dict[str, Any]] = {
    ("ring8", 1): tuned_cpu_setting("ring8", 16_000),
    ("ring8", 2): tuned_cpu_setting("ring8", 10_000),
    ("ring8", 4): tuned_cpu_setting("ring8", 9_000, init_std=HE_INIT_STD),
    ("grid25", 1): tuned_cpu_setting("grid25", 19_000, r1_every=4),
    ("grid25", 2): tuned_cpu_setting("grid25", 14_000),
    ("grid25", 4): tuned_cpu_setting("grid25", 14_500, r1_every=4),
}
"""Each CPU recipe's setting, tuned past the common one on seeds 100 and up (never on 0-2)."""
FRESH_POINTS = "points are drawn afresh for every batch rather than from a fixed set of 100,000"


def r1_departure(weight: float, *, at: str, source: str, why: str) -> str:
    """The departure line of an R1 penalty of ``weight`` at the real ``at`` (images, packs),
    which ``source`` does not use; ``why`` follows, with its own leading punctuation."""
    return (
        f"an R1 penalty (Mescheder et al. 2018) of weight γ = {weight:g} on D's gradient at "
        f"the real {at}, which {source} does not use{why}"
    )


def moving_average_departure(decay: float, *, source: str, why: str = "") -> str:
    """The departure line of samples drawn from a moving average of G of ``decay``."""
    return (
        f"samples drawn from a moving average of G's weights (decay {decay:g}), which {source} "
        f"does not keep{why}"
    )


def lazy_r1_departure(every: int) -> str:
    """The departure line of an R1 penalty taken on one D step in ``every``."""
    return (
        f"R1 taken lazily (Karras et al. 2020): on one D step in {every}, with {every} times "
        "the weight, which keeps its average and frees steps for the budget"
    )


def cpu_departures(dataset: str, settings: dict[str, Any]) -> list[str]:
    """How a CPU recipe's ``settings`` depart from the paper's setting, one line each."""
    departures = [
        f"{settings['steps']:,} steps instead of 400,000, with Adam(1e-3, β₁ = 0.5) instead of "
        "(1e-4, 0.8), both learning rates falling linearly to 0, so that a seed trains in "
        "minutes on a CPU"
    ]
    r1_weight = settings["loss_settings"].get("r1_weight", 0)
    if r1_weight:
        departures.append(
            r1_departure(
                r1_weight,
                at="packs",
                source="the paper",
                why=": it keeps the modes' shares even (reverse KL), where the longer budget "
                "sharpens the samples",
            )
        )
    r1_every = settings["loss_settings"].get("r1_every", 1)
    if r1_weight and r1_every > 1:
        departures.append(lazy_r1_departure(r1_every))
    n_critic = settings["loss_settings"].get("n_critic", 1)
    if n_critic > 1:
        departures.append(f"{n_critic} D steps per G step instead of 1")
    architecture_settings = settings.get("architecture_settings", {})
    if architecture_settings.get("generator_batchnorm") is False:
        departures.append(
            "no BatchNorm in G (a bias in each hidden layer instead): with BatchNorm each "
            "point depends on the rest of its batch, and in training D sees a noisier G, "
            "with more points on the bridges between modes, than the one that is sampled"
        )
    init_std = architecture_settings.get("init_std")
    if init_std is not None:
        departures.append(init_std_departure(init_std, "tuned on seeds 100 and 101"))
    data_scale = architecture_settings.get("data_scale")
    if data_scale:
        departures.append(
            data_scale_departure(
                data_scale,
                "so they see unit-scale values; the data and the evaluation are unchanged",
            )
        )
    return [*departures, FRESH_POINTS]


def init_std_departure(std: float, tuned: str) -> str:
    """The departure line of both networks' weights drawn from N(0, ``std``)."""
    return (
        f"both networks' weights drawn from N(0, {std:g}) instead of PacGAN's N(0, 0.02): about "
        "He et al.'s √(2/400) for G's 400-wide ReLU layers, which have no BatchNorm here to "
        f"restore the signal's scale; {tuned} (docs/zoo.md)"
    )


def data_scale_departure(scale: float, why: str) -> str:
    """The departure line of networks that see the data scaled by ``1/scale``."""
    return f"inputs scaled by 1/{scale:g} inside the networks (data_scale = {scale:g}), {why}"


MINUTES_PER_SEED: dict[tuple[str, int], float] = {
    ("ring8", 1): 9.6,
    ("ring8", 2): 6.5,
    ("ring8", 4): 6.1,
    ("grid25", 1): 8.5,
    ("grid25", 2): 9.7,
    ("grid25", 4): 8.7,
}
"""Measured training minutes per seed (mean of seeds 0-2) on an idle 2-core CPU, 2 threads,
2026-12-04 (pacgan-grid25 and pacgan4-grid25: 2026-12-05; pacgan4-ring8: 2026-12-06)
(docs/zoo.md)."""


WGAN_GP_TARGET: dict[str, dict[str, Figure]] = {
    dataset: _figures(Figure(value=modes), Figure(value=90.0), Figure(value=0.1, better="lower"))
    for dataset, modes in (("ring8", 8.0), ("grid25", 25.0))
}
"""ganzoo's own target for WGAN-GP on the mixtures: every mode, 90 % high quality, KL ≤ 0.1."""


WGAN_GP_TUNING: dict[str, Any] = {
    "steps": 4_000,
    "ema": 0.999,
    "architecture_settings": {"generator_batchnorm": False},
}
"""The WGAN-GP recipes' tuning past the WGAN-GP authors' toy setting (docs/zoo.md)."""
WGAN_GP_GRID25_DATA_SCALE = 8.0
"""grid25's own: the data scaled by 1/8 inside the networks (docs/zoo.md, 2026-12-05)."""
WGAN_GP_GRID25_BATCH = 200
"""grid25's own: batches of 200, paid for by flushing denormals (docs/zoo.md, 2026-12-06)."""


def wgan_gp_recipe(dataset: str) -> Recipe:
    """WGAN-GP with PacGAN's networks on ``dataset``, held to ganzoo's own target."""
    architecture_settings = dict(WGAN_GP_TUNING["architecture_settings"])
    departures = [
        "no published row on this protocol: held to ganzoo's own target",
        "gradient-penalty weight 0.1, as the WGAN-GP authors' toy experiments use, with "
        "5 critic steps and Adam(1e-3, β = (0, 0.9)) falling linearly to 0",
        f"{WGAN_GP_TUNING['steps']:,} steps, no BatchNorm in G (a bias in each hidden layer "
        "instead) and samples drawn from a moving average of G's weights (decay "
        f"{WGAN_GP_TUNING['ema']:g}), tuned on seeds 100 and up (docs/zoo.md)",
    ]
    config: dict[str, Any] = {
        "architecture": "pacgan-mlp",
        "loss": "wgan-gp",
        "dataset": dataset,
        "steps": WGAN_GP_TUNING["steps"],
        "ema": WGAN_GP_TUNING["ema"],
        "batch_size": 100,
        "lr_decay": "linear",
        "loss_settings": {"lr_g": 1e-3, "lr_d": 1e-3, "gp_weight": 0.1},
        "architecture_settings": architecture_settings,
    }
    if dataset == "grid25":
        scale = WGAN_GP_GRID25_DATA_SCALE
        architecture_settings["data_scale"] = scale
        pacgans = CPU_SETTINGS["grid25"]["architecture_settings"]["data_scale"]
        departures.append(
            data_scale_departure(
                scale,
                f"where PacGAN's grid25 recipes take {pacgans:g}: tuned on seeds 100 to "
                "103 (docs/zoo.md)",
            )
        )
        architecture_settings["init_std"] = HE_INIT_STD
        departures.append(init_std_departure(HE_INIT_STD, "tuned on seeds 100 to 103"))
        config.update(batch_size=WGAN_GP_GRID25_BATCH, flush_denormals=True)
        departures.append(
            f"batches of {WGAN_GP_GRID25_BATCH} instead of PacGAN's 100, paid for by flushing "
            "denormal numbers to zero on the CPU (Adam's state of maxout pieces that seldom "
            "win decays into them, and they are slow: docs/speed.md): tuned on seeds 100 to "
            "103 (docs/zoo.md)"
        )
    return Recipe(
        config=config,
        protocol=MODE_COVERAGE,
        reference=Reference(
            source="ganzoo's own target (every mode, ≥ 90 % high quality, reverse KL ≤ 0.1)",
            published=False,
            figures=WGAN_GP_TARGET[dataset],
        ),
        departures=departures,
        default_seeds=3,
        minutes_per_seed={"ring8": 6.5, "grid25": 6.3}[dataset],
    )


MNIST_TARGET: dict[str, Figure] = {
    "classifier-fd.confident_share": Figure(value=0.9),
    "classifier-fd.classes_covered": Figure(value=10.0),
    "classifier-fd.class_kl": Figure(value=0.05, better="lower"),
    "classifier-fd.precision_to_real": Figure(value=0.8),
    "classifier-fd.recall_to_real": Figure(value=0.8),
}
"""ganzoo's own target for MNIST digits a person calls good: 90 % of samples given one class
with probability ≥ 0.9, all 10 classes with class KL ≤ 0.05, and precision and recall each at
least 0.8 of those of the test images against the training images (the real-vs-real floor)."""
CLASSIFIER_FEATURES = Protocol(
    metrics=["classifier-fd"],
    num_samples=10_000,
    description="10,000 samples per seed against the training images, in the features of "
    "ganzoo's own classifier of the dataset: Fréchet distance, precision and recall (k = 3), "
    "each beside the test images' own figures against the training images (the real-vs-real "
    "floor); classes covered, class KL and the confident share (samples given one class with "
    "probability ≥ 0.9)",
)
TUTORIAL_MLP_SETTINGS: dict[str, Any] = {
    "latent_dim": 100,
    "generator_widths": [128, 256, 512, 1024],
    "discriminator_widths": [512, 256],
    "negative_slope": 0.2,
    "output": "tanh",
    "first_block_batchnorm": False,
    "batchnorm_eps": 0.8,
}
"""The PyTorch-GAN tutorial's MLP (implementations/gan/gan.py). Its ``nn.BatchNorm1d(out_feat,
0.8)`` passes 0.8 as the second positional argument, which is ε, not the momentum: torch's
momentum stays 0.1, and ε = 0.8 is what the tutorial's networks run with."""
TUTORIAL_MLP_DEPARTURES = [
    "D is updated before G, on the same fake batch (the tutorial updates G first)",
    "D's loss is the sum of its real and fake terms (the tutorial halves it; Adam makes the "
    "two nearly the same)",
    "BCE on logits (softplus) rather than a sigmoid followed by BCELoss: the same loss, "
    "computed stably",
]
TUTORIAL_MLP_R1: dict[str, Any] = {"r1_weight": 10.0, "r1_every": 8}
"""mlp-gan-mnist-r1's R1 penalty on D, taken on one D step in 8 (docs/zoo.md)."""
TUTORIAL_MLP_EMA = 0.999
"""The decay of the moving average of G that mlp-gan-mnist-r1 samples from."""
TUTORIAL_MLP_TUNED_STEPS = 42_000
"""mlp-gan-mnist-r1's budget: what fits in 10 minutes of a 2-core CPU in bf16."""
TUTORIAL_MLP_TUNED_DEPARTURES = [
    r1_departure(
        TUTORIAL_MLP_R1["r1_weight"],
        at="images",
        source="the tutorial",
        why=": at the tutorial's setting each seed draws a narrow subset of each class (recall "
        "about 5 % of real-vs-real), and R1 keeps D from pushing G's samples from one such "
        "subset to the next; tuned on seeds 100 and 101 (docs/zoo.md)",
    ),
    lazy_r1_departure(TUTORIAL_MLP_R1["r1_every"]),
    moving_average_departure(TUTORIAL_MLP_EMA, source="the tutorial"),
    "trains in bf16 (autocast; losses, their reductions and the penalty in fp32) where the "
    f"tutorial trains in fp32: with R1 taken lazily as well, {TUTORIAL_MLP_TUNED_STEPS:,} steps "
    "take less time on a 2-core CPU with a bf16 matrix unit than the 28,000 this recipe "
    "trained until 2026-12-05, in fp32 with R1 on every D step (docs/zoo.md); --precision "
    "fp32 trains as the tutorial does, and so does a device without a bf16 matrix unit",
]
DCGAN_MNIST_LR = 8e-4
"""dcgan-mnist's learning rate for G and D (the paper's is 2e-4)."""
DCGAN_MNIST_R1: dict[str, Any] = {"r1_weight": 1.0, "r1_every": 8}
"""dcgan-mnist's R1 penalty on D, taken on one D step in 8."""
DCGAN_MNIST_EMA = 0.999
"""The decay of the moving average of G that dcgan-mnist samples from."""
DCGAN_MNIST_DEPARTURES = [
    r1_departure(
        DCGAN_MNIST_R1["r1_weight"],
        at="images",
        source="the DCGAN paper",
        why="; it replaces the spectral normalisation of D this recipe trained with until "
        "2026-12-05: seed 100 at 12,000 steps gave FD 22.8, confident share 0.705 and "
        "precision 0.731 of real-vs-real, against 31.5, 0.658 and 0.657 (docs/zoo.md)",
    ),
    lazy_r1_departure(DCGAN_MNIST_R1["r1_every"]),
    "Adam's learning rate 8e-4 for G and D, four times the paper's: with R1, seed 101 at "
    "9,000 steps gave FD 21.4 and confident share 0.704 against 25.5 and 0.688 at 4e-4 "
    "(docs/zoo.md)",
    moving_average_departure(
        DCGAN_MNIST_EMA,
        source="the paper",
        why=": seeds 100 and 101 at 9,500 steps gave FD 18.0 and 19.4, confident share 0.708 "
        "and 0.710 against G's own 24.0 and 21.1, 0.692 and 0.702 (docs/zoo.md)",
    ),
]
DCGAN_FASHION_CARRIED_OVER = (
    "dcgan-mnist's tuning carried over to Fashion-MNIST unchanged, not tuned on it (docs/zoo.md)"
)
CDCGAN_CONDITIONAL = (
    "class-conditional (cdcgan): G is given the class, as a learned 16-value embedding joined "
    "to z, and D is a projection discriminator (Miyato & Koyama 2018), where the DCGAN paper's "
    "networks are unconditional; the protocol draws the classes uniformly and judges the "
    "samples exactly as dcgan-mnist's, and dcgan-mnist's tuning is carried over unchanged, "
    "not tuned on it (docs/zoo.md)"
)
MNIST_CLUSTERS = 200
CDCGAN_STEPS = 8_000
"""The budget of cdcgan-mnist and of the recipes that give cdcgan clusters."""


def cdcgan_clusters_departure(judged_as: str, carried_over: str) -> str:
    """The departure of a cdcgan recipe given clusters in place of the classes."""
    return (
        f"G is given one of {MNIST_CLUSTERS} equal-sized k-means clusters of the training "
        "images (in their 50 principal components; cluster_labels) where the DCGAN paper's G "
        "is unconditional: no label is read, the protocol draws the clusters uniformly, which "
        f"draws the images' own proportions, and judges the samples exactly as {judged_as}'s; "
        "the networks are cdcgan's (a 16-value embedding joined to z, a projection "
        f"discriminator), and {carried_over}"
    )


MLP_CLUSTERS = 20
CGAN_CLUSTERS = (
    f"G is given one of {MLP_CLUSTERS} equal-sized k-means clusters of the training images "
    "(cluster_labels) where the tutorial's G is unconditional: no label is read, and the "
    "protocol draws the clusters uniformly, which draws the images' own proportions; G and D "
    "take a learned 16-value embedding of the cluster beside z and beside the image (cgan); "
    "20 clusters, since 200 collapsed each cluster to a few images on seed 100 (recall 0.016 "
    "of real-vs-real; docs/zoo.md)"
)
DCGAN_BF16 = (
    "trains in bf16 (autocast; losses and their reductions in fp32) where the paper trained in "
    "fp32: 1.45 times the images per second on a 2-core CPU with a bf16 matrix unit (704 against "
    "485); --precision fp32 trains as the paper did, and so does a device without a bf16 matrix "
    "unit, where bf16 is emulated and many times slower"
)


def mnist_recipe(
    architecture: str,
    steps: int,
    *,
    dataset: str = "mnist",
    architecture_settings: dict[str, Any] | None = None,
    loss_settings: dict[str, Any] | None = None,
    departures: list[str] | None = None,
    minutes: float | None = None,
    precision: str | None = None,
    ema: float | None = None,
    run_settings: dict[str, Any] | None = None,
) -> Recipe:
    """A classic GAN on 28×28 MNIST-like images with the tutorials' optimiser and batch of 64,
    held to ganzoo's own MNIST target."""
    config: dict[str, Any] = {
        "architecture": architecture,
        "loss": "non-saturating",
        "dataset": dataset,
        "steps": steps,
        "batch_size": 64,
        "loss_settings": {
            "lr_g": 2e-4,
            "lr_d": 2e-4,
            "beta1": 0.5,
            "beta2": 0.999,
            **(loss_settings or {}),
        },
    }
    if architecture_settings:
        config["architecture_settings"] = architecture_settings
    if precision:
        config["precision"] = precision
    if ema is not None:
        config["ema"] = ema
    config.update(run_settings or {})
    return Recipe(
        config=config,
        protocol=CLASSIFIER_FEATURES,
        reference=Reference(
            source="ganzoo's own target for samples a person calls good (confident share "
            "≥ 0.9, 10 classes, class KL ≤ 0.05, precision and recall ≥ 0.8 of real-vs-real)",
            published=False,
            figures=MNIST_TARGET,
        ),
        departures=[f"{steps:,} steps of batch 64, sized for a CPU", *(departures or [])],
        default_seeds=3,
        minutes_per_seed=minutes,
    )


def tuned_dcgan_recipe(
    dataset: str,
    *,
    minutes: float,
    also: list[str] | None = None,
    architecture: str = "dcgan",
    steps: int = 9_500,
    run_settings: dict[str, Any] | None = None,
) -> Recipe:
    """dcgan-mnist's setting on a 28×28 MNIST-like dataset: lazy R1 on D, Adam(8e-4) and a
    moving average of G, for 9,500 steps in bf16; ``also`` adds departures of the dataset's
    or the architecture's own."""
    return mnist_recipe(
        architecture,
        steps,
        dataset=dataset,
        precision="bf16",
        ema=DCGAN_MNIST_EMA,
        minutes=minutes,
        loss_settings={"lr_g": DCGAN_MNIST_LR, "lr_d": DCGAN_MNIST_LR, **DCGAN_MNIST_R1},
        departures=[*DCGAN_MNIST_DEPARTURES, *(also or []), DCGAN_BF16],
        run_settings=run_settings,
    )


def clustered_cdcgan_recipe(dataset: str, *, minutes: float, departure: str) -> Recipe:
    """cdcgan-mnist's networks and training on ``dataset``, G given clusters, not classes."""
    return tuned_dcgan_recipe(
        dataset,
        architecture="cdcgan",
        steps=CDCGAN_STEPS,
        minutes=minutes,
        also=[departure],
        run_settings={"cluster_labels": MNIST_CLUSTERS},
    )


def register_builtin(register: Registrar) -> None:
    """Register ganzoo's built-in recipes."""
    register_gpu_recipes(register)
    for dataset in ("ring8", "grid25"):
        register(
            f"wgan-gp-{dataset}",
            wgan_gp_recipe(dataset),
            description=f"WGAN-GP with PacGAN's networks on {dataset}, held to our own target",
        )
    register(
        "mlp-gan-mnist",
        mnist_recipe(
            "mlp-gan",
            24_000,
            precision="fp32",
            minutes=8.9,
            architecture_settings=TUTORIAL_MLP_SETTINGS,
            departures=TUTORIAL_MLP_DEPARTURES,
        ),
        description="The PyTorch-GAN tutorial's MLP GAN on MNIST, exactly: G "
        "100-128-256-512-1024-784 (BatchNorm ε 0.8 after the first block), D 784-512-256-1",
    )
    register(
        "mlp-gan-mnist-r1",
        mnist_recipe(
            "mlp-gan",
            TUTORIAL_MLP_TUNED_STEPS,
            precision="bf16",
            ema=TUTORIAL_MLP_EMA,
            minutes=8.2,
            architecture_settings=TUTORIAL_MLP_SETTINGS,
            loss_settings=TUTORIAL_MLP_R1,
            departures=[*TUTORIAL_MLP_DEPARTURES, *TUTORIAL_MLP_TUNED_DEPARTURES],
        ),
        description="mlp-gan-mnist tuned: the tutorial's networks and Adam with a lazy R1 "
        "penalty on D and a moving average of G, in bf16, for samples as varied as the digits",
    )
    register(
        "dcgan-mnist",
        tuned_dcgan_recipe("mnist", minutes=8.6),
        description="DCGAN on 28×28 MNIST, tuned: a lazy R1 penalty on D, Adam(8e-4, β₁ = 0.5) "
        "and samples from a moving average of G",
    )
    register(
        "dcgan-fashion-mnist",
        tuned_dcgan_recipe("fashion-mnist", minutes=8.6, also=[DCGAN_FASHION_CARRIED_OVER]),
        description="DCGAN on 28×28 Fashion-MNIST trained as dcgan-mnist (a lazy R1 penalty "
        "on D, Adam(8e-4, β₁ = 0.5), a moving average of G): a baseline on the MNIST protocol",
    )
    register(
        "cdcgan-mnist",
        tuned_dcgan_recipe(
            "mnist",
            architecture="cdcgan",
            steps=CDCGAN_STEPS,
            minutes=8.5,
            also=[CDCGAN_CONDITIONAL],
        ),
        description="Conditional DCGAN on 28×28 MNIST, G given the class: dcgan-mnist's "
        "training (lazy R1, Adam(8e-4), a moving average of G) with a projection discriminator",
    )
    register(
        "cgan-mnist-clusters",
        mnist_recipe(
            "cgan",
            TUTORIAL_MLP_TUNED_STEPS,
            precision="bf16",
            ema=TUTORIAL_MLP_EMA,
            minutes=8.5,
            architecture_settings=TUTORIAL_MLP_SETTINGS,
            loss_settings=TUTORIAL_MLP_R1,
            departures=[
                *TUTORIAL_MLP_DEPARTURES,
                *TUTORIAL_MLP_TUNED_DEPARTURES,
                CGAN_CLUSTERS,
            ],
            run_settings={"cluster_labels": MLP_CLUSTERS},
        ),
        description="mlp-gan-mnist-r1 with no labels read: the tutorial's networks made "
        f"conditional (cgan), G given one of {MLP_CLUSTERS} equal-sized k-means clusters of "
        "the training images",
    )
    register(
        "cdcgan-mnist-clusters",
        clustered_cdcgan_recipe(
            "mnist",
            minutes=8.7,
            departure=cdcgan_clusters_departure(
                "dcgan-mnist", "dcgan-mnist's tuning is carried over unchanged"
            ),
        ),
        description="Unconditional MNIST with no labels read: cdcgan-mnist's networks and "
        f"training, G given one of {MNIST_CLUSTERS} equal-sized k-means clusters of the "
        "training images in place of the class",
    )
    register(
        "cdcgan-fashion-mnist-clusters",
        clustered_cdcgan_recipe(
            "fashion-mnist",
            minutes=8.4,
            departure=cdcgan_clusters_departure(
                "dcgan-fashion-mnist",
                "dcgan-mnist's tuning and cdcgan-mnist-clusters' cluster count are carried over "
                "to Fashion-MNIST unchanged, not tuned on it (docs/zoo.md)",
            ),
        ),
        description="Unconditional Fashion-MNIST with no labels read: cdcgan-mnist-clusters "
        f"carried over, G given one of {MNIST_CLUSTERS} equal-sized k-means clusters of the "
        "training images",
    )
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
